package content

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/punto-totem/punto/geo"
)

// The index file ("CATALOG.index", beside the catalog) is an image of the
// in-memory index, so that a totem is complete in the time of one
// sequential read rather than of reading and folding every row. It is
// trusted only when all of these hold, and otherwise ignored (and
// rebuilt from the catalog):
//   - its format, this build's record layout and the catalog's schema
//     version match;
//   - its generation equals the catalog's: every write through a Store
//     sets a new random generation in meta in the write's own
//     transaction, so a file written before any later write is stale;
//   - its CRC-32C (over everything before it) matches, and every number
//     in it points inside what it refers to.
// It is written whole to a temporary file and renamed over the old one.
// A catalog written by other means than a Store (sqlite3, an older Punto)
// must have its index file removed, or a write through a Store made.

// indexFileMagic starts an index file; the version after it changes with
// the format.
const (
	indexFileMagic   = "PUNTOIDX"
	indexFileVersion = 5
)

// generationKey is the meta key of the catalog's generation.
const generationKey = "index_generation"

// errIndexFile says an index file cannot be used; why follows.
var errIndexFile = errors.New("content: index file not usable")

// IndexFile is the path of the index file of the catalog at path.
func IndexFile(path string) string { return path + ".index" }

// newGeneration sets a new random generation in the transaction of a
// write.
func newGeneration(ctx context.Context, tx interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES (?, lower(hex(randomblob(16))))
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, generationKey)
	if err != nil {
		return fmt.Errorf("content: generation: %w", err)
	}
	return nil
}

// generation is the catalog's generation, giving it one if it has none.
func (s *Store) generation(ctx context.Context) (string, error) {
	if _, err := s.w.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES (?, lower(hex(randomblob(16))))
		ON CONFLICT(key) DO NOTHING`, generationKey); err != nil {
		return "", fmt.Errorf("content: generation: %w", err)
	}
	var g string
	if err := s.w.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", generationKey).Scan(&g); err != nil {
		return "", fmt.Errorf("content: generation: %w", err)
	}
	return g, nil
}

// rawBytes is the memory of a slice of pointer-free values.
func rawBytes[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	var zero T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(zero)))
}

// layout identifies this build's record layout: a file written by a
// build whose records differ is not read.
func layout() uint64 {
	return uint64(unsafe.Sizeof(svcInfo{}))<<32 | uint64(unsafe.Sizeof(entry{}))<<16 | uint64(unsafe.Sizeof(strRef{}))
}

// fileWriter writes an index file and its checksum.
type fileWriter struct {
	w   *bufio.Writer
	crc hash.Hash32
	err error
}

func (f *fileWriter) bytes(b []byte) {
	if f.err != nil {
		return
	}
	f.crc.Write(b)
	_, f.err = f.w.Write(b)
}

// Write is bytes, for the grids' WriteTo.
func (f *fileWriter) Write(b []byte) (int, error) {
	f.bytes(b)
	return len(b), f.err
}

func (f *fileWriter) u64(v uint64) { f.bytes(binary.LittleEndian.AppendUint64(nil, v)) }

func (f *fileWriter) str(s string) {
	f.u64(uint64(len(s)))
	f.bytes(unsafe.Slice(unsafe.StringData(s), len(s))) // only read
}

func writeRaw[T any](f *fileWriter, s []T) {
	f.u64(uint64(len(s)))
	f.bytes(rawBytes(s))
}

// writeWords writes words as their lengths then their bytes.
func writeWords(f *fileWriter, w *wordList) {
	lens := make([]uint32, w.len())
	for i, r := range w.refs {
		lens[i] = r.n
	}
	writeRaw(f, lens)
	for i := range lens {
		s := w.at(uint32(i))
		f.bytes(unsafe.Slice(unsafe.StringData(s), len(s)))
	}
}

// writeLists writes lists of uint32 as their lengths then their values.
func writeLists(f *fileWriter, l *lists) {
	lens := make([]uint32, l.count())
	for i := range lens {
		lens[i] = uint32(len(l.get(uint32(i))))
	}
	writeRaw(f, lens)
	for i := range lens {
		f.bytes(rawBytes(l.get(uint32(i))))
	}
}

// writeIndexFile writes x as the index file of the catalog at path, for
// generation gen. The caller keeps x from changing meanwhile.
func writeIndexFile(path, gen string, x *index) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.partial")
	if err != nil {
		return fmt.Errorf("content: index file: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close() // the write failed already; closed twice if the rename did
			os.Remove(tmp.Name())
		}
	}()
	f := &fileWriter{w: bufio.NewWriterSize(tmp, 1<<20), crc: crc32.New(crc32.MakeTable(crc32.Castagnoli))}
	f.bytes([]byte(indexFileMagic))
	f.u64(indexFileVersion)
	f.u64(layout())
	f.u64(uint64(SchemaVersion()))
	f.str(gen)
	f.u64(uint64(x.live))
	writeRaw(f, x.svcs)
	writeRaw(f, x.entries)
	writeRaw(f, x.free)
	f.u64(uint64(len(x.arena.blocks)))
	for _, b := range x.arena.blocks {
		f.str(unsafe.String(unsafe.SliceData(b), len(b)))
	}
	f.u64(uint64(x.arena.dead))
	// The tables, in the order of their numbers, each value with its key.
	keys := func(byKey map[string]uint32) []string {
		out := make([]string, len(byKey))
		for k, n := range byKey {
			out[n] = k
		}
		return out
	}
	f.u64(uint64(len(x.hours.vals)))
	for i, k := range keys(x.hours.byKey) {
		f.str(k)
		writeHours(f, x.hours.vals[i])
	}
	f.u64(uint64(len(x.langSets.vals)))
	for i, k := range keys(x.langSets.byKey) {
		f.str(k)
		f.u64(uint64(len(x.langSets.vals[i])))
		for _, l := range x.langSets.vals[i] {
			f.str(l)
		}
	}
	for _, t := range []*table[string]{&x.comuni} {
		f.u64(uint64(len(t.vals)))
		for _, v := range t.vals {
			f.str(v)
		}
	}
	f.u64(uint64(len(x.statuses.vals)))
	for _, v := range x.statuses.vals {
		f.str(string(v))
	}
	// Search's words.
	t := x.text
	writeWords(f, &t.words)
	writeLists(f, &t.posts)
	writeRaw(f, t.sorted)
	// The grid as it is: rebuilding it is most of a read.
	if _, err := x.all.WriteTo(f); err != nil && f.err == nil {
		f.err = err
	}
	sum := f.crc.Sum32()
	if f.err == nil {
		_, f.err = f.w.Write(binary.LittleEndian.AppendUint32(nil, sum))
	}
	if f.err == nil {
		f.err = f.w.Flush()
	}
	if f.err == nil {
		f.err = tmp.Sync()
	}
	if f.err == nil {
		f.err = tmp.Close()
	}
	if f.err == nil {
		f.err = os.Rename(tmp.Name(), IndexFile(path))
	}
	if f.err != nil {
		return fmt.Errorf("content: index file: %w", f.err)
	}
	return nil
}

func writeHours(f *fileWriter, h *hours) {
	b := []byte{0}
	if h.holidays {
		b[0] = 1
	}
	for _, d := range h.week {
		b = binary.AppendUvarint(b, uint64(len(d)))
		for _, sp := range d {
			b = binary.LittleEndian.AppendUint16(b, uint16(sp.from))
			b = binary.LittleEndian.AppendUint16(b, uint16(sp.to))
		}
	}
	dates := make([]civilDate, 0, len(h.exceptions))
	for d := range h.exceptions {
		dates = append(dates, d)
	}
	b = binary.AppendUvarint(b, uint64(len(dates)))
	for _, d := range dates {
		b = binary.LittleEndian.AppendUint16(b, uint16(d.y))
		b = append(b, byte(d.m), byte(d.d))
		spans := h.exceptions[d]
		b = binary.AppendUvarint(b, uint64(len(spans)))
		for _, sp := range spans {
			b = binary.LittleEndian.AppendUint16(b, uint16(sp.from))
			b = binary.LittleEndian.AppendUint16(b, uint16(sp.to))
		}
	}
	f.str(string(b))
}

// fileReader reads an index file, checking every length against what is
// left of the file.
type fileReader struct {
	r    *bufio.Reader
	crc  hash.Hash32
	left int64 // bytes not yet read
	err  error
}

func (f *fileReader) fail(format string, args ...any) {
	if f.err == nil {
		f.err = fmt.Errorf("%w: "+format, append([]any{errIndexFile}, args...)...)
	}
}

func (f *fileReader) read(b []byte) {
	if f.err != nil {
		return
	}
	if int64(len(b)) > f.left {
		f.fail("truncated")
		return
	}
	if _, err := io.ReadFull(f.r, b); err != nil {
		f.fail("%v", err)
		return
	}
	f.left -= int64(len(b))
	f.crc.Write(b)
}

// Read is read, for the grids' ReadPointIndex.
func (f *fileReader) Read(b []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	n := int(min(int64(len(b)), f.left))
	if n == 0 {
		return 0, io.EOF
	}
	f.read(b[:n])
	return n, f.err
}

func (f *fileReader) u64() uint64 {
	var b [8]byte
	f.read(b[:])
	return binary.LittleEndian.Uint64(b[:])
}

// count reads a number of items of size bytes each, no more than the
// file can hold.
func (f *fileReader) count(size int64) int {
	n := f.u64()
	if f.err == nil && (n > math.MaxInt32 || int64(n)*max(size, 1) > f.left) {
		f.fail("a count of %d past the end", n)
	}
	if f.err != nil {
		return 0
	}
	return int(n)
}

// str reads a string; it keeps the bytes it read into (never changed
// after).
func (f *fileReader) str() string {
	b := make([]byte, f.count(1))
	f.read(b)
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// words reads what writeWords wrote: the words in one block.
func (f *fileReader) words() wordList {
	lens := readRaw[uint32](f)
	total := int64(0)
	for _, n := range lens {
		total += int64(n)
	}
	if f.err != nil || total > f.left || total > math.MaxUint32 {
		f.fail("words past the end")
		return wordList{}
	}
	blob := make([]byte, total)
	f.read(blob)
	w := wordList{refs: make([]strRef, len(lens))}
	if total > 0 {
		w.arena.blocks = [][]byte{blob}
	}
	at := uint32(0)
	for i, n := range lens {
		if n > 0 {
			w.refs[i] = strRef{off: at, n: n}
		}
		at += n
	}
	return w
}

func readRaw[T any](f *fileReader) []T {
	var zero T
	s := make([]T, f.count(int64(unsafe.Sizeof(zero))))
	f.read(rawBytes(s))
	return s
}

// readLists reads what writeLists wrote, packed.
func readLists(f *fileReader) lists {
	lens := readRaw[uint32](f)
	total := int64(0)
	for _, n := range lens {
		total += int64(n)
	}
	if f.err != nil || total*4 > f.left {
		f.fail("lists past the end")
		return lists{}
	}
	l, _ := packLists(lens)
	f.read(rawBytes(l.pool))
	for i, n := range lens {
		l.spans[i].n = n
	}
	return *l
}

func readHours(b []byte) (*hours, error) {
	bad := fmt.Errorf("%w: a schedule", errIndexFile)
	if len(b) < 1 {
		return nil, bad
	}
	h := &hours{holidays: b[0] == 1}
	b = b[1:]
	uv := func() (int, bool) {
		v, k := binary.Uvarint(b)
		if k <= 0 || v > uint64(len(b)) {
			return 0, false
		}
		b = b[k:]
		return int(v), true
	}
	spans := func() ([]span, bool) {
		n, ok := uv()
		if !ok || 4*n > len(b) {
			return nil, false
		}
		out := make([]span, n)
		for i := range out {
			out[i] = span{int16(binary.LittleEndian.Uint16(b)), int16(binary.LittleEndian.Uint16(b[2:]))}
			b = b[4:]
		}
		return out, true
	}
	for d := range h.week {
		sp, ok := spans()
		if !ok {
			return nil, bad
		}
		if len(sp) > 0 {
			h.week[d] = sp
		}
	}
	n, ok := uv()
	if !ok {
		return nil, bad
	}
	for range n {
		if len(b) < 4 {
			return nil, bad
		}
		d := civilDate{y: int16(binary.LittleEndian.Uint16(b)), m: time.Month(b[2]), d: int8(b[3])}
		b = b[4:]
		sp, ok := spans()
		if !ok {
			return nil, bad
		}
		if h.exceptions == nil {
			h.exceptions = map[civilDate][]span{}
		}
		h.exceptions[d] = sp
	}
	if len(b) != 0 {
		return nil, bad
	}
	return h, nil
}

// readIndexFile reads the index file of the catalog at path, if it is of
// generation gen and sound.
func readIndexFile(path, gen string) (*index, error) {
	file, err := os.Open(IndexFile(path))
	if err != nil {
		return nil, err
	}
	defer func() { _ = file.Close() }() // only read
	st, err := file.Stat()
	if err != nil {
		return nil, err
	}
	f := &fileReader{r: bufio.NewReaderSize(file, 1<<20), crc: crc32.New(crc32.MakeTable(crc32.Castagnoli)), left: st.Size() - 4}
	magic := make([]byte, len(indexFileMagic))
	f.read(magic)
	if f.err == nil && string(magic) != indexFileMagic {
		f.fail("not an index file")
	}
	if v, l, sv := f.u64(), f.u64(), f.u64(); f.err == nil && (v != indexFileVersion || l != layout() || sv != uint64(SchemaVersion())) {
		f.fail("format %d, layout %x, schema %d", v, l, sv)
	}
	if g := f.str(); f.err == nil && g != gen {
		f.fail("stale (generation %q, the catalog's %q)", g, gen)
	}
	if f.err != nil {
		return nil, f.err
	}
	x := &index{
		hours: newTable[*hours](), langSets: newTable[[]string](), statuses: newTable[Status](), comuni: newTable[string](),
		strs: map[string]string{}, text: newTextIndex(),
	}
	x.live = int(f.u64())
	x.svcs = readRaw[svcInfo](f)
	x.entries = readRaw[entry](f)
	x.free = readRaw[uint32](f)
	x.arena.blocks = make([][]byte, f.count(8))
	for i := range x.arena.blocks {
		b := make([]byte, f.count(1))
		f.read(b)
		x.arena.blocks[i] = b
	}
	x.arena.dead = int(f.u64())
	for i, n := 0, f.count(16); i < n && f.err == nil; i++ {
		k := f.str()
		h, err := readHours([]byte(f.str()))
		if err != nil {
			f.fail("%v", err)
			break
		}
		x.hours.intern(k, func() *hours { return h })
	}
	for i, n := 0, f.count(16); i < n && f.err == nil; i++ {
		k := f.str()
		set := make([]string, f.count(8))
		for j := range set {
			set[j] = x.intern(f.str())
		}
		x.langSets.intern(k, func() []string { return set })
	}
	for i, n := 0, f.count(8); i < n && f.err == nil; i++ {
		v := f.str()
		x.comuni.intern(v, func() string { return v })
	}
	for i, n := 0, f.count(8); i < n && f.err == nil; i++ {
		v := Status(x.intern(f.str()))
		x.statuses.intern(string(v), func() Status { return v })
	}
	t := x.text
	t.words = f.words()
	t.posts = readLists(f)
	t.sorted = readRaw[uint32](f)
	if f.err == nil {
		g, err := geo.ReadPointIndex(f, f.left, uint32(len(x.entries)))
		if err != nil {
			f.fail("grid: %v", err)
		}
		x.all = g
	}
	if f.err != nil {
		return nil, f.err
	}
	var sum [4]byte
	if _, err := io.ReadFull(f.r, sum[:]); err != nil || binary.LittleEndian.Uint32(sum[:]) != f.crc.Sum32() {
		return nil, fmt.Errorf("%w: checksum", errIndexFile)
	}
	if err := x.check(); err != nil {
		return nil, err
	}
	t.ids = newIDTable(t.words.len())
	for i := range t.words.refs {
		t.ids.set(t.wordOf(uint32(i)), uint32(i), t.wordOf)
	}
	x.byID = newIDTable(len(x.svcs))
	for i := range x.svcs {
		x.byID.set(x.idOf(uint32(i)), uint32(i), x.idOf)
	}
	for i := range x.svcs {
		if x.svcs[i].live && x.svcs[i].first == noEntry {
			x.remote = append(x.remote, uint32(i))
		}
	}
	slices.SortFunc(x.remote, func(a, b uint32) int { return strings.Compare(x.idOf(a), x.idOf(b)) })
	return x, nil
}

// check verifies that every number in a read index points inside what it
// refers to.
func (x *index) check() error {
	bad := func(what string, i int) error { return fmt.Errorf("%w: %s %d points outside", errIndexFile, what, i) }
	ref := func(r strRef) bool {
		return r.n == 0 || int(r.block) < len(x.arena.blocks) && uint64(r.off)+uint64(r.n) <= uint64(len(x.arena.blocks[r.block]))
	}
	entryOK := func(e uint32) bool { return e == noEntry || int(e) < len(x.entries) }
	for i := range x.svcs {
		s := &x.svcs[i]
		if !ref(s.id) || !ref(s.names) || !entryOK(s.first) || int(s.hours) >= len(x.hours.vals) ||
			int(s.langs) >= len(x.langSets.vals) || int(s.status) >= len(x.statuses.vals) {
			return bad("service", i)
		}
	}
	for i := range x.entries {
		e := &x.entries[i]
		if !ref(e.locID) || !ref(e.address) || !entryOK(e.next) || int(e.svc) >= len(x.svcs) || int(e.comune) >= len(x.comuni.vals) {
			return bad("entry", i)
		}
	}
	for i, f := range x.free {
		if int(f) >= len(x.entries) {
			return bad("free entry", i)
		}
	}
	t := x.text
	if t.posts.count() != t.words.len() || len(t.sorted) > t.words.len() {
		return fmt.Errorf("%w: search's words do not add up", errIndexFile)
	}
	for _, slot := range t.posts.pool {
		if int(slot&^nameBit) >= len(x.svcs) {
			return bad("posting", int(slot))
		}
	}
	for i, w := range t.sorted {
		if int(w) >= t.words.len() {
			return bad("sorted word", i)
		}
	}
	return nil
}

// readIndexFile loads the index from the index file if it is sound and of
// the catalog's generation, and says whether it did. The caller holds
// writeMu.
func (s *Store) readIndexFile(ctx context.Context) bool {
	gen, err := s.generation(ctx)
	var x *index
	if err == nil {
		x, err = readIndexFile(s.path, gen)
	}
	var areas *geo.AreaIndex
	if err == nil {
		areas, err = s.loadAreas(ctx)
	}
	if err == nil {
		err = s.loadLexicon(ctx)
	}
	if err != nil {
		s.setFileState("built from the catalog; index file: %v", err)
		return false
	}
	s.mu.Lock()
	s.idx = x
	s.mu.Unlock()
	s.areas.Store(areas)
	s.closureGen.Add(1)
	s.words.Store(!s.noWords)
	s.fileGen = gen
	s.setFileState("read from the index file")
	return true
}

func (s *Store) setFileState(format string, args ...any) {
	m := fmt.Sprintf(format, args...)
	s.fileState.Store(&m)
}

// saveIndexFile writes the index file unless it already holds the
// catalog's generation. The caller holds writeMu, so that no write moves
// the generation on meanwhile. A failure leaves the index file as it was
// (stale files are never read) and is kept for IndexState.
func (s *Store) saveIndexFile(ctx context.Context) {
	gen, err := s.generation(ctx)
	if err != nil {
		s.setFileState("index file not saved: %v", err)
		return
	}
	if gen == s.fileGen || !s.hasWords() {
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.idx == nil {
		return
	}
	if err := writeIndexFile(s.path, gen, s.idx); err != nil {
		s.setFileState("index file not saved: %v", err)
		return
	}
	s.fileGen = gen
}

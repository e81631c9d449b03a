package content

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/punto-totem/punto/geo"
)

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
	x := readIndexBody(f)
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
	x.lookups()
	return x, nil
}

// readIndexBody reads what writeIndexBody wrote; f.err says if it failed.
func readIndexBody(f *fileReader) *index {
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
	return x
}

// lookups builds what a read index keeps beside what the file holds: the
// tables from words and from IDs to their numbers, and the services with
// no place.
func (x *index) lookups() {
	t := x.text
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

package content

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"os"
	"path/filepath"
	"unsafe"
)

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
	writeIndexBody(f, x)
	f.finish(tmp, IndexFile(path))
	if f.err != nil {
		return fmt.Errorf("content: index file: %w", f.err)
	}
	return nil
}

// writeIndexBody writes what the index holds after the file's header: its
// records, its tables, search's words and the grid.
func writeIndexBody(f *fileWriter, x *index) {
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
}

// finish writes the checksum, makes the file durable and gives it its
// name.
func (f *fileWriter) finish(tmp *os.File, name string) {
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
		f.err = os.Rename(tmp.Name(), name)
	}
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

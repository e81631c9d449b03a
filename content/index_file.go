package content

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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

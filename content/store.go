package content

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mattn/go-sqlite3"
	"github.com/punto-totem/punto/geo"
	"github.com/punto-totem/punto/internal/sqlitedb"
)

// Store is a catalog in one SQLite file. Writes go through a single
// connection; reads use a pool. The in-memory index mirrors what has been
// committed.
type Store struct {
	path string
	w    *sql.DB // the one writer connection
	r    *sql.DB // readers

	writeMu sync.Mutex // serialises a write with its index update
	mu      sync.RWMutex
	idx     *index
	indexed bool        // keeps the in-memory index (false while writing a new file)
	noWords bool        // the index without search's words: benchmarks measure what they cost
	words   atomic.Bool // search's words are in the index (OpenLazy loads them at the first search)
	areas   atomic.Pointer[geo.AreaIndex]
	lex     atomic.Pointer[lexicon] // the built-in lexicon plus the catalog's terms
	// closures caches the catalog's closures (closure.go), valid while
	// its generation is closureGen: a write that touches one moves it on.
	closures   atomic.Pointer[closureCache]
	closureGen atomic.Uint64
	counts     counts // Stats as of the last write
	stmts      stmts  // prepared reads

	// built is closed once the index is loaded. Until then (OpenBackground)
	// s.idx is nil: nearby and within answer from the file's R*Tree, and
	// search, category counts and writes wait for the index.
	built    chan struct{}
	buildErr error // why the background build failed (read after built)

	// indexFile: the index is read from and saved to the index file
	// (index_file.go); fileGen is the generation the file on disk holds
	// (under writeMu); fileState says where the index came from, for
	// IndexState.
	indexFile bool
	fileGen   string
	fileState atomic.Pointer[string]

	// bg counts the work the store runs in the background (the index's
	// build, the recounts), which Close stops (bgStop) and waits for: a
	// connection still in use after Close would keep the write-ahead log
	// from being checkpointed into the file, and a caller that then moves
	// or removes the file (restore) would lose what it held.
	bg     sync.WaitGroup
	bgCtx  context.Context
	bgStop context.CancelFunc
}

// OpenBackground is Open for a node that must answer at once: it returns
// as soon as the catalog answers and builds the in-memory index in the
// background. Meanwhile nearby and within answer from the file's R*Tree
// (the same answers, slower), and search and writes wait for the index.
// IndexState says which.
func OpenBackground(ctx context.Context, path string) (*Store, error) {
	return openBackground(ctx, path, nil)
}

// openBackground is OpenBackground; the build waits for gate to close
// when it is not nil (tests hold it to see the store while it builds).
func openBackground(ctx context.Context, path string, gate <-chan struct{}) (*Store, error) {
	go func() { _, _ = theLexicon() }() // built once per process: while the catalog opens; its error comes below
	s, err := openWith(ctx, path, false, true)
	if err != nil {
		return nil, err
	}
	if _, err := theLexicon(); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	// The territories are few: they are read now, so that alerts and
	// closures hold from the first request.
	areas, err := s.loadAreas(ctx)
	if err != nil {
		return nil, errors.Join(err, s.Close())
	}
	s.areas.Store(areas)
	s.indexed = true
	s.indexFile = true
	s.built = make(chan struct{})
	s.writeMu.Lock() // writes wait for the index they update
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		defer close(s.built)
		defer s.writeMu.Unlock()
		if gate != nil {
			select {
			case <-gate:
			case <-s.bgCtx.Done():
			}
		}
		bctx := s.bgCtx // the build ends with the store
		if !s.readIndexFile(bctx) {
			err := s.reloadWith(bctx, false)
			if err == nil {
				err = s.loadWordsLocked(bctx)
			}
			if err == nil {
				s.saveIndexFile(bctx)
			}
			s.buildErr = err
		}
		// Loading made several times the index's size in garbage: give
		// it back to the system now, once, rather than keep it mapped
		// until the scavenger gets to it; so with the pages SQLite
		// cached for it.
		debug.FreeOSMemory()
		sqlitedb.ShrinkMemory(bctx, s.w, s.r)
	}()
	s.recount()
	return s, nil
}

// Built is closed once the index is in memory, or its build failed
// (IndexErr says): at once for a store Open returned.
func (s *Store) Built() <-chan struct{} {
	if s.built == nil {
		c := make(chan struct{})
		close(c)
		return c
	}
	return s.built
}

// isBuilt says whether the index is in memory (a build still running is
// not waited for).
func (s *Store) isBuilt() bool {
	if s.built == nil {
		return s.idx != nil
	}
	select {
	case <-s.built:
		return s.buildErr == nil
	default:
		return false
	}
}

// waitIndex waits until the index is built (at once on a store Open
// returned).
func (s *Store) waitIndex(ctx context.Context) error {
	if s.built == nil {
		return nil
	}
	select {
	case <-s.built:
		if s.buildErr != nil {
			return fmt.Errorf("content: index: %w", s.buildErr)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Open opens (creating if needed) the catalog at path, brings its schema up
// to date and loads the in-memory index, search's words included: a search
// made on the store Open returns never waits for them.
func Open(ctx context.Context, path string) (*Store, error) {
	s, err := open(ctx, path, true)
	if err != nil {
		return nil, err
	}
	if err := s.ensureWords(ctx); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	return s, nil
}

// OpenLazy is Open, with search's words loaded by the first search instead
// of at once: for tools and tests that may never search, the most of
// opening a catalog saved. Everything else is the same.
func OpenLazy(ctx context.Context, path string) (*Store, error) { return open(ctx, path, true) }

// open opens the catalog; without an index (for writing a new file in bulk)
// nothing is kept in memory and spatial queries are not available.
func open(ctx context.Context, path string, withIndex bool) (*Store, error) {
	return openWith(ctx, path, withIndex, true)
}

// openWith is open, with or without search's words in the index.
func openWith(ctx context.Context, path string, withIndex, words bool) (*Store, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("content: catalog path %q must not contain ? or #", path)
	}
	// Immediate: other stores (the fleet's) write to the same file over
	// connections of their own, and a transaction that reads before it
	// writes would fail, not wait, if one of them wrote in between.
	w, err := sql.Open("sqlite3", sqlitedb.DSN(path, false, true))
	if err != nil {
		return nil, fmt.Errorf("content: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	err = w.PingContext(ctx)
	if err == nil {
		_, err = w.ExecContext(ctx, fmt.Sprintf("PRAGMA soft_heap_limit = %d", sqlitedb.SoftHeapLimit))
	}
	if err == nil {
		err = migrate(ctx, w)
	}
	if err != nil {
		err = errors.Join(err, w.Close())
		var serr sqlite3.Error
		switch {
		case strings.Contains(err.Error(), "no such module: fts5"):
			return nil, fmt.Errorf("%w (this binary was built without FTS5: build with `make build` or `go build -tags sqlite_fts5`)", err)
		case errors.As(err, &serr) && serr.Code == sqlite3.ErrNotADB:
			return nil, fmt.Errorf("content: %s is not a SQLite catalog", path)
		case errors.Is(err, ErrNotCatalog):
			return nil, fmt.Errorf("content: %s is a SQLite database but not a Punto catalog: %w", path, ErrNotCatalog)
		}
		return nil, fmt.Errorf("content: open %s: %w", path, err)
	}
	if err := syncCategories(ctx, w); err != nil {
		return nil, errors.Join(err, w.Close())
	}
	r, err := sql.Open("sqlite3", sqlitedb.DSN(path, true, false))
	if err != nil {
		return nil, errors.Join(err, w.Close())
	}
	r.SetMaxOpenConns(8)
	s := &Store{path: path, w: w, r: r, noWords: !words}
	s.bgCtx, s.bgStop = context.WithCancel(context.Background())
	if !withIndex {
		return s, nil
	}
	// The lexicon is read once per process: a broken one fails start-up,
	// not the first search.
	if _, err := theLexicon(); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	s.indexed = true
	if err := s.reloadWith(ctx, false); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	s.recount()
	return s, nil
}

// ensureWords reads search's words into the index, once. It holds the
// write lock while it reads, so that no write lands between the words it
// reads and the index it gives them to; writes after it add their own.
func (s *Store) ensureWords(ctx context.Context) error {
	if s.noWords || !s.indexed || s.words.Load() {
		return nil
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return s.loadWordsLocked(ctx)
}

// loadWordsLocked is ensureWords with the write lock held.
func (s *Store) loadWordsLocked(ctx context.Context) error {
	if s.noWords || s.words.Load() {
		return nil
	}
	// Read to the end even if the search that asked gives up: the next
	// one finds them.
	l, err := loadText(context.WithoutCancel(ctx), s.r, nil)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.idx.setWords(l)
	s.mu.Unlock()
	s.words.Store(true)
	return nil
}

// LoadSearchWords loads search's words now, if OpenLazy left them for the
// first search. A server opens lazily and calls it in the background: it
// answers at once, and a search in its first moments waits for the words.
func (s *Store) LoadSearchWords(ctx context.Context) error { return s.ensureWords(ctx) }

// hasWords says whether the index keeps search's words (the write lock
// held).
func (s *Store) hasWords() bool { return !s.noWords && s.words.Load() }

// Path is the catalog file.
func (s *Store) Path() string { return s.path }

// Close closes the database, first saving the index file if writes have
// made it stale.
func (s *Store) Close() error {
	s.counts.mu.Lock()
	s.counts.closed = true // no recount starts now
	s.counts.mu.Unlock()
	s.bgStop()
	s.bg.Wait()
	if s.indexFile && s.isBuilt() {
		s.writeMu.Lock()
		s.saveIndexFile(context.Background())
		s.writeMu.Unlock()
	}
	return errors.Join(s.closeStmts(), s.r.Close(), s.w.Close())
}

// reload rebuilds every in-memory structure from the database.
func (s *Store) reload(ctx context.Context) error { return s.reloadWith(ctx, s.hasWords()) }

// reloadWith is reload, with search's words or without them.
func (s *Store) reloadWith(ctx context.Context, words bool) error {
	if !s.indexed {
		return nil
	}
	idx, err := loadIndex(ctx, s.r, nil, words)
	if err != nil {
		return err
	}
	areas, err := s.loadAreas(ctx)
	if err != nil {
		return err
	}
	if err := s.loadLexicon(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	s.idx = idx
	s.mu.Unlock()
	s.areas.Store(areas)
	s.closureGen.Add(1)
	return nil
}

// Meta returns a value from the catalog's meta table ("" when unset).
func (s *Store) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := s.queryRow(ctx, "SELECT value FROM meta WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetMeta stores a value in the catalog's meta table.
func (s *Store) SetMeta(ctx context.Context, key, value string) error {
	_, err := s.w.ExecContext(ctx, "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value)
	return err
}

// Stats counts what the catalog holds.
type Stats struct {
	Services    int `json:"services"`
	Locations   int `json:"locations"`
	Territories int `json:"territories"`
}

// Stats counts services (not withdrawn), locations and territories.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	err := s.r.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM service WHERE status != 'withdrawn'),
		(SELECT count(*) FROM location),
		(SELECT count(*) FROM territory)`).Scan(&st.Services, &st.Locations, &st.Territories)
	return st, err
}

// Ping checks that the catalog answers.
func (s *Store) Ping(ctx context.Context) error { return s.r.PingContext(ctx) }

// Package sqlitedb opens the node's SQLite file the way every store in Punto
// does: WAL, foreign keys, a busy timeout, one writer connection beside a
// pool of readers. The catalog (content), the fleet and the editorial state
// each keep their own SQL over it; this package knows no tables.
package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	_ "github.com/mattn/go-sqlite3" // the driver
)

// DSN is the connection string for path: WAL, foreign keys, a 10 s busy
// timeout and a 64 MiB page cache per connection. A read-only DSN refuses
// writes; an immediate one begins every transaction with the write lock, so
// that a second writer on the same file waits instead of failing when a
// read inside its transaction has gone stale.
func DSN(path string, readOnly, immediate bool) string {
	q := url.Values{}
	q.Set("_busy_timeout", "10000")
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_synchronous", "NORMAL")
	// SQLite's default is 2 MiB: a large write touches pages all over the
	// file, so the writer gets 64 MiB. Readers answer few queries each
	// (the hot path is in memory) and there are up to eight of them: 8 MiB
	// each. SoftHeapLimit bounds them all together.
	q.Set("_cache_size", "-65536")
	if readOnly {
		q.Set("_query_only", "1")
		q.Set("_cache_size", "-8192")
	}
	if immediate {
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// SoftHeapLimit is the memory SQLite may use for every connection of the
// process together (page caches above all) before it frees cached pages
// rather than grow: without it nine connections of one catalog could
// hold 64 MiB each. Set once per process with the PRAGMA of that name.
const SoftHeapLimit = 128 << 20

// CheckPath refuses a path that the DSN would misread.
func CheckPath(path string) error {
	if strings.ContainsAny(path, "?#") {
		return fmt.Errorf("sqlitedb: path %q must not contain ? or #", path)
	}
	return nil
}

// DB is one writer connection and a pool of readers on the same file.
type DB struct {
	W *sql.DB // one connection; transactions take the write lock at BEGIN
	R *sql.DB // read-only pool
}

// Open opens path for a store that shares the file with others (the
// catalog opens it first and owns its creation and schema).
func Open(ctx context.Context, path string) (*DB, error) {
	if err := CheckPath(path); err != nil {
		return nil, err
	}
	w, err := sql.Open("sqlite3", DSN(path, false, true))
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	if err := w.PingContext(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("sqlitedb: open %s: %w", path, err), w.Close())
	}
	r, err := sql.Open("sqlite3", DSN(path, true, false))
	if err != nil {
		return nil, errors.Join(fmt.Errorf("sqlitedb: open %s: %w", path, err), w.Close())
	}
	r.SetMaxOpenConns(4)
	return &DB{W: w, R: r}, nil
}

// Close closes both pools.
func (d *DB) Close() error { return errors.Join(d.R.Close(), d.W.Close()) }

// Tx runs fn in one write transaction and commits when fn returns nil.
func (d *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, ignoreDone(tx.Rollback()))
	}
	return tx.Commit()
}

func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

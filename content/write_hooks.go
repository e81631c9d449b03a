package content

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/punto-totem/punto/internal/sqlitedb"
)

// What a package that keeps its own tables in the catalog's file (the
// change feed, content/feed) needs of the catalog: to write them in the
// same transaction as the records, to read them, and to copy the catalog
// whole to another file or replace it from one. The catalog knows those
// tables only by the names the caller passes.

// Tx is the write's transaction. What another package writes on it commits
// with the records, or not at all.
func (b *Batch) Tx() *sql.Tx { return b.tx }

// Exec runs a statement in the write's transaction, prepared once per
// write (a bulk write runs the same few statements for every record).
func (b *Batch) Exec(query string, args ...any) (sql.Result, error) { return b.exec(query, args...) }

// QueryRow reads one row in the write's transaction: what it has written
// so far included.
// The statement is prepared once per write, like Exec's.
func (b *Batch) QueryRow(query string, args ...any) *sql.Row {
	st, err := b.stmt(query)
	if err != nil {
		return b.tx.QueryRowContext(b.ctx, query, args...) // which reports the error
	}
	return st.QueryRowContext(b.ctx, args...)
}

// Query reads rows in the write's transaction, the statement prepared
// once per write. The rows must be closed before the next statement.
func (b *Batch) Query(query string, args ...any) (*sql.Rows, error) {
	st, err := b.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(b.ctx, args...)
}

// Reader is the catalog's pool of read-only connections.
func (s *Store) Reader() *sql.DB { return s.r }

// catalogTables are the tables that hold the catalog, parents first: the
// records, their searchable text and the storage of their spatial
// indexes, copied as they are rather than rebuilt row by row. Accounts, sessions, drafts, the
// audit log and the totem registry are not the catalog; other packages
// name the tables of theirs that travel with it.
var catalogTables = []string{
	"organization", "territory", "service", "location", "service_at_location",
	"service_category", "service_language", "phone", "contact", "schedule",
	"schedule_exception", "required_document", "translation", "alert", "page", "recording", "lexicon_term", "channel", "closure",
	"service_text",
	"idx_location_geom_node", "idx_location_geom_rowid", "idx_location_geom_parent",
	"idx_territory_geom_node", "idx_territory_geom_rowid", "idx_territory_geom_parent",
}

// CopyCatalog writes the catalog's tables, and the others named in also,
// as they stand at one moment, to a new catalog file at path. The file
// holds nothing else; on failure it is removed. Writes go on meanwhile.
func (s *Store) CopyCatalog(ctx context.Context, path string, also []string) error {
	if err := Create(ctx, path, func(b *Batch) error { return nil }); err != nil {
		return err
	}
	db, err := sql.Open("sqlite3", sqlitedb.DSN(path, false, false))
	if err != nil {
		removeCatalogFile(path)
		return err
	}
	db.SetMaxOpenConns(1)
	err = attached(ctx, db, s.path, "BEGIN", func(conn *sql.Conn) error { return copyTables(ctx, conn, also) })
	if err == nil {
		// One self-contained file: no WAL beside it.
		_, err = db.ExecContext(ctx, "PRAGMA journal_mode = DELETE")
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		removeCatalogFile(path)
	}
	return err
}

func removeCatalogFile(path string) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	os.Remove(IndexFile(path))
}

// ReplaceCatalog replaces the catalog's tables, and the others named in
// also, with those of the catalog file at path, in one transaction, then
// reloads the in-memory index (if that fails, the error is an
// *AfterCommitError: the tables are replaced all the same). check runs
// first, while no write can start: if it returns an error, nothing is
// replaced and that error comes back as it is.
func (s *Store) ReplaceCatalog(ctx context.Context, path string, also []string, check func() error) (err error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := check(); err != nil {
		return err
	}
	// A connection of its own (see copyTables); the writer is idle while
	// writeMu is held.
	db, err := sql.Open("sqlite3", sqlitedb.DSN(s.path, false, false))
	if err != nil {
		return err
	}
	defer func() {
		if cerr := db.Close(); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}()
	db.SetMaxOpenConns(1)
	replace := func(conn *sql.Conn) error {
		if err := copyTables(ctx, conn, also); err != nil {
			return err
		}
		return newGeneration(ctx, conn)
	}
	if err := attached(ctx, db, path, "BEGIN IMMEDIATE", replace); err != nil {
		return err
	}
	s.recount()
	if err := s.reload(context.WithoutCancel(ctx)); err != nil {
		return &AfterCommitError{Err: err}
	}
	return nil
}

// copyTables replaces every catalog table of the database "main", and
// those named in also, with the rows of the attached database "src",
// inside the caller's transaction. It writes the indexes' own tables, so
// it must run on a connection that has not used those indexes (their
// modules cache what they read); other connections see the change as a new
// data version.
func copyTables(ctx context.Context, conn *sql.Conn, also []string) error {
	tables := append(append([]string{}, catalogTables...), also...)
	for i := len(tables) - 1; i >= 0; i-- {
		if _, err := conn.ExecContext(ctx, "DELETE FROM main."+tables[i]); err != nil {
			return fmt.Errorf("content: clear %s: %w", tables[i], err)
		}
	}
	for _, t := range tables {
		if _, err := conn.ExecContext(ctx, "INSERT INTO main."+t+" SELECT * FROM src."+t); err != nil {
			return fmt.Errorf("content: copy %s: %w", t, err)
		}
	}
	return nil
}

// attached runs fn on one connection of db with the file at path attached
// as "src", inside a transaction that commits only if fn succeeds. begin
// starts it: BEGIN IMMEDIATE locks every attached file for writing, so a
// copy out of a live catalog takes a plain BEGIN (its reads still see one
// moment) and the portal goes on publishing meanwhile.
func attached(ctx context.Context, db *sql.DB, path, begin string, fn func(*sql.Conn) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("content: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "ATTACH DATABASE ? AS src", path); err != nil {
		return fmt.Errorf("content: attach %s: %w", filepath.Base(path), err)
	}
	// Detach on a context that cannot end, or the connection goes back to
	// the pool with the file still attached; one that cannot is dropped.
	defer settle(conn, "DETACH DATABASE src")
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		return fmt.Errorf("content: begin: %w", err)
	}
	_, err = conn.ExecContext(ctx, "PRAGMA defer_foreign_keys = ON")
	if err == nil {
		err = fn(conn)
	}
	if err == nil {
		if _, err = conn.ExecContext(ctx, "COMMIT"); err == nil {
			return nil
		}
	}
	settle(conn, "ROLLBACK")
	return err
}

// settle runs a statement that puts a connection back as the pool expects
// it (detached, out of any transaction); a connection where it fails is
// dropped rather than handed to the next caller.
func settle(conn *sql.Conn, stmt string) {
	if _, err := conn.ExecContext(context.Background(), stmt); err != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn }) // the pool drops a bad connection
	}
}

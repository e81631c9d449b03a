package content

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/punto-totem/punto/internal/sqlitedb"
)

// replicaTables are the tables a snapshot carries, parents first: the
// catalog itself, where it stands in the feed, and the storage of its
// search and spatial indexes, copied as they are rather than rebuilt row by
// row. Accounts, sessions, drafts, the audit log, the change log and the
// totem registry never leave the portal.
var replicaTables = []string{
	"organization", "territory", "service", "location", "service_at_location",
	"service_category", "service_language", "phone", "contact", "schedule",
	"schedule_exception", "required_document", "translation", "alert", "page",
	"sync_state",
	"service_fts_data", "service_fts_idx", "service_fts_content", "service_fts_docsize", "service_fts_config",
	"idx_location_geom_node", "idx_location_geom_rowid", "idx_location_geom_parent",
	"idx_territory_geom_node", "idx_territory_geom_rowid", "idx_territory_geom_parent",
}

// copyReplica replaces every replica table of the database "main" with
// the rows of the attached database "src", inside the caller's
// transaction. It writes the indexes' own tables, so it must run on a
// connection that has not used those indexes (their modules cache what
// they read); other connections see the change as a new data version.
func copyReplica(ctx context.Context, conn *sql.Conn) error {
	for i := len(replicaTables) - 1; i >= 0; i-- {
		if _, err := conn.ExecContext(ctx, "DELETE FROM main."+replicaTables[i]); err != nil {
			return fmt.Errorf("content: clear %s: %w", replicaTables[i], err)
		}
	}
	for _, t := range replicaTables {
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
	// the pool with the file still attached.
	defer conn.ExecContext(context.WithoutCancel(ctx), "DETACH DATABASE src")
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
	conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
	return err
}

// WriteSnapshot writes the replica part of the catalog, as it stands at
// one moment, to a new catalog file at path, and returns the feed position
// it holds and the file's SHA-256. The file holds no account, session,
// draft, audit or totem row.
func (s *Store) WriteSnapshot(ctx context.Context, path string) (SyncState, [sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	var st SyncState
	err := Create(ctx, path, func(b *Batch) error { return nil })
	if err != nil {
		return st, sum, err
	}
	fail := func(err error) (SyncState, [sha256.Size]byte, error) {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(path + suffix)
		}
		return st, sum, err
	}
	db, err := sql.Open("sqlite3", sqlitedb.DSN(path, false, false))
	if err != nil {
		return fail(err)
	}
	db.SetMaxOpenConns(1)
	err = attached(ctx, db, s.path, "BEGIN", func(conn *sql.Conn) error { return copyReplica(ctx, conn) })
	if err == nil {
		// One self-contained file: no WAL beside it.
		_, err = db.ExecContext(ctx, "PRAGMA journal_mode = DELETE")
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fail(err)
	}
	if st, err = readSyncState(ctx, path); err != nil {
		return fail(err)
	}
	if sum, err = fileSum(path); err != nil {
		return fail(err)
	}
	return st, sum, nil
}

func fileSum(path string) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	f, err := os.Open(path)
	if err != nil {
		return sum, fmt.Errorf("content: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return sum, fmt.Errorf("content: %w", err)
	}
	copy(sum[:], h.Sum(nil))
	return sum, nil
}

// readSyncState opens a snapshot file read-only, checks that it is a
// catalog of this program's schema, and reads its feed position. (That the
// file is whole and the portal's is checked by its signed SHA-256.)
func readSyncState(ctx context.Context, path string) (SyncState, error) {
	var st SyncState
	if strings.ContainsAny(path, "?#") {
		return st, fmt.Errorf("content: snapshot path %q must not contain ? or #", path)
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_query_only=1")
	if err != nil {
		return st, err
	}
	defer db.Close()
	var version int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return st, reject("invalid", "snapshot is not a catalog: %v", err)
	}
	if version != SchemaVersion() {
		return st, reject("invalid", "snapshot schema %d, this program has %d", version, SchemaVersion())
	}
	var hash []byte
	if err := db.QueryRowContext(ctx, "SELECT seq, hash FROM sync_state WHERE one = 1").Scan(&st.Seq, &hash); err != nil {
		return st, reject("invalid", "snapshot has no feed position: %v", err)
	}
	copy(st.Hash[:], hash)
	return st, nil
}

// ApplySnapshot replaces the catalog's content with a snapshot file's, in
// one transaction, after checking that the file is the one the portal
// signed for: its SHA-256 and feed position must be want's. A snapshot
// older than what the catalog holds is a rollback and is refused.
func (s *Store) ApplySnapshot(ctx context.Context, path string, sum [sha256.Size]byte, want SyncState) error {
	got, err := fileSum(path)
	if err != nil {
		return err
	}
	if got != sum {
		return reject("tampered", "snapshot file does not match its signed checksum")
	}
	st, err := readSyncState(ctx, path)
	if err != nil {
		return err
	}
	if st.Seq != want.Seq || st.Hash != want.Hash {
		return reject("tampered", "snapshot holds sequence %d, its manifest says %d", st.Seq, want.Seq)
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	cur, err := s.SyncState(ctx)
	if err != nil {
		return err
	}
	if st.Seq < cur.Seq {
		return reject("replay", "snapshot at %d is older than the catalog's %d", st.Seq, cur.Seq)
	}
	// A connection of its own (see copyReplica); the writer is idle while
	// writeMu is held.
	db, err := sql.Open("sqlite3", sqlitedb.DSN(s.path, false, false))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if err := attached(ctx, db, path, "BEGIN IMMEDIATE", func(conn *sql.Conn) error { return copyReplica(ctx, conn) }); err != nil {
		var re *RejectError
		if errors.As(err, &re) {
			return err
		}
		return reject("invalid", "%v", err)
	}
	return s.reload(context.WithoutCancel(ctx))
}

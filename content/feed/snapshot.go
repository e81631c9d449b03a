package feed

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
	"sync"

	"github.com/punto-totem/punto/content"
)

// A snapshot is a catalog file holding the catalog's tables and where
// they stand in the feed, nothing else: accounts, sessions, drafts, the
// audit log, the change log and the totem registry never leave the portal.
var snapshotTables = []string{stateTable}

// WriteSnapshot writes the catalog, as it stands at one moment, to a new
// catalog file at path, and returns the feed position it holds and the
// file's SHA-256. The file holds no account, session, draft, audit or
// totem row.
func WriteSnapshot(ctx context.Context, cat *content.Store, path string) (State, [sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	var st State
	if err := cat.CopyCatalog(ctx, path, snapshotTables); err != nil {
		return st, sum, err
	}
	fail := func(err error) (State, [sha256.Size]byte, error) {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(path + suffix)
		}
		return st, sum, err
	}
	var err error
	if st, err = readSnapshotState(ctx, path); err != nil {
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
		return sum, fmt.Errorf("feed: %w", err)
	}
	defer func() { _ = f.Close() }() // read only
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return sum, fmt.Errorf("feed: %w", err)
	}
	copy(sum[:], h.Sum(nil))
	return sum, nil
}

// readSnapshotState opens a snapshot file read-only, checks that it is a
// catalog of this program's schema (checkSchema), and reads its feed
// position. (That the file is whole and the portal's is checked by its
// signed SHA-256.)
func readSnapshotState(ctx context.Context, path string) (State, error) {
	var st State
	db, err := openSnapshot(path, true)
	if err != nil {
		return st, err
	}
	defer func() { _ = db.Close() }() // read only
	var version int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return st, reject("invalid", "snapshot is not a catalog: %v", err)
	}
	if version != content.SchemaVersion() {
		return st, reject("invalid", "snapshot schema %d, this program has %d", version, content.SchemaVersion())
	}
	if err := checkSchema(ctx, db); err != nil {
		return st, err
	}
	var hash []byte
	if err := db.QueryRowContext(ctx, "SELECT seq, hash, epoch FROM sync_state WHERE one = 1").Scan(&st.Seq, &hash, &st.Epoch); err != nil {
		return st, reject("invalid", "snapshot has no feed position: %v", err)
	}
	copy(st.Hash[:], hash)
	return st, nil
}

// openSnapshot opens a snapshot file on one connection that trusts
// nothing its schema says (no functions from views or triggers) and, if
// readOnly, writes nothing.
func openSnapshot(path string, readOnly bool) (*sql.DB, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("feed: snapshot path %q must not contain ? or #", path)
	}
	dsn := "file:" + path + "?_query_only=0"
	if readOnly {
		dsn = "file:" + path + "?mode=ro&_query_only=1"
	}
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("PRAGMA trusted_schema = OFF"); err != nil {
		_ = db.Close()
		return nil, reject("invalid", "snapshot is not a catalog: %v", err)
	}
	return db, nil
}

// A snapshot is data, not code: its schema must be exactly the one this
// program creates, object for object and statement for statement, so
// that no view, trigger, index or table of the sender's runs or is read.
var (
	schemaOnce sync.Once
	schemaWant map[schemaObject]bool
	schemaErr  error
)

type schemaObject struct{ Type, Name, Table, SQL string }

func readSchema(ctx context.Context, db *sql.DB) (map[schemaObject]bool, error) {
	rows, err := db.QueryContext(ctx, "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[schemaObject]bool{}
	for rows.Next() {
		var o schemaObject
		if err := rows.Scan(&o.Type, &o.Name, &o.Table, &o.SQL); err != nil {
			return nil, err
		}
		out[o] = true
	}
	return out, rows.Err()
}

// expectedSchema is the schema of an empty catalog, made once.
func expectedSchema(ctx context.Context) (map[schemaObject]bool, error) {
	schemaOnce.Do(func() {
		dir, err := os.MkdirTemp("", "punto-schema-")
		if err != nil {
			schemaErr = err
			return
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "empty.db")
		if schemaErr = content.Create(ctx, path, func(*content.Batch) error { return nil }); schemaErr != nil {
			return
		}
		db, err := openSnapshot(path, true)
		if err != nil {
			schemaErr = err
			return
		}
		defer func() { _ = db.Close() }() // read only
		schemaWant, schemaErr = readSchema(ctx, db)
	})
	return schemaWant, schemaErr
}

func checkSchema(ctx context.Context, db *sql.DB) error {
	want, err := expectedSchema(ctx)
	if err != nil {
		return fmt.Errorf("feed: the catalog's own schema: %w", err)
	}
	got, err := readSchema(ctx, db)
	if err != nil {
		return reject("invalid", "snapshot schema unreadable: %v", err)
	}
	for o := range got {
		if !want[o] {
			return reject("invalid", "snapshot has a %s %q this program does not make", o.Type, o.Name)
		}
	}
	for o := range want {
		if !got[o] {
			return reject("invalid", "snapshot lacks the %s %q", o.Type, o.Name)
		}
	}
	return nil
}

// checkSnapshot checks a snapshot file whose schema is already checked
// before anything of it is copied: SQLite's integrity check and both
// R*Trees'. It runs on the file alone, with
// no lock on the catalog, within ctx's time.
func checkSnapshot(ctx context.Context, path string) error {
	db, err := openSnapshot(path, false)
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	ok := func(what, query string) error {
		rows, err := db.QueryContext(ctx, query)
		if err != nil {
			return checkFailed(ctx, what, err)
		}
		defer rows.Close()
		var msgs []string
		for rows.Next() {
			var m string
			if err := rows.Scan(&m); err != nil {
				return checkFailed(ctx, what, err)
			}
			if m != "ok" && len(msgs) < 3 {
				msgs = append(msgs, m)
			}
		}
		if err := rows.Err(); err != nil {
			return checkFailed(ctx, what, err)
		}
		if len(msgs) > 0 {
			return reject("invalid", "snapshot %s: %s", what, strings.Join(msgs, "; "))
		}
		return nil
	}
	checks := []struct{ what, query string }{
		{"integrity check", "PRAGMA integrity_check(3)"},
		{"location index", "SELECT rtreecheck('idx_location_geom')"},
		{"territory index", "SELECT rtreecheck('idx_territory_geom')"},
	}
	for _, c := range checks {
		if err := ok(c.what, c.query); err != nil {
			return err
		}
	}
	return nil
}

func checkFailed(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		return reject("invalid", "snapshot %s: not done in time: %v", what, ctx.Err())
	}
	return reject("invalid", "snapshot %s: %v", what, err)
}

// ApplySnapshot replaces the catalog's content with a snapshot file's, in
// one transaction, after checking that the file is the one the portal
// signed for: its SHA-256 and feed position must be want's. A snapshot
// older than what the catalog holds is a rollback and is refused, unless
// it is of a newer epoch (the portal was restored from an older copy);
// one of an older epoch is always refused. The
// file is someone else's SQLite file: before the catalog is locked, its
// schema must be exactly this program's (no view, trigger or extra object
// is ever read), and SQLite's integrity check and the R*Trees' must
// pass, all within ctx's time.
func ApplySnapshot(ctx context.Context, cat *content.Store, path string, sum [sha256.Size]byte, want State) error {
	got, err := fileSum(path)
	if err != nil {
		return err
	}
	if got != sum {
		return reject("tampered", "snapshot file does not match its signed checksum")
	}
	st, err := readSnapshotState(ctx, path)
	if err != nil {
		return err
	}
	if st.Seq != want.Seq || st.Hash != want.Hash || st.Epoch != want.Epoch {
		return reject("tampered", "snapshot holds sequence %d of epoch %d, its manifest says %d of %d", st.Seq, st.Epoch, want.Seq, want.Epoch)
	}
	if err := checkSnapshot(ctx, path); err != nil {
		return err
	}
	// Checked while no write can start, so that nothing lands between the
	// check and the copy.
	var refused error
	check := func() error {
		cur, err := ReadState(ctx, cat)
		if err != nil {
			refused = err
		} else if st.Epoch < cur.Epoch {
			refused = reject("stale_epoch", "snapshot of epoch %d, older than the catalog's %d", st.Epoch, cur.Epoch)
		} else if st.Epoch == cur.Epoch && st.Seq < cur.Seq {
			refused = reject("replay", "snapshot at %d is older than the catalog's %d", st.Seq, cur.Seq)
		}
		return refused
	}
	err = cat.ReplaceCatalog(ctx, path, snapshotTables, check)
	var re *RejectError
	var ac *content.AfterCommitError
	switch {
	case err == nil, refused != nil, errors.As(err, &re):
		return err
	case errors.As(err, &ac):
		return ac.Err // replaced; the index did not follow
	}
	return reject("invalid", "%v", err)
}

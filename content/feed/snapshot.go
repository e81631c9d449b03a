package feed

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

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
// catalog of this program's schema, and reads its feed position. (That the
// file is whole and the portal's is checked by its signed SHA-256.)
func readSnapshotState(ctx context.Context, path string) (State, error) {
	var st State
	if strings.ContainsAny(path, "?#") {
		return st, fmt.Errorf("feed: snapshot path %q must not contain ? or #", path)
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_query_only=1")
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
	if st.Seq != want.Seq || st.Hash != want.Hash {
		return reject("tampered", "snapshot holds sequence %d, its manifest says %d", st.Seq, want.Seq)
	}
	// Checked while no write can start, so that nothing lands between the
	// check and the copy.
	var refused error
	check := func() error {
		cur, err := ReadState(ctx, cat)
		if err != nil {
			refused = err
		} else if st.Seq < cur.Seq {
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

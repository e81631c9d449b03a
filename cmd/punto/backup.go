package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/internal/sqlitedb"
)

// runBackup copies a portal's (or any node's) file, live, to a new file.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	db := fs.String("db", "data/portal.db", "the portal's `file` to copy (it may be serving)")
	out := fs.String("out", "", "the copy's `file` (it must not exist)")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if *out == "" {
		return usagef("backup: --out is required")
	}
	if err := existingFile(*db); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("backup: %s exists: name a new file", *out)
	}
	if err := sqlitedb.Backup(ctx, *db, *out); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	st, err := stateOf(ctx, *out)
	if err != nil {
		os.Remove(*out)
		return fmt.Errorf("backup: %s is not a Punto catalog: %w", *db, err)
	}
	fmt.Fprintf(stdout, "backed up %s to %s: sequence %d, epoch %d\n", *db, *out, st.Seq, st.Epoch)
	return nil
}

// stateOf reads where a catalog file stands in the feed, read-only.
func stateOf(ctx context.Context, path string) (feed.State, error) {
	var st feed.State
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		return st, err
	}
	err = db.QueryRowContext(ctx, "SELECT seq, epoch FROM sync_state WHERE one = 1").Scan(&st.Seq, &st.Epoch)
	return st, errors.Join(err, db.Close())
}

// runRestore puts a backup in place of the portal's file and starts a new
// feed epoch, so that totems ahead of the copy take it.
func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	from := fs.String("from", "", "the backup `file` (punto backup)")
	db := fs.String("db", "data/portal.db", "the portal's `file` to replace (stop the portal first)")
	force := fs.Bool("force", false, "replace --db if it exists")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if *from == "" {
		return usagef("restore: --from is required")
	}
	if err := existingFile(*from); err != nil {
		return fmt.Errorf("restore: --from: %w", err)
	}
	if filepath.Clean(*from) == filepath.Clean(*db) {
		return usagef("restore: --from and --db are the same file")
	}
	if err := existingFile(*db); err == nil && !*force {
		return fmt.Errorf("restore: %s exists: stop the portal and pass --force to replace it", *db)
	}
	release, err := lockStopped(*db)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer func() { err = errors.Join(err, release()) }()
	if err := sqlitedb.QuickCheck(ctx, *from); err != nil {
		return fmt.Errorf("restore: %s: %w", *from, err)
	}
	// Copied beside the portal's file, brought to this program's schema
	// and to a new epoch there, then renamed into place.
	tmp := *db + ".restoring"
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(tmp + suffix)
	}
	if err := sqlitedb.Backup(ctx, *from, tmp); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	st, err := newEpoch(ctx, tmp)
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("restore: %s is not a Punto catalog: %w", *from, err)
	}
	// Closed, the store has written its log into the file: a log left
	// beside it would be changes the file lacks.
	if fi, err := os.Stat(tmp + "-wal"); err == nil && fi.Size() > 0 {
		return fmt.Errorf("restore: %s-wal is left with %d bytes after the new epoch: the copy is incomplete, nothing was replaced", tmp, fi.Size())
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(tmp + suffix)
		if err := os.Remove(*db + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("restore: %w", err)
		}
	}
	if err := os.Rename(tmp, *db); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(stderr, "restored %s to %s at sequence %d, in a new feed epoch: start the portal, and totems take its snapshot\n", *from, *db, st.Seq)
	fmt.Fprintln(stdout, st.Epoch)
	return nil
}

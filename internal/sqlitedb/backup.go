package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// Backup copies the SQLite file at src, live, to a new file at dst with
// SQLite's online backup API: the copy is of one moment, and src goes on
// taking writes meanwhile (WAL). The copy is written beside dst, checked
// (quick_check), synced and renamed into place; dst must not exist.
func Backup(ctx context.Context, src, dst string) error {
	if err := CheckPath(src); err != nil {
		return err
	}
	if err := CheckPath(dst); err != nil {
		return err
	}
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("sqlitedb: backup: %s exists", dst)
	}
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("sqlitedb: backup: %w", err)
	}
	tmp := filepath.Join(filepath.Dir(dst), "."+filepath.Base(dst)+".partial")
	for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
		os.Remove(tmp + suffix)
	}
	if err := backupTo(ctx, src, tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := QuickCheck(ctx, tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("sqlitedb: backup of %s: %w", src, err)
	}
	if err := syncFile(tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("sqlitedb: backup: %w", err)
	}
	return syncFile(filepath.Dir(dst))
}

func backupTo(ctx context.Context, src, tmp string) (err error) {
	srcDB, err := sql.Open("sqlite3", DSN(src, true, false))
	if err != nil {
		return err
	}
	defer closeReadOnly(srcDB)
	dstDB, err := sql.Open("sqlite3", "file:"+tmp+"?_journal_mode=DELETE")
	if err != nil {
		return err
	}
	defer func() {
		// The copy is only whole once its file is closed.
		if cerr := dstDB.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("sqlitedb: backup: %w", cerr)
		}
	}()
	srcConn, err := srcDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlitedb: backup: %w", err)
	}
	defer srcConn.Close()
	dstConn, err := dstDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlitedb: backup: %w", err)
	}
	defer dstConn.Close()
	return dstConn.Raw(func(d any) error {
		return srcConn.Raw(func(s any) error {
			dc, ok1 := d.(*sqlite3.SQLiteConn)
			sc, ok2 := s.(*sqlite3.SQLiteConn)
			if !ok1 || !ok2 {
				return errors.New("sqlitedb: backup: not a go-sqlite3 connection")
			}
			bk, err := dc.Backup("main", sc, "main")
			if err != nil {
				return fmt.Errorf("sqlitedb: backup: %w", err)
			}
			// All pages in one step, under one read transaction: in WAL
			// mode it holds no writer back, and the copy is of one moment
			// (page by page, a write from another process would start it
			// again, and a busy portal might never let it finish).
			for {
				done, err := bk.Step(-1)
				if err != nil {
					return errors.Join(fmt.Errorf("sqlitedb: backup: %w", err), bk.Finish())
				}
				if done {
					return bk.Finish()
				}
				if ctx.Err() != nil {
					return errors.Join(ctx.Err(), bk.Finish())
				}
				time.Sleep(10 * time.Millisecond) // busy: a checkpoint holds the file
			}
		})
	})
}

// QuickCheck runs PRAGMA quick_check on the file at path, read-only.
func QuickCheck(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer closeReadOnly(db)
	var res string
	if err := db.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&res); err != nil {
		return fmt.Errorf("quick_check: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("quick_check: %s", res)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}

// closeReadOnly closes a database that was only read: nothing is left to
// flush, so its error says nothing the caller could act on.
func closeReadOnly(db *sql.DB) {
	_ = db.Close()
}

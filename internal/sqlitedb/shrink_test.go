package sqlitedb

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	_ "github.com/mattn/go-sqlite3"
)

// TestShrinkMemory: reading a table fills a reader's page cache in the C
// heap; ShrinkMemory gives it back and leaves the pool's connections
// open and answering. Not parallel: the C heap is the process's.
func TestShrinkMemory(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "big.db")
	w, err := sql.Open("sqlite3", DSN(path, false, true))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// About 6 MiB of rows, under a reader's 8 MiB cache.
	if _, err := w.ExecContext(ctx, `CREATE TABLE t(x BLOB);
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000)
		INSERT INTO t SELECT randomblob(1000) FROM n`); err != nil {
		t.Fatal(err)
	}
	r, err := sql.Open("sqlite3", DSN(path, true, false))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	read := func() int64 {
		var n int64
		if err := r.QueryRowContext(ctx, "SELECT sum(length(x)) FROM t").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	want := read()
	full, idle := cHeapInUse(), r.Stats().Idle
	ShrinkMemory(ctx, w, r)
	if after := cHeapInUse(); full-after < 4<<20 {
		t.Errorf("C heap in use %d bytes before, %d after: less than 4 MiB given back", full, after)
	}
	if got := r.Stats(); got.Idle != idle || got.OpenConnections != idle {
		t.Errorf("%d idle of %d open connections after, %d idle before", got.Idle, got.OpenConnections, idle)
	}
	if got := read(); got != want {
		t.Errorf("read %d bytes after, %d before", got, want)
	}
}

package feed

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/punto-totem/punto/internal/testenv"
)

// TestCheckSnapshotFullText: a snapshot whose full-text index is corrupt
// is refused by SQLite's integrity check alone, which runs FTS5's own
// check (SQLite 3.44 and later); checkSnapshot relies on it and does not
// run it twice. An older SQLite would fail here.
func TestCheckSnapshotFullText(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	good := testenv.DemoCatalog(t)
	if err := checkSnapshot(ctx, good); err != nil {
		t.Fatalf("the demo catalog: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "fts.db")
	testenv.CopyDemo(t, bad)
	db, err := sql.Open("sqlite3", bad)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("UPDATE service_fts_data SET block = zeroblob(length(block)) WHERE id > 10"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	err = checkSnapshot(ctx, bad)
	if rejectReason(err) != "invalid" || !strings.Contains(err.Error(), "integrity check") {
		t.Fatalf("a corrupt full-text index: %v, want refused by the integrity check", err)
	}
}

// BenchmarkCheckSnapshot checks the demo catalog as a totem checks a
// snapshot before applying it.
func BenchmarkCheckSnapshot(b *testing.B) {
	path := testenv.DemoCatalog(b)
	for b.Loop() {
		if err := checkSnapshot(context.Background(), path); err != nil {
			b.Fatal(err)
		}
	}
}

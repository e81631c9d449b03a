package fleet

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/internal/sqlitedb"
)

// openAt opens a new catalog file at path, as content creates it, and
// the fleet's store on it.
func openAt(tb testing.TB, path string) *Store {
	tb.Helper()
	ctx := context.Background()
	c, err := content.OpenLazy(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	s, err := Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// openTest opens the fleet's store on a new catalog file in a temporary
// folder.
func openTest(t *testing.T) *Store {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "catalog.db"))
}

func TestOpenNeedsACatalog(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := Open(ctx, filepath.Join(dir, "none.db")); err == nil {
		t.Error("opened a file that does not exist")
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "none.db*")); len(m) != 0 {
		t.Errorf("opening a missing file created %v", m)
	}
	plain := filepath.Join(dir, "plain.db")
	db, err := sqlitedb.Open(ctx, plain)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.W.ExecContext(ctx, "CREATE TABLE totem(id TEXT)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if s, err := Open(ctx, plain); err == nil || !strings.Contains(err.Error(), "lacks the fleet's tables") {
		t.Errorf("opened a database that is not a catalog: %v", err)
		if s != nil {
			s.Close()
		}
	}
}

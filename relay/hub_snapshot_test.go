package relay

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestSnapshotDir: a hub given a folder for its snapshots makes it, removes
// what a killed run left there, writes each snapshot in it and removes the
// last one when it closes; the folder stays, for the next run.
func TestSnapshotDir(t *testing.T) {
	t.Parallel()
	master := openCatalog(t, tempDB(t, "portal.db"), true)
	dir := filepath.Join(t.TempDir(), "portal.db.snapshots")
	s, err := newSnapshots(master, dir)
	if err != nil {
		t.Fatal(err)
	}
	s.close()
	leftover := filepath.Join(dir, "snapshot-7.db")
	if err := os.WriteFile(leftover, []byte("a killed run's"), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err = newSnapshots(master, dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(leftover); !os.IsNotExist(err) {
		t.Fatalf("the leftover snapshot is still there: %v", err)
	}
	f, _, _, size, err := s.latest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if files, _ := filepath.Glob(filepath.Join(dir, "snapshot-*.db")); len(files) != 1 || size == 0 {
		t.Fatalf("snapshot files %v, size %d", files, size)
	}
	s.close()
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Fatalf("left after close: %v", files)
	}
}

package sqlitedb

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestLock(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "portal.db")
	release, err := Lock(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Lock(path); !errors.Is(err, ErrInUse) {
		t.Fatalf("a second lock while held: %v, want ErrInUse", err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	again, err := Lock(path)
	if err != nil {
		t.Fatalf("the lock after release: %v", err)
	}
	if err := again(); err != nil {
		t.Fatal(err)
	}
	if _, err := Lock(filepath.Join(t.TempDir(), "a?b.db")); err == nil {
		t.Fatal("a path the DSN misreads was locked")
	}
}

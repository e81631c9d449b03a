package buildcache

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSourceKey: the key is stable, and changes with a source file but
// not with a test file or what tests leave behind.
func TestSourceKey(t *testing.T) {
	root := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755)
		if err := os.WriteFile(filepath.Join(root, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module x\n")
	write("cmd/x/main.go", "package main\n")
	write("assets/app.js", "1")
	key := func() string {
		t.Helper()
		k, err := sourceKey(root)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	k0 := key()
	if key() != k0 {
		t.Fatal("the key is not stable")
	}
	for _, f := range []string{"cmd/x/main_test.go", ".screenshots/a.png", "data/punto.db", "x/testdata/in.csv", ".git/HEAD", "cmd/x/punto.db-wal"} {
		write(f, "noise")
	}
	if key() != k0 {
		t.Fatal("tests and their leftovers change the key")
	}
	write("assets/app.js", "2")
	if key() == k0 {
		t.Fatal("an asset edit keeps the key")
	}
}

// TestGet: an artifact is built once per purpose, and a build that fails
// leaves nothing under the artifact's name.
func TestGet(t *testing.T) {
	builds := 0
	build := func(path string) error { builds++; return os.WriteFile(path, []byte("x"), 0o644) }
	purpose := "test " + t.Name() + " " + filepath.Base(t.TempDir())
	a, built, err := Get(purpose, "a", build)
	if err != nil || !built {
		t.Fatalf("first: %s %v %v", a, built, err)
	}
	t.Cleanup(func() { os.RemoveAll(filepath.Dir(a)) })
	if b, built, err := Get(purpose, "a", build); err != nil || built || b != a || builds != 1 {
		t.Fatalf("second: %s %v %v, %d builds", b, built, err, builds)
	}
	if _, _, err := Get(purpose, "b", func(path string) error { os.WriteFile(path, nil, 0o644); return os.ErrInvalid }); err == nil {
		t.Fatal("a failed build returned no error")
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(a), "b")); !os.IsNotExist(err) {
		t.Fatalf("a failed build left its artifact: %v", err)
	}
}

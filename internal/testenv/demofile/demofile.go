// Package demofile builds a catalog file once per test binary and copies
// it for each test that wants one. It knows no catalog: the build function
// is given, so that package content's own tests (which testenv, importing
// content, cannot serve) share it with testenv.
package demofile

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
)

// Master is a file built once, read-only, copied per test.
type Master struct {
	build func(ctx context.Context, path string) error
	root  string // the temporary folder when the binary started

	once   sync.Once
	dir    string
	path   string
	err    error
	builds atomic.Int32
}

// New is a master built by build into a folder under root (os.TempDir()
// when empty), the first time a copy is asked for.
func New(root string, build func(ctx context.Context, path string) error) *Master {
	if root == "" {
		root = os.TempDir()
	}
	return &Master{build: build, root: root}
}

// Builds reports how many times the master was built (0 or 1).
func (m *Master) Builds() int { return int(m.builds.Load()) }

// Path is the master's path, building it the first time.
func (m *Master) Path() (string, error) { return m.master() }

func (m *Master) master() (string, error) {
	m.once.Do(func() {
		if m.dir, m.err = os.MkdirTemp(m.root, "punto-demo-"); m.err != nil {
			return
		}
		path := filepath.Join(m.dir, "demo.db")
		if m.err = m.build(context.Background(), path); m.err != nil {
			m.err = fmt.Errorf("demofile: building the master: %w", m.err)
			return
		}
		m.builds.Add(1)
		// The build closed its last connection, which checkpointed the
		// write-ahead log into the file: the file alone is the catalog.
		// Read-only, so that no test writes to the master.
		if m.err = os.Chmod(path, 0o444); m.err == nil {
			m.path = path
		}
	})
	return m.path, m.err
}

// Cleanup removes the master (call it when the test binary ends).
func (m *Master) Cleanup() {
	if m.dir != "" {
		_ = os.Chmod(m.path, 0o644)
		_ = os.RemoveAll(m.dir)
	}
}

// Copy writes a fresh copy of the master at path (creating its folder);
// path must not exist.
func (m *Master) Copy(t testing.TB, path string) {
	t.Helper()
	src, err := m.master()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	// The write-ahead log and its index, had the master kept any, go with
	// it: without them the copy would miss committed pages.
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := copyFile(src+suffix, path+suffix); err != nil {
			if suffix != "" && os.IsNotExist(err) {
				continue
			}
			t.Fatalf("demofile: copying the master: %v", err)
		}
	}
}

// copyFile copies src to dst, which must not exist.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }() // read only
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}

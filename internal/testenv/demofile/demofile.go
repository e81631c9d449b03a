// Package demofile builds a catalog file once per source (in the build
// cache, shared by the test binaries of a run) and copies it for each
// test that wants one. It knows no catalog: the build function
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

	"github.com/punto-totem/punto/internal/testenv/buildcache"
)

// Master is a file built once per source, read-only, copied per test.
type Master struct {
	name  string
	build func(ctx context.Context, path string) error

	once   sync.Once
	path   string
	err    error
	builds atomic.Int32
}

// New is a master named name, built by build the first time a copy is
// asked for, unless a test binary of the same source built it before.
func New(name string, build func(ctx context.Context, path string) error) *Master {
	return &Master{name: name, build: build}
}

// Builds reports how many times this test binary built the master (0
// when it found it built).
func (m *Master) Builds() int { return int(m.builds.Load()) }

// Path is the master's path, building it the first time.
func (m *Master) Path() (string, error) { return m.master() }

func (m *Master) master() (string, error) {
	m.once.Do(func() {
		var built bool
		m.path, built, m.err = buildcache.Get(m.name, m.name+".db", func(path string) error {
			if err := m.build(context.Background(), path); err != nil {
				return fmt.Errorf("demofile: building the master %s: %w", m.name, err)
			}
			// The build closed its last connection, which checkpointed
			// the write-ahead log into the file: the file alone is the
			// catalog, and it is renamed alone.
			for _, suffix := range []string{"-wal", "-shm"} {
				if info, err := os.Stat(path + suffix); err == nil && info.Size() > 0 && suffix == "-wal" {
					return fmt.Errorf("demofile: the build of %s left a write-ahead log", m.name)
				}
				_ = os.Remove(path + suffix)
			}
			// Read-only, so that no test writes to the master.
			return os.Chmod(path, 0o444)
		})
		if built {
			m.builds.Add(1)
		}
	})
	return m.path, m.err
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
	if err := copyFile(src, path); err != nil {
		t.Fatalf("demofile: copying the master: %v", err)
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

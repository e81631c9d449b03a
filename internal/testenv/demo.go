package testenv

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/punto-totem/punto/content"
)

// The master demo catalog: built once per test binary by content.CreateDemo,
// read-only, copied for every test that wants one.
var (
	demoOnce   sync.Once
	demoDir    string
	demoMaster string
	demoErr    error
	demoBuilt  atomic.Int32 // how many times this binary built it (0 or 1)
)

// DemoBuilds reports how many times this test binary has built the demo
// catalog (0 or 1): a test can check that copies were used.
func DemoBuilds() int { return int(demoBuilt.Load()) }

func master() (string, error) {
	demoOnce.Do(func() {
		demoDir, demoErr = os.MkdirTemp(tempRoot, "punto-demo-")
		if demoErr != nil {
			return
		}
		path := filepath.Join(demoDir, "demo.db")
		if demoErr = content.CreateDemo(context.Background(), path); demoErr != nil {
			demoErr = fmt.Errorf("testenv: building the demo catalog: %w", demoErr)
			return
		}
		demoBuilt.Add(1)
		// CreateDemo closed its last connection, which checkpointed the
		// write-ahead log into the file and removed it: the file alone is
		// the catalog. Read-only, so that no test writes to the master.
		if demoErr = os.Chmod(path, 0o444); demoErr != nil {
			return
		}
		demoMaster = path
	})
	return demoMaster, demoErr
}

func cleanupDemo() {
	if demoDir != "" {
		os.Chmod(demoMaster, 0o644)
		os.RemoveAll(demoDir)
	}
}

// DemoCatalog returns the path of a fresh copy of the demo catalog,
// punto.db in a new temporary folder of the test.
func DemoCatalog(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "punto.db")
	CopyDemo(t, path)
	return path
}

// CopyDemo writes a fresh copy of the demo catalog at path (creating its
// folder), as `punto catalog demo --out path` would; path must not exist.
func CopyDemo(t testing.TB, path string) {
	t.Helper()
	src, err := master()
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
			t.Fatalf("testenv: copying the demo catalog: %v", err)
		}
	}
}

// DemoStore opens a fresh copy of the demo catalog, closed with the test.
func DemoStore(t testing.TB) *content.Store {
	t.Helper()
	st, err := content.Open(context.Background(), DemoCatalog(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// copyFile copies src to dst, which must not exist.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

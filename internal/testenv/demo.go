package testenv

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/internal/testenv/demofile"
)

// demo is the master demo catalog: built once per test binary by
// content.CreateDemo, read-only, copied for every test that wants one.
var demo = demofile.New("demo", content.CreateDemo)

// DemoBuilds reports how many times this test binary has built the demo
// catalog (0 or 1): a test can check that copies were used.
func DemoBuilds() int { return demo.Builds() }

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
	demo.Copy(t, path)
}

// DemoStore opens a fresh copy of the demo catalog, closed with the test.
func DemoStore(t testing.TB) *content.Store {
	t.Helper()
	st, err := content.OpenLazy(context.Background(), DemoCatalog(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

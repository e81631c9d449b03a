// Package testenv is what Punto's tests share: the demo catalog and the
// punto binary, each built once per source for every package of a run
// (see buildcache), a copy of the catalog for each test, processes
// started and stopped with their test, polling instead of sleeping, free
// loopback addresses and a settable clock.
//
// It is for tests only (it imports testing). A package whose tests share
// something that lives for the whole test binary (the browser of
// browsertest) stops it at the end with
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
package testenv

import (
	"os"
	"sync"
	"testing"
)

var (
	atExitMu sync.Mutex
	atExit   []func()
)

// AtExit registers f to run when the package's tests are over, before
// Main exits: what lives for the whole test binary stops there.
func AtExit(f func()) {
	atExitMu.Lock()
	defer atExitMu.Unlock()
	atExit = append(atExit, f)
}

// Main runs the tests of a package, then what AtExit registered (the
// last first), and exits with the tests' status.
func Main(m *testing.M) {
	code := m.Run()
	atExitMu.Lock()
	fs := atExit
	atExitMu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
	os.Exit(code)
}

// Package testenv is what Punto's tests share: the demo catalog built once
// per test binary and copied for each test, the punto binary built once
// per `go test` run for every package that runs it, processes started and
// stopped with their test, polling instead of sleeping, free loopback
// addresses and a settable clock.
//
// It is for tests only (it imports testing). A package whose tests use the
// demo catalog removes its master copy at the end with
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
//
// Without it the copy is left in the system's temporary folder.
package testenv

import (
	"os"
	"testing"
)

// tempRoot is the system's temporary folder as the test binary started:
// a test may point $TMPDIR elsewhere (t.Setenv) for a while, and what
// testenv keeps for the whole run must not end up, or be looked for, there.
var tempRoot = os.TempDir()

// Main runs the tests of a package and removes what testenv made for them
// (the master demo catalog) before exiting with their status.
func Main(m *testing.M) {
	code := m.Run()
	cleanupDemo()
	os.Exit(code)
}

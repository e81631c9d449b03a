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

// Main runs the tests of a package and stops what testenv shares among
// them before exiting with their status.
func Main(m *testing.M) {
	code := m.Run()
	os.Exit(code)
}

//go:build !race

package testenv

// Race is whether the test binary has the race detector: the punto binary
// the tests run is built the same way.
const Race = false

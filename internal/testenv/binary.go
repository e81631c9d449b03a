package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/punto-totem/punto/internal/testenv/buildcache"
)

// Tags are the build tags of every Punto build.
const Tags = "sqlite_fts5"

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// Binary returns the path of the punto binary (./cmd/punto) built from
// this module's source with -tags sqlite_fts5; with -race only when
// PUNTO_RACE_BINARY is set (make soak sets it). The race detector makes a
// process five to ten times slower, and the processes the tests start run
// the same code the packages' own tests already run under -race, in
// process: built plain, the end-to-end tests take a fraction of the time.
//
// It is built once per source, whichever package asks first, and kept in
// the build cache (see buildcache).
func Binary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		start := time.Now()
		var built bool
		binPath, built, binErr = buildBinary()
		if binErr == nil && testing.Verbose() {
			how := "cached"
			if built {
				how = "built"
			}
			fmt.Fprintf(os.Stderr, "testenv: punto binary %s in %s: %s\n", how, time.Since(start).Round(time.Millisecond), binPath)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// RaceBinary says whether the binary is built with the race detector.
func RaceBinary() bool { return os.Getenv("PUNTO_RACE_BINARY") != "" }

// ModuleRoot is the folder of the module's go.mod, found upwards from the
// working directory (a package's folder under go test).
func ModuleRoot() (string, error) { return buildcache.ModuleRoot() }

func buildBinary() (path string, built bool, err error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", false, err
	}
	purpose := "punto tags=" + Tags
	args := []string{"build", "-tags", Tags}
	if RaceBinary() {
		purpose += " race"
		args = append(args, "-race")
	}
	return buildcache.Get(purpose, "punto", func(tmp string) error {
		cmd := exec.Command("go", append(args, "-o", tmp, "./cmd/punto")...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("testenv: go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return nil
	})
}

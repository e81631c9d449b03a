package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/punto-totem/punto/internal/testenv/buildcache"
)

// LitestreamModule and LitestreamVersion are the Litestream release the
// portal's replication sidecar runs (deploy/systemd/punto-litestream.service):
// v0.3, built with mattn/go-sqlite3 as Punto is, and the Makefile's
// LITESTREAM_VERSION.
const (
	LitestreamModule  = "github.com/benbjohnson/litestream"
	LitestreamVersion = "v0.3.14"
)

var (
	lsOnce sync.Once
	lsPath string
	lsErr  error
)

// Litestream returns the path of the litestream program at
// LitestreamVersion, built from the Go module proxy's source with
// `go install` the first time any test asks and kept in the build cache
// under its version (not the module's source): one build per machine.
func Litestream(t testing.TB) string {
	t.Helper()
	lsOnce.Do(func() {
		lsPath, _, lsErr = buildcache.GetTool("litestream "+LitestreamVersion, "litestream", func(tmp string) error {
			bin, err := os.MkdirTemp(filepath.Dir(tmp), "gobin")
			if err != nil {
				return err
			}
			defer os.RemoveAll(bin)
			cmd := exec.Command("go", "install", LitestreamModule+"/cmd/litestream@"+LitestreamVersion)
			// Outside the module: its go.mod has no say in the tool's.
			cmd.Dir = bin
			cmd.Env = append(os.Environ(), "GOBIN="+bin, "GOFLAGS=", "CGO_ENABLED=1")
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("testenv: go install litestream@%s: %v\n%s", LitestreamVersion, err, out)
			}
			return os.Rename(filepath.Join(bin, "litestream"), tmp)
		})
	})
	if lsErr != nil {
		t.Fatal(lsErr)
	}
	return lsPath
}

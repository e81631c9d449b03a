package testenv

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Tags are the build tags of every Punto build.
const Tags = "sqlite_fts5"

// staleAfter is how long an unused binary stays in the cache.
const staleAfter = 24 * time.Hour

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
// It is built once per `go test` run, whichever package asks first: the
// binary is kept in a folder under os.TempDir() named after a hash of the
// source, and a file lock makes a package that asks while another one
// builds wait for that build instead of building it again. Binaries not
// used for a day are removed.
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

// raceBinary says whether the binary is built with the race detector.
func raceBinary() bool { return os.Getenv("PUNTO_RACE_BINARY") != "" }

// cacheRoot holds one folder per source hash, each with the binary and a
// lock file.
func cacheRoot() string { return filepath.Join(tempRoot, "punto-testenv-bin") }

func buildBinary() (path string, built bool, err error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", false, err
	}
	key, err := sourceKey(root)
	if err != nil {
		return "", false, err
	}
	if err := os.MkdirAll(cacheRoot(), 0o755); err != nil {
		return "", false, err
	}
	removeStale(key)
	dir := filepath.Join(cacheRoot(), key)
	unlock, err := lockDir(dir)
	if err != nil {
		return "", false, err
	}
	defer unlock()
	now := time.Now()
	os.Chtimes(dir, now, now) // in use: not stale
	path = filepath.Join(dir, "punto")
	if _, err := os.Stat(path); err == nil {
		return path, false, nil
	}
	// Built under another name and renamed: the binary is complete when
	// it has its name.
	tmp := path + ".partial"
	args := []string{"build", "-tags", Tags, "-o", tmp}
	if raceBinary() {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, "./cmd/punto")...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		os.Remove(tmp)
		return "", false, fmt.Errorf("testenv: go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", false, err
	}
	return path, true, nil
}

// lockDir creates dir if needed and takes its lock, waiting for whoever
// holds it. A folder removed as stale while this waited is made again.
func lockDir(dir string) (unlock func(), err error) {
	for {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		name := filepath.Join(dir, "lock")
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // removed meanwhile
			}
			return nil, err
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
			f.Close()
			return nil, fmt.Errorf("testenv: lock %s: %w", name, err)
		}
		// The lock is good if its file is still the one at that name.
		held, err1 := f.Stat()
		named, err2 := os.Stat(name)
		if err1 == nil && err2 == nil && os.SameFile(held, named) {
			return func() { f.Close() }, nil
		}
		f.Close()
	}
}

// removeStale removes the binaries of other sources not used for a day,
// each under its lock, never waiting for one in use.
func removeStale(keep string) {
	entries, _ := os.ReadDir(cacheRoot())
	for _, e := range entries {
		if !e.IsDir() || e.Name() == keep {
			continue
		}
		dir := filepath.Join(cacheRoot(), e.Name())
		info, err := os.Stat(dir)
		if err != nil || time.Since(info.ModTime()) < staleAfter {
			continue
		}
		f, err := os.Open(filepath.Join(dir, "lock"))
		if err != nil {
			os.RemoveAll(dir) // no lock: never finished
			continue
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			if info, err := os.Stat(dir); err == nil && time.Since(info.ModTime()) >= staleAfter {
				os.RemoveAll(dir)
			}
		}
		f.Close()
	}
}

// ModuleRoot is the folder of the module's go.mod, found upwards from the
// working directory (a package's folder under go test).
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testenv: no go.mod above the working directory")
		}
		dir = parent
	}
}

// sourceKey hashes what the binary is built from: the toolchain, the
// build settings, and every file of the module but tests, test data, the
// data and build folders and hidden ones (.git, screenshots, benchmarks),
// so that an edit anywhere else builds a new binary.
func sourceKey(root string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s/%s race=%v tags=%s cgo=%s goflags=%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH,
		raceBinary(), Tags, os.Getenv("CGO_ENABLED"), os.Getenv("GOFLAGS"))
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules" ||
				(filepath.Dir(path) == root && (name == "data" || name == "bin"))) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(name, ".") || strings.HasSuffix(name, "_test.go") || !d.Type().IsRegular() || skipFile(name) {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		fmt.Fprintf(h, "%s\x00", rel)
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
		h.Write([]byte{0})
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("testenv: hashing the source: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:24], nil
}

// skipFile tells files that tests or tools leave in the tree, which the
// binary is not built from.
func skipFile(name string) bool {
	for _, suffix := range []string{".db", ".db-wal", ".db-shm", ".partial", ".test", ".png", ".out", ".prof"} {
		if strings.HasSuffix(name, suffix) {
			return true
		}
	}
	return name == "punto" // a `go build` at the root
}

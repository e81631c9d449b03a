// Package buildcache keeps what tests build from the module's source (the
// punto binary, the master demo catalog) once per source, shared by every
// test binary of a `go test` run and the runs after it: a folder under the
// temporary folder per hash of the source and purpose, filled under a file
// lock, so that a package asking while another one builds waits for that
// build instead of building again. Folders not used for a day are removed.
package buildcache

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// staleAfter is how long an unused folder stays in the cache.
const staleAfter = 24 * time.Hour

// tempRoot is the system's temporary folder as the test binary started:
// a test may point $TMPDIR elsewhere (t.Setenv) for a while, and the
// cache must not end up, or be looked for, there.
var tempRoot = os.TempDir()

// TempRoot is the temporary folder as the test binary started.
func TempRoot() string { return tempRoot }

// Root holds one folder per source and purpose, each with its artifact
// and a lock file.
func Root() string { return filepath.Join(tempRoot, "punto-testenv-bin") }

var (
	keyOnce sync.Once
	key     string
	keyErr  error
)

// Get returns the path of the artifact name for purpose (a word that
// tells builds of the same source apart, such as "race"), building it
// with build the first time: build writes the file at the path it is
// given, which is renamed to the artifact's path once build returns, so
// an artifact is complete when it has its name. built says whether this
// call built it.
func Get(purpose, name string, build func(path string) error) (path string, built bool, err error) {
	keyOnce.Do(func() {
		var root string
		if root, keyErr = ModuleRoot(); keyErr == nil {
			key, keyErr = sourceKey(root)
		}
	})
	if keyErr != nil {
		return "", false, keyErr
	}
	return get(key+"\x00"+purpose, name, build)
}

// GetTool is Get for a program built from outside the module's source,
// such as a pinned release of a tool (purpose names it and its version):
// it is built once, whatever the source, and kept while used.
func GetTool(purpose, name string, build func(path string) error) (path string, built bool, err error) {
	return get("tool\x00"+purpose, name, build)
}

func get(id, name string, build func(path string) error) (path string, built bool, err error) {
	h := sha256.Sum256([]byte(id))
	folder := hex.EncodeToString(h[:])[:24]
	if err := os.MkdirAll(Root(), 0o755); err != nil {
		return "", false, err
	}
	removeStale(folder)
	dir := filepath.Join(Root(), folder)
	unlock, err := lockDir(dir)
	if err != nil {
		return "", false, err
	}
	defer unlock()
	now := time.Now()
	_ = os.Chtimes(dir, now, now) // in use: not stale
	path = filepath.Join(dir, name)
	if _, err := os.Stat(path); err == nil {
		return path, false, nil
	}
	tmp := path + ".partial"
	if err := build(tmp); err != nil {
		_ = os.Remove(tmp)
		return "", false, err
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
			return nil, fmt.Errorf("buildcache: lock %s: %w", name, err)
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

// removeStale removes the artifacts of other sources not used for a day,
// each under its lock, never waiting for one in use.
func removeStale(keep string) {
	entries, _ := os.ReadDir(Root())
	for _, e := range entries {
		if !e.IsDir() || e.Name() == keep {
			continue
		}
		dir := filepath.Join(Root(), e.Name())
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
			return "", errors.New("buildcache: no go.mod above the working directory")
		}
		dir = parent
	}
}

// sourceKey hashes what an artifact is built from: the toolchain, the
// build settings, and every file of the module but tests, test data, the
// data and build folders and hidden ones (.git, screenshots, benchmarks),
// so that an edit anywhere else builds a new artifact.
func sourceKey(root string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s/%s cgo=%s goflags=%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH,
		os.Getenv("CGO_ENABLED"), os.Getenv("GOFLAGS"))
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
		return "", fmt.Errorf("buildcache: hashing the source: %w", err)
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

// Command precompress writes the build-time brotli copies of the web
// tree's vendored libraries and base map (assets.Precompressed) into
// assets/precompressed, and removes the copies of files no longer there.
// Run it from assets/ through `go generate ./assets`, as `make vendor`
// and `make basemap` do.
package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/punto-totem/punto/assets"
)

func main() {
	if err := run("web", assets.PrecompressedDir); err != nil {
		fmt.Fprintln(os.Stderr, "precompress:", err)
		os.Exit(1)
	}
}

// run writes dst/{name}.br for each selected file of the tree src, only
// where it changes, and removes every other file of dst.
func run(src, dst string) error {
	keep := map[string]bool{}
	err := fs.WalkDir(os.DirFS(src), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			return err
		}
		if !assets.Precompressed(name, len(b)) {
			return nil
		}
		out := filepath.Join(dst, name+".br")
		keep[out] = true
		br, err := assets.Compress(b)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if old, err := os.ReadFile(out); err == nil && bytes.Equal(old, br) {
			return nil
		}
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		fmt.Printf("%s: %d -> %d bytes\n", name, len(b), len(br))
		return os.WriteFile(out, br, 0o644)
	})
	if err != nil {
		return err
	}
	return filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || keep[p] || !strings.HasSuffix(p, ".br") {
			return err
		}
		fmt.Printf("%s: removed\n", p)
		return os.Remove(p)
	})
}

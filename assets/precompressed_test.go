package assets

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"
)

// TestPrecompressedFresh: every file of the embedded tree that has a
// build-time brotli copy has a fresh one, and no copy is left of a file
// that is gone. It fails after `make vendor` or `make basemap` without
// `go generate ./assets`.
func TestPrecompressedFresh(t *testing.T) {
	t.Setenv("PUNTO_ASSETS_DIR", "")
	tree := Web()
	want := map[string]bool{}
	err := fs.WalkDir(tree, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(tree, name)
		if err != nil || !Precompressed(name, len(b)) {
			return err
		}
		want[PrecompressedDir+"/"+name+".br"] = true
		br := Brotli(name, b)
		switch {
		case br == nil:
			t.Errorf("%s: no fresh build-time copy: run go generate ./assets", name)
		case len(br) >= len(b)/2:
			t.Errorf("%s: the copy is %d bytes of %d", name, len(br), len(b))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 5 {
		t.Fatalf("only %d files selected: the vendored libraries and the base map are missing", len(want))
	}
	err = fs.WalkDir(precompressed, PrecompressedDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".br") && !want[p] {
			t.Errorf("%s: a copy of no file of the tree: run go generate ./assets", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestBrotliNeverStale: a copy is served only for exactly the bytes it
// encodes.
func TestBrotliNeverStale(t *testing.T) {
	t.Setenv("PUNTO_ASSETS_DIR", "")
	const name = "vendor/maplibre/maplibre-gl.css"
	b, err := fs.ReadFile(Web(), name)
	if err != nil {
		t.Fatal(err)
	}
	if Brotli(name, b) == nil {
		t.Fatal("no copy for the file as it is")
	}
	changed := bytes.Clone(b)
	changed[len(changed)/2] ^= 1
	for what, body := range map[string][]byte{"a changed byte": changed, "a byte more": append(bytes.Clone(b), ' '), "a byte less": b[:len(b)-1]} {
		if Brotli(name, body) != nil {
			t.Errorf("%s: the stale copy is served", what)
		}
	}
	if Brotli("app.js", b) != nil {
		t.Error("a copy for a file that has none")
	}
}

// TestCompress: the node's own brotli decodes to its input, from empty
// to 70 KB, on either side of a window's size.
func TestCompress(t *testing.T) {
	for _, n := range []int{0, 1, 1000, 1 << 10, 1<<10 + 1, 70_000} {
		b := bytes.Repeat([]byte("Punto, sportello: 09:00-13:00. "), n/31+1)[:n]
		br, err := Compress(b)
		if err != nil {
			t.Fatal(err)
		}
		if !decodesTo(br, b) {
			t.Errorf("%d bytes: the brotli does not decode to them", n)
		}
	}
}

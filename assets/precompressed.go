package assets

import (
	"bytes"
	"embed"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/andybalholm/brotli"
)

// Build-time compression. Brotli at its best (quality 11) takes about a
// second of CPU per 200 KB, and the web tree holds 2 MB of vendored
// libraries and base map that change only with `make vendor` and `make
// basemap`. Those are compressed once, when vendored (`go generate
// ./assets`), into precompressed/; a node compresses the rest, the app's
// own small files, itself.

//go:generate go run ./precompress

//go:embed precompressed
var precompressed embed.FS

// PrecompressedDir is the folder, beside web/, of the build-time brotli
// copies: precompressed/{name}.br for each file Precompressed selects.
const PrecompressedDir = "precompressed"

// precompressMin is the smallest file worth a build-time copy.
const precompressMin = 16 << 10

// Precompressed reports whether the tree's file name, of size bytes, has
// a build-time brotli copy: a text file of the vendored libraries or the
// base map of at least precompressMin bytes.
func Precompressed(name string, size int) bool {
	if size < precompressMin || !(strings.HasPrefix(name, "vendor/") || strings.HasPrefix(name, "basemap/")) {
		return false
	}
	switch path.Ext(name) {
	case ".js", ".css", ".json", ".svg", ".txt", ".md":
		return true
	}
	return false
}

// Brotli returns the build-time brotli copy of the tree's file name if
// there is one and it decodes to exactly b (the file as served); else
// nil, and the caller compresses b itself. A copy left stale by a file
// changed without `go generate ./assets`, or a tree served from
// PUNTO_ASSETS_DIR, is never served.
func Brotli(name string, b []byte) []byte {
	if !Precompressed(name, len(b)) {
		return nil
	}
	br, err := fs.ReadFile(precompressed, PrecompressedDir+"/"+name+".br")
	if err != nil {
		return nil
	}
	if !decodesTo(br, b) {
		return nil
	}
	return br
}

// decodesTo reports whether the brotli stream br decodes to want,
// reading no more than one byte past it.
func decodesTo(br, want []byte) bool {
	got, err := io.ReadAll(io.LimitReader(brotli.NewReader(bytes.NewReader(br)), int64(len(want))+1))
	return err == nil && bytes.Equal(got, want)
}

// Compress is brotli at quality 11 with a window no larger than b needs
// (a small file then costs a small table, not the 4 MB of the widest
// window): the coding of the build-time copies, and of a node's own.
func Compress(b []byte) ([]byte, error) {
	lgwin := 10 // brotli's smallest window
	for lgwin < 24 && 1<<lgwin-16 < len(b) {
		lgwin++
	}
	var out bytes.Buffer
	w := brotli.NewWriterOptions(&out, brotli.WriterOptions{Quality: brotli.BestCompression, LGWin: lgwin})
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

package assets

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// A Site is the web tree as a node serves it. Every file is served under
// /assets/{hash}/, where hash is a short content hash of the whole tree,
// so a browser may cache it for good: a release that changes any file
// changes every URL. Hashing the tree rather than each file keeps ES
// module imports simple: "./lib.js" or "../lib/toolkit.js" resolve
// beside the importing file, under the same hash, so a page always loads
// one consistent set of modules without rewriting import specifiers.
//
// The few files that are not served under the hash (the pages, the
// service worker, the manifest) are rendered once: each "/assets/PATH"
// they name in double quotes becomes "/assets/{hash}/PATH", and a PATH
// missing from the tree fails the load.
type Site struct {
	fs    fs.FS
	hash  string
	pages map[string][]byte
}

// Pages are the files a Site renders, when the tree has them.
var Pages = []string{"index.html", "editor/index.html", "sw.js", "manifest.webmanifest"}

// HashLen is the length of the hash in URLs (hex digits).
const HashLen = 12

var assetRef = regexp.MustCompile(`"/assets/([^"?#]+)"`)

// Load hashes the tree of fsys and renders its pages.
func Load(fsys fs.FS) (*Site, error) {
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("assets: %w", err)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("assets: %w", err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(b))
		h.Write(b)
	}
	s := &Site{fs: fsys, hash: hex.EncodeToString(h.Sum(nil))[:HashLen], pages: map[string][]byte{}}
	for _, name := range Pages {
		src, err := fs.ReadFile(fsys, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("assets: %w", err)
		}
		var missing []string
		out := assetRef.ReplaceAllFunc(src, func(m []byte) []byte {
			p := string(assetRef.FindSubmatch(m)[1])
			if st, err := fs.Stat(fsys, p); err != nil || st.IsDir() {
				missing = append(missing, p)
			}
			return []byte(`"` + s.URL(p) + `"`)
		})
		if len(missing) > 0 {
			return nil, fmt.Errorf("assets: %s names %s, not in the tree", name, strings.Join(missing, ", "))
		}
		s.pages[name] = out
	}
	return s, nil
}

// Hash is the tree's hash, as in its URLs.
func (s *Site) Hash() string { return s.hash }

// FS is the tree.
func (s *Site) FS() fs.FS { return s.fs }

// URL is the hashed URL of a file of the tree ("app.js").
func (s *Site) URL(name string) string { return "/assets/" + s.hash + "/" + name }

// Page returns a rendered page (one of Pages), or an error if the tree
// has no such file. The bytes are the caller's.
func (s *Site) Page(name string) ([]byte, error) {
	b, ok := s.pages[name]
	if !ok {
		return nil, fmt.Errorf("assets: no page %s", name)
	}
	return bytes.Clone(b), nil
}

var embeddedSite = sync.OnceValues(func() (*Site, error) { return Load(Web()) })

// Current is the Site of Web(): the embedded tree, hashed and rendered
// once; or, with PUNTO_ASSETS_DIR set, that folder as it is at each call,
// so an edit shows on the next reload while developing.
func Current() (*Site, error) {
	if os.Getenv("PUNTO_ASSETS_DIR") != "" {
		return Load(Web())
	}
	return embeddedSite()
}

// Page is Current().Page(name).
func Page(name string) ([]byte, error) {
	s, err := Current()
	if err != nil {
		return nil, err
	}
	return s.Page(name)
}

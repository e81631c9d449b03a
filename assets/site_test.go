package assets

import (
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

// TestEmbeddedSite: the embedded tree loads (every file a page names is
// there), and the pages name the files at their hashed URLs only.
func TestEmbeddedSite(t *testing.T) {
	t.Setenv("PUNTO_ASSETS_DIR", "")
	s, err := Current()
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{12}$`).MatchString(s.Hash()) {
		t.Fatalf("hash %q", s.Hash())
	}
	for _, name := range Pages {
		page, err := s.Page(name)
		if err != nil {
			t.Fatal(err)
		}
		body := string(page)
		refs := regexp.MustCompile(`"/assets/[^"]*"`).FindAllString(body, -1)
		if len(refs) == 0 {
			t.Errorf("%s names no asset", name)
		}
		for _, ref := range refs {
			if !strings.HasPrefix(ref, `"/assets/`+s.Hash()+`/`) {
				t.Errorf("%s: %s is not hashed", name, ref)
			}
		}
	}
	sw, _ := s.Page("sw.js")
	if !strings.Contains(string(sw), `"/assets/`+s.Hash()+`/lib/toolkit.js"`) {
		t.Error("the service worker does not keep the toolkit for offline use")
	}
}

// TestLoadRendersAndFailsFast: the hash follows the content, pages name
// hashed URLs, and a page naming a missing file fails the load.
func TestLoadRendersAndFailsFast(t *testing.T) {
	tree := fstest.MapFS{
		"index.html":  {Data: []byte(`<script type="module" src="/assets/app.js"></script><link href="/assets/x/y.css">`)},
		"app.js":      {Data: []byte(`import "./lib/t.js";`)},
		"lib/t.js":    {Data: []byte(`export {};`)},
		"x/y.css":     {Data: []byte(`a{}`)},
		"editor/a.js": {Data: []byte(`1`)},
	}
	a, err := Load(tree)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := a.Page("index.html")
	want := `<script type="module" src="/assets/` + a.Hash() + `/app.js"></script><link href="/assets/` + a.Hash() + `/x/y.css">`
	if string(page) != want {
		t.Errorf("page:\n%s\nwant\n%s", page, want)
	}
	if _, err := a.Page("sw.js"); err == nil {
		t.Error("a page the tree lacks")
	}
	tree["lib/t.js"] = &fstest.MapFile{Data: []byte(`export const x = 1;`)}
	b, err := Load(tree)
	if err != nil {
		t.Fatal(err)
	}
	if a.Hash() == b.Hash() {
		t.Error("a changed module keeps the hash")
	}
	tree["sw.js"] = &fstest.MapFile{Data: []byte(`const SHELL = ["/", "/assets/app.js", "/assets/gone.js"];`)}
	if _, err := Load(tree); err == nil || !strings.Contains(err.Error(), "gone.js") {
		t.Errorf("missing file: %v", err)
	}
}

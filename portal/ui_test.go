package portal

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/punto-totem/punto/assets"
)

func TestEditorUIFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "editor"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"editor/index.html": "<!doctype html><title>Editor</title>", "editor/editor.js": "console.log(1)"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PUNTO_ASSETS_DIR", dir)
	e := newEnv(t)
	cl := e.anon()
	for _, tt := range []struct {
		path, want string
		status     int
	}{
		{"/editor", "<title>Editor</title>", 200},
		{"/editor/", "<title>Editor</title>", 200},
		{"/editor/editor.js", "console.log", 200},
		{"/editor/api/session", `"csrf_token"`, 200},
		{"/editor/api/nope", `"not_found"`, 404},
	} {
		r := cl.do("GET", tt.path, nil)
		if r.status != tt.status || !strings.Contains(string(r.raw), tt.want) {
			t.Errorf("%s: %d %.80s", tt.path, r.status, r.raw)
		}
	}
}

// TestEditorPage: the editor's page names its files at hashed URLs only,
// each served to be cached for good, and carries the editor's words in
// Italian and English.
func TestEditorPage(t *testing.T) {
	t.Setenv("PUNTO_ASSETS_DIR", "")
	base, _ := euiServer(t)
	site, err := assets.Current()
	if err != nil {
		t.Fatal(err)
	}
	status, h, page := httpGet(t, base+"/editor")
	if status != 200 || h.Get("Cache-Control") != "no-cache" {
		t.Fatalf("/editor: %d, Cache-Control %q", status, h.Get("Cache-Control"))
	}
	refs := regexp.MustCompile(`(?:src|href)="(/[^"]*)"`).FindAllStringSubmatch(page, -1)
	if len(refs) < 4 {
		t.Errorf("/editor: %d references", len(refs))
	}
	for _, m := range refs {
		if !strings.HasPrefix(m[1], "/assets/"+site.Hash()+"/") {
			t.Errorf("/editor names %s, not a hashed URL", m[1])
			continue
		}
		status, h, _ := httpGet(t, base+m[1])
		if status != 200 || h.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("%s: %d, Cache-Control %q", m[1], status, h.Get("Cache-Control"))
		}
	}
	const open = `<script type="application/json" id="editor-messages">`
	i := strings.Index(page, open)
	if i < 0 {
		t.Fatal("/editor: no messages")
	}
	block := page[i+len(open):]
	block = block[:strings.Index(block, "</script>")]
	var words map[string]map[string]string
	if err := json.Unmarshal([]byte(block), &words); err != nil {
		t.Fatal(err)
	}
	if words["it"]["login.submit"] != "Accedi" || words["en"]["login.submit"] != "Sign in" {
		t.Errorf("messages: %q, %q", words["it"]["login.submit"], words["en"]["login.submit"])
	}
}

func httpGet(t *testing.T, url string) (int, http.Header, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(body)
}

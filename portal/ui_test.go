package portal

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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

package assets

import (
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// staticImport is an ES module's static import of a file beside it
// (import … from "./x.js", import "../y.js"); dynamic import() is not one.
var staticImport = regexp.MustCompile(`(?m)^import\s+(?:[^"';]*?\s+from\s+)?"(\.{1,2}/[^"]+)";`)

// TestShellModules: every module the app loads before its first screen
// (app.js and its static imports, followed through) is cached by the
// service worker, so a phone opens offline, and preloaded by the page, so
// the browser fetches the modules at once rather than one level at a time.
func TestShellModules(t *testing.T) {
	t.Setenv("PUNTO_ASSETS_DIR", "")
	web := Web()
	graph := []string{"app.js"}
	for i := 0; i < len(graph); i++ {
		src, err := fs.ReadFile(web, graph[i])
		if err != nil {
			t.Fatalf("%s: %v", graph[i], err)
		}
		for _, m := range staticImport.FindAllStringSubmatch(string(src), -1) {
			dep := path.Join(path.Dir(graph[i]), m[1])
			if !slices.Contains(graph, dep) {
				graph = append(graph, dep)
			}
		}
	}
	if len(graph) < 5 {
		t.Fatalf("app.js imports only %v: is the import pattern still right?", graph)
	}
	sw, err := fs.ReadFile(web, "sw.js")
	if err != nil {
		t.Fatal(err)
	}
	index, err := fs.ReadFile(web, "index.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range graph {
		if !strings.Contains(string(sw), `"/assets/`+m+`"`) {
			t.Errorf("sw.js: SHELL lacks /assets/%s", m)
		}
		if m != "app.js" && !strings.Contains(string(index), `<link rel="modulepreload" href="/assets/`+m+`">`) {
			t.Errorf("index.html does not preload %s", m)
		}
	}
	// Nothing only the totem needs is on a phone's critical path.
	for _, m := range graph {
		if strings.Contains(m, "keyboard") || strings.Contains(m, "vendor/") {
			t.Errorf("%s is loaded before the first screen", m)
		}
	}
}

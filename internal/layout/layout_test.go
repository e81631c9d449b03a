// Package layout holds the test that keeps the rooms true: each package of
// Punto imports only the packages below it.
package layout

import (
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/punto-totem/punto/"

// allowed lists, for each package, the project packages it may import.
// The rooms, from the bottom: geometry; the catalog; what is built on the
// catalog (its feed, its exchange formats, the fleet); the editors'
// state; the feed over websockets; the HTTP faces; the binary. A package
// missing here fails the test: place it when you add it.
var allowed = map[string][]string{
	"geo":                         {},
	"internal/sqlitedb":           {},
	"internal/sdnotify":           {},
	"locales":                     {},
	"assets":                      {},
	"content":                     {"geo", "internal/sqlitedb", "locales"}, // locales: the category names search matches
	"content/feed":                {"content", "geo", "internal/sqlitedb"},
	"content/exchange":            {"content", "geo"},
	"fleet":                       {"content", "content/feed", "geo", "internal/sqlitedb"},
	"editorial":                   {"content", "fleet", "geo", "internal/sqlitedb"},
	"mail":                        {"internal/sqlitedb"},
	"mediation":                   {"content", "editorial", "internal/sqlitedb", "mail"},
	"callback":                    {"content", "editorial", "internal/sqlitedb", "mediation"},
	"relay":                       {"content", "content/feed", "fleet", "geo", "internal/apierr"},
	"internal/apierr":             {"content"},
	"printing":                    {},
	"voice":                       {}, // espeak-ng and its cache; texts come from its caller
	"kiosk":                       {"content", "content/feed", "fleet", "geo", "internal/apierr", "assets", "locales", "printing", "voice"},
	"portal":                      {"content", "content/exchange", "content/feed", "fleet", "editorial", "geo", "internal/apierr", "assets", "locales", "callback", "mail", "mediation"},
	"cmd/punto":                   nil,        // the wiring may import anything
	"cmd/httpbench":               nil,        // the HTTP benchmark (make bench)
	"assets/precompress":          {"assets"}, // go generate ./assets
	"deploy":                      nil,        // tests of the deploy files only
	"internal/browsertest":        nil,        // test support
	"internal/testenv":            nil,        // test support
	"internal/testenv/demofile":   {"internal/testenv/buildcache"},
	"internal/testenv/buildcache": {},
	"internal/layout":             {},
}

func TestImportsGoOneWay(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("go", "list", "-tags", "sqlite_fts5", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"...")
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module)
		ok, known := allowed[pkg]
		if !known {
			t.Errorf("package %s is not in the layout table: add it to allowed, below the packages that import it", pkg)
			continue
		}
		if ok == nil {
			continue
		}
		for _, imp := range fields[1:] {
			dep, inProject := strings.CutPrefix(imp, module)
			if inProject && !slices.Contains(ok, dep) {
				t.Errorf("%s imports %s, which is not below it (allowed: %s)", pkg, dep, strings.Join(ok, ", "))
			}
		}
	}
}

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the config tables in README.md from the flags")

// roleFlags returns the flag set a role parses, as `punto ROLE -h` builds it.
func roleFlags(t *testing.T, role string) *flag.FlagSet {
	t.Helper()
	var fs *flag.FlagSet
	onFlags = func(f *flag.FlagSet) { fs = f }
	defer func() { onFlags = nil }()
	if code := run(context.Background(), []string{role, "-h"}, io.Discard, io.Discard); code != 0 || fs == nil {
		t.Fatalf("punto %s -h: exit %d", role, code)
	}
	return fs
}

// configRow is the README's line for one flag.
func configRow(f *flag.Flag) string {
	_, usage := flag.UnquoteUsage(f)
	def := "none"
	if f.DefValue != "" {
		def = "`" + f.DefValue + "`"
	}
	return fmt.Sprintf("| `%s` | `%s` | %s | %s |", f.Name, envName(f.Name), def, strings.ReplaceAll(usage, "|", `\|`))
}

func configTable(fs *flag.FlagSet) []string {
	rows := []string{"| key (and flag) | environment | default | what it sets |", "|---|---|---|---|"}
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name != "config" { // the file itself: a flag or PUNTO_CONFIG only
			rows = append(rows, configRow(f))
		}
	})
	return rows
}

// TestREADMEConfigTable checks that README.md documents every flag of
// `punto totem` and `punto portal` as a config key, with its variable and
// default, so the documentation cannot drift from the code. With -update
// it rewrites the tables.
func TestREADMEConfigTable(t *testing.T) {
	readme := filepath.Join("..", "..", "README.md")
	text, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(text)
	for _, role := range []string{"totem", "portal", "mirror"} {
		begin, end := "<!-- config:"+role+" -->\n", "<!-- /config:"+role+" -->"
		i, j := strings.Index(doc, begin), strings.Index(doc, end)
		if i < 0 || j < i {
			t.Fatalf("README.md has no table of the %s's keys between %q and %q", role, strings.TrimSpace(begin), end)
		}
		fs := roleFlags(t, role)
		want := configTable(fs)
		if *update {
			doc = doc[:i+len(begin)] + strings.Join(want, "\n") + "\n" + doc[j:]
			continue
		}
		have := map[string]string{}
		row := regexp.MustCompile("^\\| `([a-z0-9-]+)` \\|")
		for _, line := range strings.Split(doc[i+len(begin):j], "\n") {
			if m := row.FindStringSubmatch(line); m != nil {
				have[m[1]] = line
			}
		}
		fix := "edit the table between " + strings.TrimSpace(begin) + " and " + end + " in README.md, or run: go test -tags sqlite_fts5 ./cmd/punto -run TestREADMEConfigTable -update"
		fs.VisitAll(func(f *flag.Flag) {
			if f.Name == "config" {
				return
			}
			line, ok := have[f.Name]
			switch {
			case !ok:
				t.Errorf("README.md does not document the flag --%s of punto %s: add this row (%s):\n%s", f.Name, role, fix, configRow(f))
			case line != configRow(f):
				t.Errorf("README.md's row for --%s of punto %s is out of date (%s):\nhave %s\nwant %s", f.Name, role, fix, line, configRow(f))
			}
			delete(have, f.Name)
		})
		for name := range have {
			t.Errorf("README.md documents --%s, which punto %s no longer has: remove its row (%s)", name, role, fix)
		}
	}
	if *update {
		if err := os.WriteFile(readme, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestExampleConfigs loads the example config files shipped in deploy/
// with the real flag sets: every key in them exists and has a valid value.
func TestExampleConfigs(t *testing.T) {
	for _, role := range []string{"totem", "portal", "mirror"} {
		t.Run(role, func(t *testing.T) {
			fs := roleFlags(t, role)
			path := filepath.Join("..", "..", "deploy", role+".toml")
			if err := applyConfigFile(fs, path, map[string]bool{}); err != nil {
				t.Fatal(err)
			}
			n := 0
			fs.VisitAll(func(f *flag.Flag) {
				if f.Value.String() != f.DefValue {
					n++
				}
			})
			if n == 0 {
				t.Fatalf("%s sets nothing", path)
			}
		})
	}
}

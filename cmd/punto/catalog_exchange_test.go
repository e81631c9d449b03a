package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/internal/testenv"
)

func TestCatalogImportExport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	demo := filepath.Join(dir, "demo.db")
	p := func(name string) string { return filepath.Join(dir, name) }
	// The command line's plumbing, on a small catalog: content/exchange
	// round-trips the whole demo through every format.
	if err := content.Generate(context.Background(), demo, content.GenerateOptions{Services: 40, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
		stdout string
	}{
		{"export needs a format", []string{"catalog", "export", "--db", demo}, 2, "--format is required", ""},
		{"export with an unknown format", []string{"catalog", "export", "--format", "xml", "--db", demo}, 2, `--format "xml" is not`, ""},
		{"export needs --db", []string{"catalog", "export", "--format", "csv"}, 2, "--db is required", ""},
		{"export of a missing catalog", []string{"catalog", "export", "--format", "csv", "--db", p("none.db")}, 1, "does not exist", ""},
		{"export csv to standard output", []string{"catalog", "export", "--format", "csv", "--db", demo}, 0, "", "service_id,status,categories,name@it"},
		{"export hsds", []string{"catalog", "export", "--format", "hsds", "--db", demo, "--out", p("demo.json")}, 0, "", ""},
		{"export hsds-csv as a zip", []string{"catalog", "export", "--format", "hsds-csv", "--db", demo, "--out", p("demo.zip")}, 0, "", ""},
		{"export hsds-csv as a folder", []string{"catalog", "export", "--format", "hsds-csv", "--db", demo, "--out", p("pkg")}, 0, "", ""},
		{"export geojson", []string{"catalog", "export", "--format", "geojson", "--db", demo, "--out", p("demo.geojson")}, 0, "", ""},
		{"export csv", []string{"catalog", "export", "--format", "csv", "--db", demo, "--out", p("demo.csv")}, 0, "", ""},
		{"import needs a file", []string{"catalog", "import", "--format", "csv", "--db", p("a.db")}, 2, "which file?", ""},
		{"import needs a format", []string{"catalog", "import", "--db", p("a.db"), p("demo.csv")}, 2, "--format is required", ""},
		{"import takes one file", []string{"catalog", "import", "--format", "csv", "--db", p("a.db"), p("demo.csv"), p("demo.csv")}, 2, "one file at a time", ""},
		{"import of a missing file", []string{"catalog", "import", "--format", "csv", "--db", p("a.db"), p("none.csv")}, 1, "no such file", ""},
		{"import a folder as csv", []string{"catalog", "import", "--format", "csv", "--db", p("a.db"), p("pkg")}, 1, "only hsds-csv reads a folder", ""},
		{"import hsds into a new catalog", []string{"catalog", "import", "--format", "hsds", "--db", p("hsds.db"), p("demo.json")}, 0, "", "imported 0 organizations and 40 services"},
		{"import hsds again into that catalog (streamed)", []string{"catalog", "import", "--format", "hsds", "--db", p("hsds.db"), p("demo.json")}, 0, "", "imported 0 organizations and 40 services"},
		{"import the zip package", []string{"catalog", "import", "--format", "hsds-csv", "--db", p("zip.db"), p("demo.zip")}, 0, "", "40 services"},
		{"import the zip package again into that catalog", []string{"catalog", "import", "--format", "hsds-csv", "--db", p("zip.db"), p("demo.zip")}, 0, "", "40 services"},
		{"import the package folder", []string{"catalog", "import", "--format", "hsds-csv", "--db", p("pkg.db"), p("pkg")}, 0, "", "40 services"},
		{"import geojson, flags after the file", []string{"catalog", "import", p("demo.geojson"), "--format", "geojson", "--db", p("geo.db")}, 0, "", "40 services"},
		{"import csv into a new catalog", []string{"catalog", "import", "--format", "csv", "--db", p("csv.db"), p("demo.csv")}, 0, "", "40 services"},
		{"import csv again into that catalog", []string{"catalog", "import", "--format", "csv", "--db", p("csv.db"), p("demo.csv")}, 0, "", "40 services"},
		{"import json as csv", []string{"catalog", "import", "--format", "csv", "--db", p("bad.db"), p("demo.json")}, 1, "nothing was imported", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errb)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %.500s\nstderr: %s", code, tt.code, out.String(), errb.String())
			}
			if !strings.Contains(errb.String(), tt.stderr) {
				t.Errorf("stderr %q lacks %q", errb.String(), tt.stderr)
			}
			if !strings.Contains(out.String(), tt.stdout) {
				t.Errorf("stdout %.300q lacks %q", out.String(), tt.stdout)
			}
		})
	}
	for _, f := range []string{"a.db", "bad.db"} {
		if _, err := os.Stat(p(f)); !os.IsNotExist(err) {
			t.Errorf("a refused import left %s", f)
		}
	}
	// Each imported catalog exports the very file it came from.
	for _, c := range []struct{ db, format, file string }{
		{"hsds.db", "hsds", "demo.json"}, {"zip.db", "hsds-csv", "demo.zip"}, {"geo.db", "geojson", "demo.geojson"}, {"csv.db", "csv", "demo.csv"},
	} {
		var out bytes.Buffer
		if code := run(context.Background(), []string{"catalog", "export", "--format", c.format, "--db", p(c.db)}, &out, &out); code != 0 {
			t.Fatalf("export %s: %s", c.db, out.String())
		}
		want, err := os.ReadFile(p(c.file))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), want) {
			t.Errorf("%s exported from %s differs from the file it was imported from", c.format, c.db)
		}
	}
}

func TestCatalogImportBadRow(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	demo := filepath.Join(dir, "demo.db")
	csvFile := filepath.Join(dir, "demo.csv")
	testenv.CopyDemo(t, demo)
	var out, errb bytes.Buffer
	if run(context.Background(), []string{"catalog", "export", "--format", "csv", "--db", demo, "--out", csvFile}, &out, &errb) != 0 {
		t.Fatal(errb.String())
	}
	data, err := os.ReadFile(csvFile)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	lines[3] = strings.Replace(lines[3], ",active,", ",closed for good,", 1)
	lines[9] = strings.Replace(lines[9], ",true,", ",maybe,", 1)
	if err := os.WriteFile(csvFile, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	var info bytes.Buffer
	run(context.Background(), []string{"catalog", "info", "--db", demo}, &info, &info)
	errb.Reset()
	code := run(context.Background(), []string{"catalog", "import", "--format", "csv", "--db", demo, csvFile}, &out, &errb)
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, errb.String())
	}
	for _, want := range []string{"line 4: status:", `"closed for good"`, "line 10:", `"maybe" is not true or false`, "nothing was imported"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb.String())
		}
	}
	var after bytes.Buffer
	run(context.Background(), []string{"catalog", "info", "--db", demo}, &after, &after)
	if after.String() != info.String() {
		t.Error("a refused import changed the catalog")
	}
}

// A lenient import keeps the records that are right, writes a report of
// the others counted by reason, and exits 0; without --lenient the same
// file imports nothing and lists every problem.
func TestCatalogImportLenient(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	demo := p("demo.db")
	testenv.CopyDemo(t, demo)
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"catalog", "export", "--format", "hsds", "--db", demo, "--out", p("demo.json")}, &out, &errb); code != 0 {
		t.Fatalf("export: %s", errb.String())
	}
	data, err := os.ReadFile(p("demo.json"))
	if err != nil {
		t.Fatal(err)
	}
	// Two services with a status HSDS does not have, one with a time that
	// is no time.
	bad := strings.Replace(string(data), `"status": "active"`, `"status": "open"`, 2)
	last := strings.LastIndex(bad, `"opens_at": "`)
	bad = bad[:last] + `"opens_at": "nine", "x": "` + bad[last+len(`"opens_at": "`):]
	if err := os.WriteFile(p("bad.json"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name           string
		args           []string
		code           int
		stdout, stderr string
	}{
		{"strict", []string{"catalog", "import", "--format", "hsds", "--db", p("strict.db"), p("bad.json")}, 1, "", "3 problem(s); nothing was imported"},
		{"lenient", []string{"catalog", "import", "--lenient", "--format", "hsds", "--db", p("lenient.db"), p("bad.json")}, 0, "and 327 services", ""},
		{"a report needs --lenient", []string{"catalog", "import", "--report", p("r.json"), "--format", "hsds", "--db", p("x.db"), p("bad.json")}, 2, "", "--report goes with --lenient"},
		{"a bad taxonomy map", []string{"catalog", "import", "--taxonomy-map", p("demo.json"), "--format", "hsds", "--db", p("x.db"), p("bad.json")}, 2, "", "taxonomy map"},
		{"plain HSDS in French", []string{"catalog", "export", "--format", "hsds", "--profile", "hsds", "--lang", "fr", "--db", demo}, 0, `"total_items": 330`, ""},
		{"an unknown profile", []string{"catalog", "export", "--format", "hsds", "--profile", "uk", "--db", demo}, 2, "", `--profile "uk" is not punto or hsds`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errb)
			if code != tt.code || !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errb.String(), tt.stderr) {
				t.Fatalf("exit %d, want %d\nstdout: %.500s\nstderr: %.2000s", code, tt.code, out.String(), errb.String())
			}
		})
	}
	raw, err := os.ReadFile(p("lenient.db") + ".import-report.json")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Imported map[string]int `json:"imported"`
		Problems int            `json:"problems"`
		ByReason []struct {
			Reason string `json:"reason"`
			Count  int    `json:"count"`
		} `json:"by_reason"`
		List []struct {
			Pointer, Field, Reason string
		} `json:"list"`
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Imported["services"] != 327 || rep.Problems != 3 || len(rep.List) != 3 || len(rep.ByReason) != 2 || rep.ByReason[0].Count != 2 ||
		!strings.HasPrefix(rep.ByReason[0].Reason, "status: ") || rep.List[0].Pointer == "" {
		t.Errorf("report: %s", raw)
	}
}

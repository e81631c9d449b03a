package exchange

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/punto-totem/punto/content"
)

// The HSDS CSV package streamed (through the staging table, whatever its
// size here) writes the
// catalog the package read whole writes, from a zip and from a folder,
// into a new file and into an open catalog; the official example
// package's one wrong record is named at its line, and lenient leaves it
// out (the package's only service, so nothing is left); a row naming a service the package lacks refuses the
// package, and the catalog stays as it was.
func TestHSDSPackageStream(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	demo := openDemo(t)
	x, err := Read(ctx, demo)
	if err != nil {
		t.Fatal(err)
	}
	x.Services = x.Services[:40] // enough, and fast
	var zipped bytes.Buffer
	if err := x.Write(FormatHSDSCSV, &zipped); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	digestOf := func(path string) string {
		t.Helper()
		st, err := content.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		d, err := st.Digest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	y, err := Parse(FormatHSDSCSV, zipped.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	whole := filepath.Join(dir, "whole.db")
	if err := Create(ctx, whole, y, FormatHSDSCSV); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(zipped.Bytes()), int64(zipped.Len()))
	if err != nil {
		t.Fatal(err)
	}
	streamed := filepath.Join(dir, "streamed.db")
	res, err := CreateHSDSPackageStream(ctx, streamed, zr, ImportOptions{streamAbove: -1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Services != len(y.Services) || res.Organizations != len(y.Organizations) {
		t.Errorf("streamed %+v, read whole %d organizations, %d services", res, len(y.Organizations), len(y.Services))
	}
	if a, b := digestOf(whole), digestOf(streamed); a != b {
		t.Errorf("streamed package %s, read whole %s", b, a)
	}
	// From a folder, into the open demo catalog its records came from:
	// nothing changes.
	folder := filepath.Join(dir, "pkg")
	if err := x.WriteHSDSFolder(folder, Options{}); err != nil {
		t.Fatal(err)
	}
	before, err := demo.Digest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ImportHSDSPackageStream(ctx, demo, os.DirFS(folder), ImportOptions{streamAbove: -1}); err != nil {
		t.Fatal(err)
	}
	if after, err := demo.Digest(ctx); err != nil || after != before {
		t.Errorf("the package of the catalog changed it: %s, was %s (%v)", after, before, err)
	}

	// A phone of a service the package lacks: refused, by file and line.
	phones, err := os.ReadFile(filepath.Join(folder, "phones.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(phones), "\n", 3)
	cells := strings.Split(lines[1], ",")
	for i, c := range strings.Split(lines[0], ",") {
		if c == "service_id" {
			cells[i] = "00000000-0000-4000-8000-000000000000"
		}
	}
	lines[1] = strings.Join(cells, ",")
	if err := os.WriteFile(filepath.Join(folder, "phones.csv"), []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = ImportHSDSPackageStream(ctx, demo, os.DirFS(folder), ImportOptions{Lenient: true, streamAbove: -1})
	ie, ok := err.(*ImportError)
	if !ok || len(ie.Issues) != 1 || ie.Issues[0].File != "phones.csv" || ie.Issues[0].Line != 2 || !strings.Contains(ie.Issues[0].Reason, "no service") {
		t.Errorf("a dangling phone: %v", err)
	}
	if after, err := demo.Digest(ctx); err != nil || after != before {
		t.Errorf("a refused package changed the catalog: %s, was %s (%v)", after, before, err)
	}

	// The official example package.
	ex := t.TempDir()
	files, err := filepath.Glob(filepath.Join(hsdsDir, "examples", "csv", "*.csv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example tables: %v", err)
	}
	for _, f := range append(files, filepath.Join(hsdsDir, "datapackage.json")) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(ex, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	opt := ImportOptions{Taxonomy: &TaxonomyMap{Default: "info"}, streamAbove: -1}
	_, err = CreateHSDSPackageStream(ctx, filepath.Join(dir, "example.db"), os.DirFS(ex), opt)
	ie, ok = err.(*ImportError)
	if !ok || len(ie.Issues) != 1 || ie.Issues[0].File != "locations.csv" || ie.Issues[0].Line != 2 || !strings.Contains(ie.Issues[0].Reason, "latitude 100 is outside") {
		t.Fatalf("err = %v, want the one location at latitude 100", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "example.db")); !os.IsNotExist(err) {
		t.Errorf("a refused package left a catalog: %v", err)
	}
	// Its one service is the one left out: lenient has nothing to import.
	opt.Lenient = true
	if res, err := CreateHSDSPackageStream(ctx, filepath.Join(dir, "example.db"), os.DirFS(ex), opt); err == nil || !strings.Contains(err.Error(), "latitude 100") {
		t.Errorf("lenient, nothing left: %+v %v", res, err)
	}
}

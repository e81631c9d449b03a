package exchange

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// GeoJSON that went through GDAL into a GeoPackage and back (ogr2ogr, as
// a GIS user does) imports as the file Punto wrote: the feature id is now
// properties.id, and string lists are "(N:a,b)".
func TestGeoJSONThroughGDAL(t *testing.T) {
	t.Parallel()
	bin, err := exec.LookPath("ogr2ogr")
	if err != nil {
		t.Fatal("ogr2ogr is not installed: install the Debian package gdal-bin (make test does this)")
	}
	x := *demoRecords(t)
	x.Services = x.Services[:12]
	var buf bytes.Buffer
	if err := x.Write(FormatGeoJSON, &buf); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	src, gpkg, back := filepath.Join(dir, "punto.geojson"), filepath.Join(dir, "punto.gpkg"), filepath.Join(dir, "back.geojson")
	if err := os.WriteFile(src, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, args := range [][]string{{"-f", "GPKG", gpkg, src}, {"-f", "GeoJSON", back, gpkg}} {
		if out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("ogr2ogr %v: %v\n%s", args, err, out)
		}
	}
	data, err := os.ReadFile(back)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"categories": "(`)) || !bytes.Contains(data, []byte(`"id": "`)) {
		t.Fatalf("GDAL no longer writes lists as (N:…) or the id as a property: the test proves nothing\n%.600s", data)
	}
	want, err := Parse(FormatGeoJSON, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(FormatGeoJSON, data)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(want.Services)
	b, _ := json.Marshal(got.Services)
	if !bytes.Equal(a, b) || len(got.Organizations) != len(want.Organizations) {
		t.Errorf("GDAL's GeoJSON reads differently:\n%.400s\n%.400s", a, b)
	}
	for _, c := range []struct{ in, want string }{
		{`"(2:info,legal)"`, `["info","legal"]`}, {`"(0:)"`, `[]`}, {`"[\"ar\"]"`, `["ar"]`}, {`"(3:a,b)"`, `"(3:a,b)"`}, {`["x"]`, `["x"]`},
	} {
		if got := string(fromGDAL(json.RawMessage(c.in))); got != c.want {
			t.Errorf("fromGDAL(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}

package kiosk

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/internal/testenv"
)

// writeMBTiles makes a raster MBTiles file with one tile: zoom 1, column 1,
// the northern row (TMS row 1).
func writeMBTiles(t *testing.T, format string, tile []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "base.mbtiles")
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		"CREATE TABLE metadata (name TEXT, value TEXT)",
		"CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)",
		"INSERT INTO metadata VALUES ('format', '" + format + "'), ('minzoom', '0'), ('maxzoom', '5'), ('name', 'test')",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec("INSERT INTO tiles VALUES (1, 1, 1, ?)", tile); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTilesAndStyle(t *testing.T) {
	t.Parallel()
	img := image.NewRGBA(image.Rect(0, 0, 256, 256))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var buf bytes.Buffer
	png.Encode(&buf, img)
	path := writeMBTiles(t, "png", buf.Bytes())
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	// Credits as MBTiles files often carry them: a link, which the map
	// shows as text.
	if _, err := db.Exec(`INSERT INTO metadata VALUES ('attribution', '<a href="https://example.org/copyright">&copy; Example &amp; contributors</a>')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	tiles, err := OpenTiles(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer tiles.Close()
	st := testenv.DemoStore(t)
	srv, err := New(st, Config{Position: content.DemoTotem, Tiles: tiles})
	if err != nil {
		t.Fatal(err)
	}
	get := func(target string) (int, string, []byte) {
		res, err := srv.App().Test(httptest.NewRequest("GET", target, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header.Get("Content-Type"), body
	}
	// XYZ y=0 is the northern row, TMS row 1 at zoom 1.
	if code, typ, body := get("/tiles/1/1/0"); code != 200 || typ != "image/png" || !bytes.Equal(body, buf.Bytes()) {
		t.Errorf("tile: %d %s %d bytes", code, typ, len(body))
	}
	if code, _, _ := get("/tiles/1/0/0"); code != 204 {
		t.Errorf("missing tile: %d", code)
	}
	for _, bad := range []string{"/tiles/1/2/0", "/tiles/x/0/0", "/tiles/30/0/0", "/tiles/1/-1/0"} {
		if code, _, _ := get(bad); code != 400 {
			t.Errorf("%s: %d, want 400", bad, code)
		}
	}
	_, _, body := get("/api/v1/map/style.json?lang=ar")
	var style struct {
		Version int
		Sources map[string]map[string]any
		Layers  []struct {
			ID, Source string
			Filter     []any
		}
	}
	if err := json.Unmarshal(body, &style); err != nil || style.Version != 8 || style.Sources["base"]["type"] != "raster" {
		t.Errorf("style: %s", body)
	}
	if got := style.Sources["base"]["attribution"]; got != "© Example & contributors" {
		t.Errorf("tiles credited %q", got)
	}
	// The built-in basemap lies under the tiles: one GeoJSON file, served
	// and credited, with features of each kind its layers draw.
	src := style.Sources["basemap"]
	url, _ := src["data"].(string)
	if src["type"] != "geojson" || src["attribution"] != "Natural Earth" || !strings.Contains(url, "/basemap/basemap.json") {
		t.Fatalf("basemap source: %v", src)
	}
	code, _, data := get(strings.TrimPrefix(url, "http://example.com"))
	var fc struct {
		Type     string
		Features []struct {
			Properties struct{ Kind string }
			Geometry   struct{ Type string }
		}
	}
	if err := json.Unmarshal(data, &fc); code != 200 || err != nil || fc.Type != "FeatureCollection" {
		t.Fatalf("GET %s: %d, %v", url, code, err)
	}
	if len(data) > 1<<20 {
		t.Errorf("the basemap weighs %d bytes, want under 1 MiB", len(data))
	}
	kinds := map[string]string{}
	for _, f := range fc.Features {
		kinds[f.Properties.Kind] = f.Geometry.Type
	}
	drawn := map[string]bool{}
	for _, l := range style.Layers {
		if l.Source != "basemap" {
			continue
		}
		if len(l.Filter) != 3 { // ["==", ["get", "kind"], KIND]
			t.Errorf("layer %s: filter %v", l.ID, l.Filter)
			continue
		}
		k, _ := l.Filter[2].(string)
		if kinds[k] == "" {
			t.Errorf("layer %s draws the basemap's %q, which it has none of (it has %v)", l.ID, k, kinds)
		}
		drawn[k] = true
	}
	for _, k := range []string{"sea", "land", "coast", "border"} {
		if !drawn[k] || kinds[k] == "" {
			t.Errorf("the basemap's %s: in the file as %q, drawn %v", k, kinds[k], drawn[k])
		}
	}
	_, typ, body := get("/api/v1/territories.geojson?lang=ar")
	if typ != "application/geo+json" || !strings.Contains(string(body), `"MultiPolygon"`) || !strings.Contains(string(body), "ats-11-ancona") {
		t.Errorf("territories: %s %.200s", typ, body)
	}
	if _, err := OpenTiles(context.Background(), st.Path()); err == nil {
		t.Error("a catalog opened as tiles")
	}
}

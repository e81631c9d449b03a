package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	_ "github.com/mattn/go-sqlite3"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"github.com/punto-totem/punto/internal/browsertest"
	"github.com/punto-totem/punto/internal/testenv"
)

// The basemap test runs the pipeline README.md documents ("A real
// basemap"): tiles/build.sh with tilemaker on an OpenStreetMap file, the
// MBTiles it writes served by a real `punto totem --tiles`, and the map
// drawn by chromium.

// buildScript is tiles/build.sh, from this package's folder.
var buildScript = filepath.Join("..", "..", "tiles", "build.sh")

// osmDoc writes a small OpenStreetMap XML file: nodes and ways, with tags.
type osmDoc struct {
	nodes, ways []string
	next        int
}

func (d *osmDoc) node(lon, lat float64, tags ...string) int {
	d.next++
	d.nodes = append(d.nodes, fmt.Sprintf(`<node id="%d" version="1" lat="%.6f" lon="%.6f">%s</node>`, d.next, lat, lon, osmTags(tags)))
	return d.next
}

// way adds a way through the points (lon, lat pairs); closed repeats the
// first node at the end, for an area.
func (d *osmDoc) way(points [][2]float64, closed bool, tags ...string) {
	var refs strings.Builder
	var ids []int
	for _, p := range points {
		ids = append(ids, d.node(p[0], p[1]))
	}
	if closed {
		ids = append(ids, ids[0])
	}
	for _, id := range ids {
		fmt.Fprintf(&refs, `<nd ref="%d"/>`, id)
	}
	d.next++
	d.ways = append(d.ways, fmt.Sprintf(`<way id="%d" version="1">%s%s</way>`, d.next, refs.String(), osmTags(tags)))
}

func (d *osmDoc) rect(minLon, minLat, maxLon, maxLat float64, tags ...string) {
	d.way([][2]float64{{minLon, minLat}, {maxLon, minLat}, {maxLon, maxLat}, {minLon, maxLat}}, true, tags...)
}

func osmTags(kv []string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		fmt.Fprintf(&b, `<tag k="%s" v="%s"/>`, html.EscapeString(kv[i]), html.EscapeString(kv[i+1]))
	}
	return b.String()
}

func (d *osmDoc) xml(minLon, minLat, maxLon, maxLat float64) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="punto basemap test">
<bounds minlat="%f" minlon="%f" maxlat="%f" maxlon="%f"/>
%s
%s
</osm>
`, minLat, minLon, maxLat, maxLon, strings.Join(d.nodes, "\n"), strings.Join(d.ways, "\n"))
}

// ancona is a made-up corner of Ancona: streets, a railway and a footpath,
// a river and a lake, a park and a nature reserve, houses, a comune border
// and the city's place node; the sea (from a shapefile, as the coastline
// comes) lies east of 13.525.
func ancona() string {
	var d osmDoc
	d.rect(13.500, 43.600, 13.525, 43.620, "landuse", "residential")
	d.way([][2]float64{{13.500, 43.6100}, {13.525, 43.6120}}, false, "highway", "primary", "name", "Via Primaria")
	d.way([][2]float64{{13.5120, 43.600}, {13.5130, 43.620}}, false, "highway", "residential", "name", "Via dell'Arco & dei Tigli")
	d.way([][2]float64{{13.5050, 43.609}, {13.5080, 43.601}}, false, "highway", "footway")
	d.way([][2]float64{{13.500, 43.6185}, {13.525, 43.6190}}, false, "railway", "rail")
	d.way([][2]float64{{13.500, 43.6030}, {13.525, 43.6060}}, false, "waterway", "river", "name", "Fiume Esino (test)")
	d.rect(13.503, 43.613, 13.508, 43.617, "natural", "water", "name", "Lago (test)")
	d.rect(13.516, 43.613, 13.522, 43.6175, "leisure", "park", "name", "Parco (test)")
	d.rect(13.517, 43.6065, 13.523, 43.6095, "leisure", "nature_reserve", "name", "Riserva (test)")
	for i := range 4 {
		lon := 13.5140 + float64(i)*0.0015
		d.rect(lon, 43.6005, lon+0.0010, 43.6020, "building", "yes")
	}
	d.way([][2]float64{{13.501, 43.6005}, {13.501, 43.6195}}, false, "boundary", "administrative", "admin_level", "8")
	d.node(13.5153, 43.6169, "place", "city", "name", "Ancona", "population", "100000")
	return d.xml(13.500, 43.600, 13.535, 43.620)
}

// seaShapefile writes the sea as a water_polygons.shp (as
// osmdata.openstreetmap.de ships it) with GDAL's ogr2ogr.
func seaShapefile(t *testing.T, dir string) {
	t.Helper()
	geojson := filepath.Join(dir, "sea.geojson")
	sea := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"x":1},
		"geometry":{"type":"Polygon","coordinates":[[[13.525,43.595],[13.54,43.595],[13.54,43.625],[13.525,43.625],[13.525,43.595]]]}}]}`
	if err := os.WriteFile(geojson, []byte(sea), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ogr2ogr", "-f", "ESRI Shapefile", filepath.Join(dir, "water_polygons.shp"), geojson).CombinedOutput()
	if err != nil {
		t.Fatalf("ogr2ogr: %v\n%s", err, out)
	}
}

func needPrograms(t *testing.T, programs map[string]string) {
	t.Helper()
	for prog, pkg := range programs {
		if _, err := exec.LookPath(prog); err != nil {
			t.Fatalf("%s is not installed: install the Debian package %s (make test does this)", prog, pkg)
		}
	}
}

// TestBasemapScriptRefusesBadInput: the script says what is wrong, exits
// non-zero and writes nothing.
func TestBasemapScriptRefusesBadInput(t *testing.T) {
	t.Parallel()
	needPrograms(t, map[string]string{"tilemaker": "tilemaker", "osmium": "osmium-tool"})
	dir := t.TempDir()
	good := filepath.Join(dir, "ancona.osm")
	notOSM := filepath.Join(dir, "junk.osm.pbf")
	if err := os.WriteFile(good, []byte(ancona()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(notOSM, []byte("not a pbf file"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.mbtiles")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no arguments", nil, 2, "usage:"},
		{"unknown option", []string{"--frob", good, out}, 2, "unknown option --frob"},
		{"missing input", []string{filepath.Join(dir, "nope.osm.pbf"), out}, 1, "no such file"},
		{"not OpenStreetMap", []string{notOSM, out}, 1, "is not an OpenStreetMap file"},
		{"output not mbtiles", []string{good, filepath.Join(dir, "out.txt")}, 1, "must be an .mbtiles file"},
		{"output folder missing", []string{good, filepath.Join(dir, "none", "out.mbtiles")}, 1, "no such folder"},
		{"three numbers", []string{"--bbox", "13.5,43.6,13.6", good, out}, 1, "want MINLON,MINLAT,MAXLON,MAXLAT"},
		{"west of east", []string{"--bbox", "13.6,43.6,13.5,43.7", good, out}, 1, "west < east"},
		{"box without data", []string{"--bbox", "1,1,2,2", good, out}, 1, "no OpenStreetMap data inside 1,1,2,2"},
		{"no coastline there", []string{"--coastline", dir, good, out}, 1, "no water_polygons.shp"},
		{"threads", []string{"--threads", "many", good, out}, 1, "want a whole number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command("bash", append([]string{buildScript}, tc.args...)...)
			msg, err := cmd.CombinedOutput()
			code := 0
			if exit, ok := err.(*exec.ExitError); ok {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code || !strings.Contains(string(msg), tc.want) {
				t.Errorf("exit %d, want %d with %q:\n%s", code, tc.code, tc.want, msg)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.Contains(e.Name(), "out") {
					t.Errorf("left %s behind", e.Name())
				}
			}
		})
	}
}

// TestBasemap builds tiles for a corner of Ancona with the documented
// pipeline, checks what the MBTiles holds, serves it with a real totem and
// checks in chromium that the results map draws it.
func TestBasemap(t *testing.T) {
	t.Parallel()
	needPrograms(t, map[string]string{"tilemaker": "tilemaker", "osmium": "osmium-tool", "ogr2ogr": "gdal-bin"})
	dir := t.TempDir()
	osmFile := filepath.Join(dir, "ancona.osm")
	if err := os.WriteFile(osmFile, []byte(ancona()), 0o644); err != nil {
		t.Fatal(err)
	}
	coast := filepath.Join(dir, "coastline")
	if err := os.Mkdir(coast, 0o755); err != nil {
		t.Fatal(err)
	}
	seaShapefile(t, coast)
	mbtiles := filepath.Join(dir, "tiles.mbtiles")
	out, err := exec.Command("bash", buildScript, "--coastline", coast, "--threads", "2", osmFile, mbtiles).CombinedOutput()
	if err != nil {
		t.Fatalf("tiles/build.sh: %v\n%s", err, out)
	}

	vectorLayers := checkMBTiles(t, mbtiles)

	addr := testenv.FreeAddr(t)
	base := "http://" + addr
	db := filepath.Join(dir, "punto.db")
	testenv.CopyDemo(t, db) // what --demo would create on the first start
	testenv.StartPunto(t, "totem", "totem", "--db", db, "--demo", "--addr", addr,
		"--tiles", mbtiles, "--lat", "43.61", "--lon", "13.515")
	testenv.Eventually(t, 60*time.Second, "the totem answers", func() bool {
		res, err := http.Get(base + "/api/v1/healthz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	})

	// The style draws the layers and fields the tiles have.
	var style struct {
		Sources map[string]map[string]any
		Layers  []map[string]any
	}
	testenv.GetJSON(t, base+"/api/v1/map/style.json?lang=it", &style)
	if style.Sources["base"]["type"] != "vector" {
		t.Fatalf("style source: %v", style.Sources["base"])
	}
	drawn := map[string]bool{}
	for _, l := range style.Layers {
		src, _ := l["source-layer"].(string)
		if l["source"] != "base" || src == "" {
			continue
		}
		fields, ok := vectorLayers[src]
		if !ok {
			t.Errorf("style layer %v draws %q, which the tiles do not have", l["id"], src)
			continue
		}
		drawn[src] = true
		for _, f := range getFields(l["filter"], l["paint"]) {
			if _, ok := fields[f]; !ok {
				t.Errorf("style layer %v reads %q, which %s features do not carry (%v)", l["id"], f, src, fields)
			}
		}
	}

	// A tile as the browser gets it.
	tile := maptile.At([2]float64{13.515, 43.61}, 14)
	res, err := http.Get(fmt.Sprintf("%s/tiles/%d/%d/%d", base, tile.Z, tile.X, tile.Y))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/x-protobuf" {
		t.Errorf("GET tile %v: %d %s", tile, res.StatusCode, res.Header.Get("Content-Type"))
	}

	// The results map in chromium, on the totem's screen.
	ctx := browser(t, 1080, 1920)
	must(t, ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(keepMaps).Do(ctx)
		return err
	}))
	must(t, ctx, chromedp.Navigate(base+"/?kiosk=1"), screen("attract"),
		browsertest.Click(".attract"), screen("languages"),
		browsertest.Click(`.lang[lang="it"]`), screen("home"),
		browsertest.Click(`.tile[data-category="health"]`), screen("results"),
		browsertest.Visible(".maplibregl-canvas"),
		browsertest.Poll(`window.__puntoMaps.length > 0`, nil, chromedp.WithPollingTimeout(60*time.Second)))
	// Moved to the corner the tiles cover, as a visitor would pinch, and
	// asked what it drew once every tile is in.
	var got struct {
		Layers  map[string]int
		Errors  []string
		Credits string
	}
	must(t, ctx, chromedp.Evaluate(`new Promise((resolve) => {
		const map = window.__puntoMaps.at(-1);
		map.once("idle", () => {
			const layers = {};
			for (const f of map.queryRenderedFeatures()) {
				if (f.source === "base") layers[f.sourceLayer] = (layers[f.sourceLayer] || 0) + 1;
				else layers[f.layer.id] = (layers[f.layer.id] || 0) + 1;
			}
			const credits = document.querySelector("#map .maplibregl-ctrl-attrib");
			resolve({layers, errors: window.__puntoMapErrors, credits: credits ? credits.textContent : ""});
		});
		map.fitBounds([[13.500, 43.600], [13.535, 43.620]], {padding: 8, duration: 0});
		map.triggerRepaint(); // idle comes after a frame, even if the camera did not move
	})`, &got, func(p *runtimeEvaluate) *runtimeEvaluate { return p.WithAwaitPromise(true) }))
	browsertest.Screenshot(t, ctx, "totem-basemap-it")
	t.Logf("drawn from the tiles: %v", got.Layers)
	for _, e := range got.Errors {
		t.Errorf("map error: %s", e)
	}
	// OpenStreetMap is credited while its data is drawn; at street level
	// the built-in basemap (Natural Earth) gives way to it.
	if !strings.Contains(got.Credits, "© OpenStreetMap contributors") || strings.Contains(got.Credits, "Natural Earth") {
		t.Errorf("the map's credits at street level: %q", got.Credits)
	}
	for _, l := range []string{"land", "sea", "coast"} {
		if got.Layers[l] != 0 {
			t.Errorf("at street level the map drew Natural Earth's %s over the tiles", l)
		}
	}
	for _, l := range []string{"landcover", "landuse", "park", "water", "waterway", "building", "transportation", "boundary"} {
		if got.Layers[l] == 0 {
			t.Errorf("the map drew no %s features (drew %v)", l, got.Layers)
		}
		if !drawn[l] {
			t.Errorf("the style has no layer for %s", l)
		}
	}
}

// keepMaps runs before the page's scripts: it keeps every MapLibre map the
// page makes in window.__puntoMaps, and their errors, for the test to ask.
const keepMaps = `(() => {
	window.__puntoMaps = [];
	window.__puntoMapErrors = [];
	let lib;
	Object.defineProperty(window, "maplibregl", {
		configurable: true,
		get() { return lib; },
		set(v) {
			let Kept;
			lib = new Proxy(v, { get(target, prop, recv) {
				const x = Reflect.get(target, prop, recv);
				if (prop !== "Map" || typeof x !== "function") return x;
				Kept ||= class extends x {
					constructor(options) {
						super(options);
						window.__puntoMaps.push(this);
						this.on("error", (e) => window.__puntoMapErrors.push(String(e.error && e.error.message || e.error)));
					}
				};
				return Kept;
			} });
		},
	});
})();`

// checkMBTiles checks the tiles table and decodes the zoom-14 tiles over
// the corner of Ancona; it returns the file's vector layers and their
// fields, from its metadata.
func checkMBTiles(t *testing.T, path string) map[string]map[string]string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n, minZ, maxZ int
	if err := db.QueryRow("SELECT count(*), min(zoom_level), max(zoom_level) FROM tiles").Scan(&n, &minZ, &maxZ); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d tiles, zoom %d to %d", filepath.Base(path), n, minZ, maxZ)
	if n == 0 || minZ != 0 || maxZ != 14 {
		t.Fatalf("%d tiles from zoom %d to %d, want tiles from 0 to 14", n, minZ, maxZ)
	}
	meta := map[string]string{}
	rows, err := db.Query("SELECT name, value FROM metadata")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k, v string
		rows.Scan(&k, &v)
		meta[k] = v
	}
	rows.Close()
	if meta["format"] != "pbf" {
		t.Errorf("metadata format %q, want pbf", meta["format"])
	}
	var tileJSON struct {
		VectorLayers []struct {
			ID     string
			Fields map[string]string
		} `json:"vector_layers"`
	}
	if err := json.Unmarshal([]byte(meta["json"]), &tileJSON); err != nil {
		t.Fatalf("metadata json: %v", err)
	}
	layers := map[string]map[string]string{}
	for _, l := range tileJSON.VectorLayers {
		layers[l.ID] = l.Fields
	}

	// Every feature of the zoom-14 tiles, as layer → class values.
	classes := map[string][]string{}
	count := map[string]int{}
	rows, err = db.Query("SELECT tile_data FROM tiles WHERE zoom_level = 14")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			t.Fatal(err)
		}
		decoded, err := mvt.UnmarshalGzipped(data)
		if err != nil {
			t.Fatalf("a zoom-14 tile does not decode: %v", err)
		}
		for _, l := range decoded {
			for _, f := range l.Features {
				count[l.Name]++
				if c, ok := f.Properties["class"].(string); ok && !slices.Contains(classes[l.Name], c) {
					classes[l.Name] = append(classes[l.Name], c)
				}
				if l.Name == "place" && f.Properties["name:latin"] != "Ancona" {
					t.Errorf("place %v", f.Properties)
				}
			}
		}
	}
	for _, c := range classes {
		sort.Strings(c)
	}
	t.Logf("zoom 14: features %v, classes %v", count, classes)
	for layer, want := range map[string][]string{
		"transportation": {"minor", "path", "primary", "rail"},
		"water":          {"lake", "ocean"},
		"waterway":       {"river"},
		"landcover":      {"grass"},
		"landuse":        {"residential"},
		"park":           {"nature_reserve"},
		"place":          {"city"},
	} {
		for _, c := range want {
			if !slices.Contains(classes[layer], c) {
				t.Errorf("zoom 14: no %s of class %s (classes %v)", layer, c, classes[layer])
			}
		}
	}
	if count["building"] < 4 {
		t.Errorf("zoom 14: %d buildings, want the 4 houses", count["building"])
	}
	if count["boundary"] == 0 {
		t.Error("zoom 14: no boundary")
	}
	return layers
}

// getFields lists the feature properties a style expression reads with
// ["get", NAME].
func getFields(exprs ...any) []string {
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case []any:
			if len(v) == 2 && v[0] == "get" {
				if s, ok := v[1].(string); ok {
					out = append(out, s)
				}
			}
			for _, x := range v {
				walk(x)
			}
		case map[string]any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	for _, e := range exprs {
		walk(e)
	}
	return out
}

package kiosk

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/punto-totem/punto/internal/browsertest"
)

// keepMap runs before the page's scripts: it keeps the last MapLibre map
// the page makes in window.__map, and the maps' errors in window.__mapErrors.
const keepMap = `(() => {
	window.__mapErrors = [];
	window.__logs = [];
	window.addEventListener("error", (e) => window.__logs.push(String(e.message)));
	window.addEventListener("unhandledrejection", (e) => window.__logs.push(String(e.reason && e.reason.stack || e.reason)));
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
						window.__map = this;
						this.on("error", (e) => window.__mapErrors.push(String(e.error && e.error.message || e.error)));
					}
				};
				return Kept;
			} });
		},
	});
})();`

// mapState (a function of idle) waits for the next frames, or with idle
// until the map on show has drawn every tile and source, and reports what
// it drew: the basemap's layers under a few pixels, the
// boxes of the pins, the star and the names, and the credits shown.
const mapState = `(idle) => new Promise((resolve) => {
	const map = window.__map;
	let timer;
	const report = () => {
		clearTimeout(timer);
		const rect = (e) => { const r = e.getBoundingClientRect(); return {x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; };
		const layers = {};
		for (const f of map.queryRenderedFeatures()) layers[f.layer.id] = (layers[f.layer.id] || 0) + 1;
		const pins = [...document.querySelectorAll("#map .pin")];
		resolve({
			layers,
			pins: pins.map(rect),
			pinFont: pins.length ? parseFloat(getComputedStyle(pins[0]).fontSize) : 0,
			star: document.querySelector("#map .here") ? rect(document.querySelector("#map .here")) : null,
			map: rect(document.querySelector("#map")),
			names: [...document.querySelectorAll("#map .place:not([hidden])")].map((e) => ({text: e.textContent, lang: e.lang, ...rect(e)})),
			north: Boolean(document.querySelector("#map .north")),
			controls: [...document.querySelectorAll("#map .north, #map .maplibregl-ctrl")].map(rect),
			credits: document.querySelector("#map .maplibregl-ctrl-attrib") ? document.querySelector("#map .maplibregl-ctrl-attrib").textContent : "",
			errors: window.__mapErrors,
		});
	};
	if (!idle || (map.loaded() && map.areTilesLoaded())) requestAnimationFrame(() => requestAnimationFrame(report));
	else map.once("idle", report);
	timer = setTimeout(() => { window.__mapErrors.push("no idle in 15 s: loaded " + map.loaded() + ", style " + map.isStyleLoaded() + ", logs " + window.__logs); report(); }, 15000);
})`

type mapBox struct{ X0, Y0, X1, Y1 float64 }

func (a mapBox) overlaps(b mapBox) bool {
	return a.X0 < b.X1 && b.X0 < a.X1 && a.Y0 < b.Y1 && b.Y0 < a.Y1
}

type mapReport struct {
	Layers  map[string]int
	Pins    []mapBox
	PinFont float64
	Star    *mapBox
	Map     mapBox
	Names   []struct {
		Text, Lang     string
		X0, Y0, X1, Y1 float64
	}
	North    bool
	Controls []mapBox
	Credits  string
	Errors   []string
}

// TestMapInChromium: with no --tiles, the results map of the demo totem
// draws the built-in basemap (land, sea, coast) with place names, credits
// Natural Earth and GeoNames and shows a north arrow; in the results of
// every category no two pins overlap, the star overlaps no pin, numbers
// are at least 20 px, and no name hides under a pin. On the totem (Arabic,
// 1080×1920) and on a phone (Chinese, 390×844, the map tab). Pointing at
// a result in the list draws its line from "you are here".
func TestMapInChromium(t *testing.T) {
	t.Parallel()
	srv := newTestServerWith(t, func(c *Config) { c.IdleSeconds = 600 })
	base := listen(t, srv)
	_, body := get(t, srv, "/api/v1/categories?lang=it")
	var categories []string
	for _, c := range body["categories"].([]any) {
		c := c.(map[string]any)
		if c["services"].(float64) > 0 {
			categories = append(categories, c["id"].(string))
		}
	}
	if len(categories) < 10 {
		t.Fatalf("categories with services: %v", categories)
	}
	for _, size := range []struct {
		name, url, lang string
		w, h            int64
	}{{"totem", "/?kiosk=1", "ar", 1080, 1920}, {"phone", "/", "zh", 390, 844}} {
		t.Run(size.name, func(t *testing.T) {
			t.Parallel()
			ctx := browsertest.Start(t, size.w, size.h, 150*time.Second)
			runIn(t, ctx, chromedp.ActionFunc(func(ctx context.Context) error {
				_, err := page.AddScriptToEvaluateOnNewDocument(keepMap).Do(ctx)
				return err
			}))
			runIn(t, ctx, chromedp.Navigate(base+size.url))
			if size.name == "totem" {
				runIn(t, ctx, screenShown("attract"), browsertest.Click(".attract"))
			} else {
				runIn(t, ctx, screenShown("home"), browsertest.Click("#lang"))
			}
			runIn(t, ctx, screenShown("languages"), browsertest.Click(`.lang[lang="`+size.lang+`"]`), screenShown("home"))
			for i, cat := range categories {
				runIn(t, ctx, browsertest.Click(`.tile[data-category="`+cat+`"]`), screenShown("results"))
				if size.name == "phone" {
					// A visitor reading the list has loaded no map: no
					// MapLibre, no canvas, until the map's tab is opened.
					if i == 0 {
						var loaded bool
						runIn(t, ctx, browsertest.Visible("#list .row"),
							chromedp.Evaluate(`Boolean(window.maplibregl || document.querySelector('script[src*="maplibre"], #map canvas'))`, &loaded))
						if loaded {
							t.Errorf("%s: the map is loaded while the list is on show", cat)
						}
					}
					runIn(t, ctx, browsertest.Click(`[data-tab="map"]`))
				}
				if err := chromedp.Run(ctx, browsertest.Poll(`window.__map && document.querySelectorAll("#map .pin").length > 0`, nil,
					chromedp.WithPollingTimeout(20*time.Second))); err != nil {
					var why any
					chromedp.Run(ctx, chromedp.Evaluate(`({errors: window.__mapErrors, logs: window.__logs, map: Boolean(window.__map), html: (document.querySelector("#map") || {outerHTML: "no #map"}).outerHTML.slice(0, 800)})`, &why))
					t.Fatalf("%s: the map drew no pins: %v\n%v", cat, err, why)
				}
				// The region is busy while the basemap loads, then settles.
				if err := chromedp.Run(ctx, browsertest.Poll(`document.querySelector("#map").getAttribute("aria-busy") === "false"`, nil,
					chromedp.WithPollingTimeout(20*time.Second))); err != nil {
					t.Errorf("%s %s: the map stays busy: %v", size.name, cat, err)
				}
				var got mapReport
				// The basemap is checked once, when it has drawn everything;
				// the pins at every category, as soon as they are laid out.
				runIn(t, ctx, chromedp.Evaluate(fmt.Sprintf("(%s)(%v)", mapState, i == 0), &got, awaitPromise))
				checkMap(t, fmt.Sprintf("%s %s %s", size.name, size.lang, cat), got, size.name == "totem")
				if i == 0 {
					checkBasemap(t, size.name, got, size.lang)
					browsertest.Screenshot(t, ctx, size.name+"-map-"+size.lang)
					browsertest.Axe(t, ctx, size.name+" results map")
					if size.name == "totem" {
						checkLine(t, ctx)
					}
				}
				runIn(t, ctx, browsertest.Click("#back"), screenShown("home"))
			}
		})
	}
}

func awaitPromise(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }

func checkMap(t *testing.T, what string, got mapReport, star bool) {
	t.Helper()
	for _, e := range got.Errors {
		t.Errorf("%s: map error: %s", what, e)
	}
	if got.PinFont < 20 {
		t.Errorf("%s: pin numbers are %.0f px, want at least 20", what, got.PinFont)
	}
	if star && got.Star == nil {
		t.Errorf("%s: no \"you are here\"", what)
	}
	for i, a := range got.Pins {
		if got.Star != nil && a.overlaps(*got.Star) {
			t.Errorf("%s: the star %v overlaps pin %d %v", what, *got.Star, i+1, a)
		}
		for j := i + 1; j < len(got.Pins); j++ {
			if a.overlaps(got.Pins[j]) {
				t.Errorf("%s: pin %d %v overlaps pin %d %v", what, i+1, a, j+1, got.Pins[j])
			}
		}
		for _, c := range got.Controls {
			if a.overlaps(c) {
				t.Errorf("%s: pin %d %v lies under the map's control %v", what, i+1, a, c)
			}
		}
		for _, n := range got.Names {
			if a.overlaps(mapBox{n.X0, n.Y0, n.X1, n.Y1}) {
				t.Errorf("%s: the name %q %v lies under pin %d %v", what, n.Text, mapBox{n.X0, n.Y0, n.X1, n.Y1}, i+1, a)
			}
		}
	}
	for _, n := range got.Names {
		for _, c := range got.Controls {
			if c.overlaps(mapBox{n.X0, n.Y0, n.X1, n.Y1}) {
				t.Errorf("%s: the name %q lies under the map's control %v", what, n.Text, c)
			}
		}
	}
	if !got.North {
		t.Errorf("%s: no north arrow", what)
	}
}

// checkBasemap: land, sea and coast drawn from the built-in basemap, names
// on the map, some in the visitor's script, and the credits.
func checkBasemap(t *testing.T, what string, got mapReport, lang string) {
	t.Helper()
	t.Logf("%s: layers drawn %v; %d names: %v; credits %q", what, got.Layers, len(got.Names), got.Names, got.Credits)
	for _, l := range []string{"land", "sea", "coast"} {
		if got.Layers[l] == 0 {
			t.Errorf("%s: the map drew no %s (drew %v)", what, l, got.Layers)
		}
	}
	own := 0
	for _, n := range got.Names {
		if n.Lang == lang {
			own++
		}
	}
	if len(got.Names) < 3 || own == 0 {
		t.Errorf("%s: %d names on the map, %d in %s: %v", what, len(got.Names), own, lang, got.Names)
	}
	for _, want := range []string{"Natural Earth", "GeoNames"} {
		if !strings.Contains(got.Credits, want) {
			t.Errorf("%s: the credits %q do not name %s", what, got.Credits, want)
		}
	}
}

// checkLine: pointing at the second result in the list draws a line from
// "you are here" to its pin, and marks the pin.
func checkLine(t *testing.T, ctx context.Context) {
	t.Helper()
	var line struct {
		Routes   int
		Selected string
		Want     string
	}
	runIn(t, ctx, chromedp.Evaluate(`(() => {
		const row = document.querySelectorAll("#list .row")[1];
		row.dispatchEvent(new PointerEvent("pointerover", {bubbles: true}));
		return {routes: document.querySelectorAll("#map .map-lines .route").length,
			selected: (document.querySelector("#map .pin.selected") || {dataset: {}}).dataset.id || "",
			want: row.dataset.id};
	})()`, &line))
	if line.Routes != 1 || line.Selected != line.Want {
		t.Errorf("pointing at result 2 (%s): %d lines drawn, pin %q marked", line.Want, line.Routes, line.Selected)
	}
	browsertest.Screenshot(t, ctx, "totem-map-line")
}

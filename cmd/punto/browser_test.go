package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/punto-totem/punto/internal/browsertest"
	"github.com/punto-totem/punto/internal/testenv"
)

const publicURL = "http://punto.example"

type runtimeEvaluate = runtime.EvaluateParams

// startTotem runs `punto totem` on loopback on a fresh demo catalog and
// returns its base URL; it stops with the test.
func startTotem(t *testing.T, extra ...string) string {
	t.Helper()
	base, _ := startStoppableTotem(t, extra...)
	return base
}

// startStoppableTotem is startTotem that also returns a func stopping the
// server, as when a phone loses the network.
func startStoppableTotem(t *testing.T, extra ...string) (string, func()) {
	t.Helper()
	db := testenv.DemoCatalog(t) // what --demo would create on the first start
	addr := testenv.FreeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var stderr bytes.Buffer
	args := append([]string{"totem", "--db", db, "--addr", addr, "--demo", "--public-url", publicURL}, extra...)
	go func() { done <- run(ctx, args, &bytes.Buffer{}, &stderr) }()
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	base := "http://" + addr
	waitUp(t, base, &stderr)
	return base, stop
}

// browser starts Debian's chromium, headless, with a fresh profile.
func browser(t *testing.T, width, height int64) context.Context {
	t.Helper()
	return browsertest.Start(t, width, height, 3*time.Minute) // the whole flow, on a loaded machine
}

func must(t *testing.T, ctx context.Context, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

func screen(name string) chromedp.Action {
	return browsertest.Visible(fmt.Sprintf(`body[data-screen=%q] main > .page > *`, name))
}

// axeCheck runs axe-core on the page and fails on serious or critical
// violations.
func axeCheck(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	browsertest.Axe(t, ctx, what)
}

// TestKioskFlow walks the totem as a visitor in Arabic: attract, language,
// categories, results sorted by distance, a detail and its QR code.
func TestKioskFlow(t *testing.T) {
	t.Parallel()
	base := startTotem(t)
	for _, size := range []struct {
		name string
		w, h int64
	}{{"totem", 1080, 1920}, {"phone", 390, 844}} {
		t.Run(size.name, func(t *testing.T) {
			t.Parallel()
			ctx := browser(t, size.w, size.h)
			must(t, ctx, chromedp.Navigate(base+"/?kiosk=1"), screen("attract"))
			browsertest.Screenshot(t, ctx, size.name+"-1-attract")
			axeCheck(t, ctx, "attract")
			must(t, ctx, browsertest.Click(".attract"), screen("languages"))
			browsertest.Screenshot(t, ctx, size.name+"-2-languages")
			axeCheck(t, ctx, "languages")
			must(t, ctx, browsertest.Click(`.lang[lang="ar"]`), screen("home"))
			var dir, lang string
			must(t, ctx, chromedp.Evaluate(`document.documentElement.dir`, &dir), chromedp.Evaluate(`document.documentElement.lang`, &lang))
			if dir != "rtl" || lang != "ar" {
				t.Fatalf("after choosing Arabic: dir=%q lang=%q", dir, lang)
			}
			// The notice for this totem's territory is on the screen.
			must(t, ctx, browsertest.Visible("#alerts .alert"))
			browsertest.Screenshot(t, ctx, size.name+"-3-home-ar")
			axeCheck(t, ctx, "home ar")
			if size.name == "totem" {
				if small := smallTargets(t, ctx); len(small) > 0 {
					t.Errorf("touch targets under 48 px at home: %v", small)
				}
			}
			must(t, ctx, browsertest.Click(".tile.info"), screen("pages"),
				browsertest.Click(".row"), screen("page"))
			browsertest.Screenshot(t, ctx, size.name+"-3b-page-ar")
			axeCheck(t, ctx, "page ar")
			must(t, ctx, browsertest.Click("#home"), screen("home"))

			must(t, ctx, browsertest.Click(`.tile[data-category="health"]`), screen("results"))
			var dists []float64
			must(t, ctx, chromedp.Evaluate(`[...document.querySelectorAll(".row")].map(b => +b.dataset.distance)`, &dists))
			if len(dists) < 3 {
				t.Fatalf("%d results", len(dists))
			}
			for i := 1; i < len(dists); i++ {
				if dists[i] < dists[i-1] {
					t.Fatalf("results not sorted by distance: %v", dists)
				}
			}
			// The map shows the totem and a tappable marker per result (on the
			// totem, at any size, above the list: no tabs).
			var pins int
			must(t, ctx, browsertest.Visible(".maplibregl-canvas"), browsertest.Visible(".here"),
				chromedp.Evaluate(`document.querySelectorAll(".pin").length`, &pins))
			if pins != len(dists) {
				t.Errorf("%d markers for %d results", pins, len(dists))
			}
			must(t, ctx, chromedp.Sleep(500*time.Millisecond))
			browsertest.Screenshot(t, ctx, size.name+"-4-results-ar")
			axeCheck(t, ctx, "results ar")
			noSidewaysScroll(t, ctx, size.name+" results")
			if size.name == "totem" {
				if small := smallTargets(t, ctx); len(small) > 0 {
					t.Errorf("touch targets under 48 px on the results: %v", small)
				}
			}

			var id string
			must(t, ctx, chromedp.Evaluate(`document.querySelector(".row").dataset.id`, &id),
				browsertest.Click(".row"), screen("detail"), browsertest.Visible("#qr"))
			browsertest.Screenshot(t, ctx, size.name+"-5-detail-ar")
			axeCheck(t, ctx, "detail ar")
			noSidewaysScroll(t, ctx, size.name+" detail")
			if got, want := decodeQR(t, base, ctx), publicURL+"/s/"+id+"?lang=ar"; got != want {
				t.Errorf("QR code reads %q, want %q", got, want)
			}
			// Back is one tap away, and goes back.
			must(t, ctx, browsertest.Click("#back"), screen("results"))
			must(t, ctx, browsertest.Click("#home"), screen("home"))

			// Search with the on-screen keyboard, in Arabic script.
			must(t, ctx, browsertest.Click(".tile.search"), screen("search"),
				browsertest.Visible(`.simple-keyboard [data-skbtn="ا"]`))
			for _, key := range []string{"م", "ك", "ت", "ب"} {
				must(t, ctx, browsertest.Click(fmt.Sprintf(`.simple-keyboard [data-skbtn=%q]`, key)))
			}
			var typed string
			must(t, ctx, chromedp.Value("#q", &typed, chromedp.ByQuery), browsertest.Visible(".suggest .row"))
			if typed != "مكتب" {
				t.Errorf("typed %q on the keyboard", typed)
			}
			browsertest.Screenshot(t, ctx, size.name+"-6-search-keyboard-ar")
			noSidewaysScroll(t, ctx, size.name+" search")
			if size.name == "totem" {
				if small := smallTargets(t, ctx); len(small) > 0 {
					t.Errorf("touch targets under 48 px on the search screen: %v", small)
				}
			}
			axeCheck(t, ctx, "search ar")
		})
	}
}

// smallTargets lists the visible buttons, fields and links smaller than 48
// CSS pixels either way: a finger needs at least that on a totem.
func smallTargets(t *testing.T, ctx context.Context) []string {
	t.Helper()
	var small []string
	must(t, ctx, chromedp.Evaluate(`[...document.querySelectorAll("button, a[href], input, select, [role=button]")]
		.filter(e => e.offsetParent !== null && getComputedStyle(e).visibility !== "hidden")
		.map(e => [e, e.getBoundingClientRect()])
		.filter(([e, r]) => r.width < 47.5 || r.height < 47.5)
		.map(([e, r]) => e.tagName + "." + e.className + " " + Math.round(r.width) + "×" + Math.round(r.height))`, &small))
	return small
}

// noSidewaysScroll fails when the page is wider than the screen.
func noSidewaysScroll(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	var wide bool
	must(t, ctx, chromedp.Evaluate(`document.documentElement.scrollWidth > innerWidth + 1`, &wide))
	if wide {
		t.Errorf("%s: the page is wider than the screen", what)
	}
}

// decodeQR reads the detail page's QR code as the screen shows it: the
// code brought into sight (on the totem the page scrolls inside the reach
// zone), the screen captured and cut to the code's box.
func decodeQR(t *testing.T, base string, ctx context.Context) string {
	t.Helper()
	var box struct{ X, Y, W, H float64 }
	var shot []byte
	must(t, ctx, chromedp.Evaluate(`document.querySelector("#qr").scrollIntoView({block: "center"})`, nil),
		browsertest.Poll(`document.querySelector("#qr").complete`, nil),
		chromedp.Evaluate(`(() => { const r = document.querySelector("#qr").getBoundingClientRect(); return {X: r.x, Y: r.y, W: r.width, H: r.height}; })()`, &box),
		chromedp.CaptureScreenshot(&shot))
	img, _, err := image.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	sub, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	})
	if !ok {
		t.Fatalf("a screenshot of type %T cannot be cut", img)
	}
	const margin = 12 // the quiet zone around the code
	cut := sub.SubImage(image.Rect(int(box.X)-margin, int(box.Y)-margin, int(box.X+box.W)+margin, int(box.Y+box.H)+margin))
	var out bytes.Buffer
	if err := png.Encode(&out, cut); err != nil {
		t.Fatal(err)
	}
	return browsertest.DecodeQR(t, out.Bytes())
}

// TestIdleReset: after the idle time the attract screen is back and the
// visit is gone: language, search text, history.
func TestIdleReset(t *testing.T) {
	t.Parallel()
	base := startTotem(t)
	ctx := browser(t, 1080, 1920)
	// The screens of a visit in Chinese, with the node's idle time (a
	// minute): time enough to look at them.
	visit := []chromedp.Action{screen("attract"),
		browsertest.Click(".attract"), screen("languages"),
		browsertest.Click(`.lang[lang="zh"]`), screen("home")}
	search := []chromedp.Action{browsertest.Click(".tile.search"), screen("search"),
		chromedp.SendKeys("#q", "mediaz", chromedp.ByQuery)}
	must(t, ctx, append([]chromedp.Action{chromedp.Navigate(base + "/?kiosk=1")}, visit...)...)
	browsertest.Screenshot(t, ctx, "totem-6-home-zh")
	axeCheck(t, ctx, "home zh")
	must(t, ctx, append(search, browsertest.Visible(".suggest .row"))...)
	browsertest.Screenshot(t, ctx, "totem-7-search-zh")
	axeCheck(t, ctx, "search zh")
	// The same visit on a screen told to idle after 20 s (long enough for
	// the clicks on a loaded machine; the countdown of the last 10 s
	// blocks nothing), then left untouched: the attract screen comes back.
	must(t, ctx, append([]chromedp.Action{chromedp.Navigate(base + "/?kiosk=1&idle=20")}, append(visit, search...)...)...)
	idle, cancel := context.WithTimeout(ctx, 45*time.Second)
	defer cancel()
	if err := chromedp.Run(idle, screen("attract")); err != nil {
		t.Fatalf("the screen did not idle back to the attract screen: %v", err)
	}
	var left struct {
		Lang, Dir  string
		Search     bool
		BackActive bool
		Storage    int
	}
	must(t, ctx, chromedp.Evaluate(`({
		Lang: document.documentElement.lang, Dir: document.documentElement.dir,
		Search: !!document.querySelector("#q") || document.body.innerText.includes("mediaz"),
		BackActive: !document.querySelector("#back").disabled,
		Storage: localStorage.length + sessionStorage.length + document.cookie.length,
	})`, &left))
	if left.Lang != "it" || left.Dir != "ltr" || left.Search || left.BackActive || left.Storage != 0 {
		t.Errorf("after idle: %+v", left)
	}
	// The next visitor starts from the language picker, with no history.
	must(t, ctx, browsertest.Click(".attract"), screen("languages"))
	var hidden bool
	must(t, ctx, chromedp.Evaluate(`document.querySelector("#bar").hidden`, &hidden))
	if !hidden {
		t.Error("the navigation bar shows before a language is chosen")
	}
}

// TestOtherHostsBlocked: the page can reach nothing but its own node.
func TestOtherHostsBlocked(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer other.Close()
	base := startTotem(t)
	ctx := browser(t, 390, 844)
	must(t, ctx, chromedp.Navigate(base+"/"), browsertest.Visible("main > .page > *"))
	var blocked bool
	must(t, ctx, chromedp.Evaluate(fmt.Sprintf(`fetch(%q).then(() => false, () => true)`, other.URL+"/beacon"), &blocked,
		func(p *runtimeEvaluate) *runtimeEvaluate { return p.WithAwaitPromise(true) }))
	var violations int
	must(t, ctx, chromedp.Evaluate(fmt.Sprintf(`new Promise(res => {
		let n = 0;
		document.addEventListener("securitypolicyviolation", () => n++);
		const img = document.createElement("img");
		img.src = %q;
		document.body.append(img);
		setTimeout(() => res(n), 1000);
	})`, other.URL+"/pixel.png"), &violations, func(p *runtimeEvaluate) *runtimeEvaluate { return p.WithAwaitPromise(true) }))
	if !blocked || violations == 0 || hits.Load() != 0 {
		t.Errorf("fetch blocked=%v, CSP violations=%d, requests that reached the other host=%d", blocked, violations, hits.Load())
	}
}

// TestPhoneDeepLink: the QR's deep link opens the detail on its own, in
// the language it names.
func TestPhoneDeepLink(t *testing.T) {
	t.Parallel()
	base := startTotem(t)
	ctx := browser(t, 390, 844)
	must(t, ctx, chromedp.Navigate(base+"/s/ancona-info-0?lang=fr"), screen("detail"))
	var title, lang string
	must(t, ctx, chromedp.Text("h1", &title, chromedp.ByQuery), chromedp.Evaluate(`document.documentElement.lang`, &lang))
	if lang != "fr" || !strings.Contains(title, "Ancona") {
		t.Errorf("deep link: lang %q, title %q", lang, title)
	}
	browsertest.Screenshot(t, ctx, "phone-8-deeplink-fr")
	axeCheck(t, ctx, "deep link fr")
	// A link to a service that is gone says so.
	var msg string
	must(t, ctx, chromedp.Navigate(base+"/s/no-such-service?lang=en"), browsertest.Visible(".error"),
		chromedp.Text(".error", &msg, chromedp.ByQuery))
	if !strings.Contains(msg, "no longer available") {
		t.Errorf("unknown service: %q", msg)
	}
	var manifest map[string]any
	res, err := http.Get(base + "/manifest.webmanifest")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(res.Body).Decode(&manifest)
	res.Body.Close()
	if manifest["start_url"] != "/" {
		t.Errorf("manifest: %v", manifest)
	}
}

// TestPhoneOffline: a page once visited on a phone opens again with the
// network gone, from the service worker's cache.
func TestPhoneOffline(t *testing.T) {
	t.Parallel()
	base, stop := startStoppableTotem(t)
	ctx := browser(t, 390, 844)
	deep := base + "/s/jesi-legal-20?lang=ar"
	var ready bool
	must(t, ctx, chromedp.Navigate(deep), screen("detail"),
		chromedp.Evaluate(`navigator.serviceWorker.ready.then(() => true)`, &ready, func(p *runtimeEvaluate) *runtimeEvaluate { return p.WithAwaitPromise(true) }),
		// Now controlled by the worker: this visit fills its cache.
		chromedp.Reload(), screen("detail"), browsertest.Visible(".hours"), chromedp.Sleep(500*time.Millisecond))
	stop() // the network is gone
	var title string
	must(t, ctx, chromedp.Reload(), screen("detail"), chromedp.Text("h1", &title, chromedp.ByQuery))
	if !ready || !strings.Contains(title, "Jesi") {
		t.Errorf("offline: worker ready %v, page title %q", ready, title)
	}
	browsertest.Screenshot(t, ctx, "phone-9-offline-ar")
}

// TestExternalLinksAreQR: on the totem a service's website is a QR code,
// never a link out of the app; on a phone it is a link.
func TestExternalLinksAreQR(t *testing.T) {
	t.Parallel()
	base := startTotem(t)
	ctx := browser(t, 1080, 1920)
	var out struct{ Links, Codes int }
	must(t, ctx, chromedp.Navigate(base+"/s/ancona-info-0?lang=it&kiosk=1"), browsertest.Visible(`img[src$="/website.svg"]`),
		chromedp.Evaluate(`({Links: [...document.querySelectorAll("a[href]")].filter(a => new URL(a.href).origin !== location.origin).length,
			Codes: document.querySelectorAll('img[src$="/website.svg"]').length})`, &out))
	if out.Links != 0 || out.Codes != 1 {
		t.Errorf("totem: %d links out, %d website codes", out.Links, out.Codes)
	}
	browsertest.Screenshot(t, ctx, "totem-9-detail-website-it")
	axeCheck(t, ctx, "detail it")
	must(t, ctx, chromedp.Navigate(base+"/s/ancona-info-0?lang=it"), browsertest.Visible(`a[href^="https://www.example.org/"]`))
}

// TestAccessibilityInItalianAndChinese: axe-core finds no serious or
// critical violation on the screens of a visit in Italian and in Chinese,
// on the totem and on a phone (TestKioskFlow covers Arabic).
func TestAccessibilityInItalianAndChinese(t *testing.T) {
	t.Parallel()
	base := startTotem(t)
	for _, lang := range []string{"it", "zh"} {
		for _, size := range []struct {
			name string
			w, h int64
		}{{"totem", 1080, 1920}, {"phone", 390, 844}} {
			t.Run(lang+"/"+size.name, func(t *testing.T) {
				t.Parallel()
				ctx := browser(t, size.w, size.h)
				must(t, ctx, chromedp.Navigate(base+"/?kiosk=1"), screen("attract"), browsertest.Click(".attract"), screen("languages"),
					browsertest.Click(fmt.Sprintf(`.lang[lang=%q]`, lang)), screen("home"))
				axeCheck(t, ctx, lang+" home")
				browsertest.Screenshot(t, ctx, fmt.Sprintf("%s-home-%s", size.name, lang))
				must(t, ctx, browsertest.Click(`.tile[data-category="language"]`), screen("results"), browsertest.Present(".pin"))
				axeCheck(t, ctx, lang+" results")
				browsertest.Screenshot(t, ctx, fmt.Sprintf("%s-results-%s", size.name, lang))
				must(t, ctx, browsertest.Click(".row"), screen("detail"), browsertest.Visible("#qr"))
				axeCheck(t, ctx, lang+" detail")
				browsertest.Screenshot(t, ctx, fmt.Sprintf("%s-detail-%s", size.name, lang))
				must(t, ctx, browsertest.Click("#home"), screen("home"), browsertest.Click(".tile.info"), screen("pages"))
				axeCheck(t, ctx, lang+" pages")
				must(t, ctx, browsertest.Click("#home"), screen("home"), browsertest.Click(".tile.search"), screen("search"))
				axeCheck(t, ctx, lang+" search")
				// Larger text and high contrast stay accessible.
				must(t, ctx, browsertest.Click("#big"), browsertest.Click("#contrast"))
				axeCheck(t, ctx, lang+" search, larger text, high contrast")
				noSidewaysScroll(t, ctx, lang+" search, larger text")
				browsertest.Screenshot(t, ctx, fmt.Sprintf("%s-search-contrast-%s", size.name, lang))
			})
		}
	}
}

// TestKeyboardOnly: on a phone or desktop every step works from the
// keyboard: Tab reaches the controls in order, Enter activates them.
func TestKeyboardOnly(t *testing.T) {
	t.Parallel()
	base := startTotem(t)
	ctx := browser(t, 1280, 900)
	must(t, ctx, chromedp.Navigate(base+"/?lang=en"), browsertest.Visible("main .tile"))
	// Tab from the top of the page until the health tile has the focus.
	var focused string
	for range 40 {
		must(t, ctx, chromedp.KeyEvent("\t"), chromedp.Evaluate(`document.activeElement.dataset.category || ""`, &focused))
		if focused == "health" {
			break
		}
	}
	if focused != "health" {
		t.Fatal("Tab never reached the health tile")
	}
	var outline string
	must(t, ctx, chromedp.Evaluate(`getComputedStyle(document.activeElement).outlineStyle`, &outline))
	if outline == "none" {
		t.Error("the focused tile shows no focus outline")
	}
	must(t, ctx, chromedp.KeyEvent("\r"), screen("results"), chromedp.Focus(".row", chromedp.ByQuery), chromedp.KeyEvent("\r"), screen("detail"))
}

package kiosk

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/punto-totem/punto/internal/browsertest"
)

// TestFacingInAPI: a totem facing east (--facing 90) says on which side
// each result lies, when measured from the totem itself, and its label
// says so in the visitor's language; measured from anywhere else (a
// phone's position) the compass stays.
func TestFacingInAPI(t *testing.T) {
	t.Parallel()
	east := 90.0
	srv := newTestServerWith(t, func(c *Config) { c.Screen = Screen{Facing: &east} })
	_, b := get(t, srv, "/api/v1/services/nearby?category=health&lang=it&limit=10")
	want := map[float64]string{}
	for _, r := range b["results"].([]any) {
		row := r.(map[string]any)
		bearing := row["bearing_deg"].(float64)
		var side string
		switch d := int(bearing-east+360+45) % 360; {
		case d < 90:
			side = "ahead"
		case d < 180:
			side = "right"
		case d < 270:
			side = "behind"
		default:
			side = "left"
		}
		want[bearing] = side
		if row["relative"] != side {
			t.Errorf("%s at bearing %v: relative %v, want %s", row["id"], bearing, row["relative"], side)
		}
		label := row["direction_label"].(map[string]any)["text"]
		if label != map[string]string{"ahead": "davanti a te", "right": "alla tua destra", "behind": "dietro di te", "left": "alla tua sinistra"}[side] {
			t.Errorf("%s: label %v for %s", row["id"], label, side)
		}
	}
	if len(want) < 3 {
		t.Fatalf("only %d results", len(want))
	}
	_, b = get(t, srv, "/api/v1/services/nearby?category=health&lang=it&limit=3&lat=43.5&lon=13.2")
	for _, r := range b["results"].([]any) {
		if row := r.(map[string]any); row["relative"] != nil {
			t.Errorf("from another place: relative %v", row["relative"])
		}
	}
}

var minutesOnFoot = regexp.MustCompile(`(\d+) minut[oi] a piedi`)

// TestDirectionsInChromium: on a totem facing east the results say
// "alla tua destra" where a totem without --facing says "sud-ovest"; no
// line offers a walk above 45 minutes (beyond, the distance and "by bus
// or car"). A phone keeps compass words and says where it measures from.
func TestDirectionsInChromium(t *testing.T) {
	t.Parallel()
	east := 90.0
	facing := listen(t, newTestServerWith(t, func(c *Config) { c.IdleSeconds = 600; c.Screen = Screen{Facing: &east} }))
	plain := listen(t, newTestServerWith(t, func(c *Config) { c.IdleSeconds = 600 }))
	ctx := browsertest.Start(t, 1080, 1920, 120*time.Second)
	firstWays := func() []string {
		t.Helper()
		var ways []string
		runIn(t, ctx, browsertest.Visible(".tile.search"),
			browsertest.Click(`.tile[data-category="health"]`), browsertest.Visible("#list .row"),
			chromedp.Evaluate(`[...document.querySelectorAll("#list .way")].map(w => w.textContent)`, &ways))
		return ways
	}
	runIn(t, ctx, chromedp.Navigate(facing+"/?kiosk=1"), screenShown("attract"), browsertest.Click(`.lang[lang="it"]`), screenShown("home"))
	turned := firstWays()
	browsertest.Screenshot(t, ctx, "totem-results-facing-it")
	runIn(t, ctx, chromedp.Navigate(plain+"/?kiosk=1"), screenShown("attract"), browsertest.Click(`.lang[lang="it"]`), screenShown("home"))
	compass := firstWays()
	if len(turned) == 0 || len(turned) != len(compass) {
		t.Fatalf("%d and %d results", len(turned), len(compass))
	}
	// The nearest health service lies south-west of the demo totem: to the
	// right of someone looking east.
	if !strings.HasSuffix(compass[0], "sud-ovest") || !strings.HasSuffix(turned[0], "alla tua destra") {
		t.Errorf("first result: %q without facing, %q facing east", compass[0], turned[0])
	}
	byBus := 0
	for _, w := range append(turned, compass...) {
		if m := minutesOnFoot.FindStringSubmatch(w); m != nil {
			if n, _ := strconv.Atoi(m[1]); n > 45 {
				t.Errorf("a walk of %d minutes offered: %q", n, w)
			}
		} else if strings.Contains(w, "in autobus o in auto") {
			byBus++
		} else {
			t.Errorf("neither a walk nor by bus: %q", w)
		}
	}
	if byBus == 0 {
		t.Error("no result far enough to go by bus or car: the test shows nothing")
	}

	// A phone: compass words, and where the distances are from.
	runIn(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(facing+"/"), screenShown("home"),
		browsertest.Click("#lang"), screenShown("languages"), browsertest.Click(`.lang[lang="it"]`), screenShown("home"))
	phone := firstWays()
	var from string
	runIn(t, ctx, chromedp.Text(".from", &from, chromedp.ByQuery))
	if from != "Distanze dal centro di Ancona" {
		t.Errorf("phone: distances %q", from)
	}
	if !strings.HasSuffix(phone[0], "sud-ovest") {
		t.Errorf("phone: first result %q, want compass words", phone[0])
	}
	browsertest.Screenshot(t, ctx, "phone-results-from-it")
	browsertest.Axe(t, ctx, "phone results it")

	// A phone's home asks first where the visitor is; its detail page
	// calls with a tap and opens the address in the phone's maps, and has
	// no code to scan with the phone itself.
	var first string
	runIn(t, ctx, browsertest.Click("#home"), screenShown("home"),
		chromedp.Evaluate(`document.querySelector("#view > .page").firstElementChild.className`, &first))
	if first != "where" {
		t.Errorf("the phone's home starts with %q, want the position and town buttons", first)
	}
	var detail struct {
		Tel, Geo []string
		Codes    int
		From     string
	}
	runIn(t, ctx, chromedp.Navigate(facing+"/s/ancona-info-0?lang=it"), browsertest.Visible(".hours"),
		chromedp.Evaluate(`({Tel: [...document.querySelectorAll("a[href^='tel:']")].map(a => a.getAttribute("href")),
			Geo: [...document.querySelectorAll("a[href^='geo:']")].map(a => a.getAttribute("href")),
			Codes: document.querySelectorAll("img[src*='qr.svg'], img[src$='website.svg'], #qr").length,
			From: (document.querySelector(".detail .from") || {}).textContent || ""})`, &detail))
	if len(detail.Tel) == 0 || !regexp.MustCompile(`^tel:\+39\d{9,}$`).MatchString(detail.Tel[0]) {
		t.Errorf("phone links: %v", detail.Tel)
	}
	if len(detail.Geo) != 1 || !regexp.MustCompile(`^geo:43\.\d+,13\.\d+\?q=43\.\d+,13\.\d+\(.+\)$`).MatchString(detail.Geo[0]) {
		t.Errorf("maps link: %v", detail.Geo)
	}
	if detail.From != "Distanze dal centro di Ancona" {
		t.Errorf("phone detail: distances %q", detail.From)
	}
	if detail.Codes != 0 {
		t.Errorf("%d QR codes on a phone", detail.Codes)
	}
	browsertest.Screenshot(t, ctx, "phone-detail-links-it")
	browsertest.Axe(t, ctx, "phone detail it")
}

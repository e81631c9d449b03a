package kiosk

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/punto-totem/punto/internal/browsertest"
)

var asciiDigit = regexp.MustCompile(`[0-9]`)

// TestNumbersAndScriptsInChromium: Bengali and Persian screens write
// distances, walking times, opening times and list numbers in their own
// digits, with no ASCII digit; the home tiles have a magnifier for search,
// a distinct icon and name for the practical guides, and no aeroplane for
// going home; an Italian paragraph on an Arabic screen runs left to right
// as a whole, and an Italian notice keeps its full stop at its end.
func TestNumbersAndScriptsInChromium(t *testing.T) {
	t.Parallel()
	srv := newTestServerWith(t, func(c *Config) { c.IdleSeconds = 600 })
	id := putPartlyTranslated(t, srv)
	base := listen(t, srv)
	ctx := browsertest.Start(t, 1080, 1920, 150*time.Second)
	for _, tc := range []struct{ lang, digits string }{{"bn", "০-৯"}, {"fa", "۰-۹"}} {
		native := regexp.MustCompile("[" + tc.digits + "]")
		runIn(t, ctx, chromedp.Navigate(base+"/?kiosk=1"), screenShown("attract"), browsertest.Click(fmt.Sprintf(`.lang[lang=%q]`, tc.lang)),
			screenShown("home"), browsertest.Visible(".tile.search img"))
		var icons struct{ Search, Info, Return, InfoName, CategoryName string }
		runIn(t, ctx, chromedp.Evaluate(`({Search: document.querySelector(".tile.search img").getAttribute("src"), Info: document.querySelector(".tile.info img").getAttribute("src"),
			Return: document.querySelector('.tile[data-category="return"] img').getAttribute("src"),
			InfoName: document.querySelector(".tile.info").textContent, CategoryName: document.querySelector('.tile[data-category="info"]').textContent})`, &icons))
		if !strings.HasSuffix(icons.Search, "/search.svg") || !strings.HasSuffix(icons.Info, "/lightbulb.svg") || strings.Contains(icons.Return, "plane") || icons.InfoName == icons.CategoryName {
			t.Errorf("%s home tiles: %+v", tc.lang, icons)
		}
		runIn(t, ctx, browsertest.Click(`.tile[data-category="health"]`), screenShown("results"), browsertest.Visible("#list .row"))
		var texts []string
		runIn(t, ctx, chromedp.Evaluate(`[...document.querySelectorAll("#list .way, #list .open, #list .closed, #list .num")].map(e => e.textContent)`, &texts))
		checkDigits(t, tc.lang+" results", texts, native)
		browsertest.Screenshot(t, ctx, "totem-results-digits-"+tc.lang)
		runIn(t, ctx, browsertest.Click("#list .row"), screenShown("detail"), browsertest.Visible(".hours"),
			chromedp.Evaluate(`[...document.querySelectorAll(".detail .way, .detail .status, .hours td:nth-child(2)")].map(e => e.textContent).filter(s => s.trim())`, &texts))
		checkDigits(t, tc.lang+" detail", texts, native)
		browsertest.Screenshot(t, ctx, "totem-detail-digits-"+tc.lang)
		browsertest.Axe(t, ctx, tc.lang+" detail")
	}

	// Italian on an Arabic screen.
	var it struct {
		Dir, Lang, Computed string
		Stop                bool
	}
	runIn(t, ctx, chromedp.Navigate(base+"/?kiosk=1"), screenShown("attract"), browsertest.Click(`.lang[lang="ar"]`), screenShown("home"),
		browsertest.Visible(`#alerts [data-fallback="it"]`),
		chromedp.Navigate(base+"/s/"+id+"?lang=ar&kiosk=1"), screenShown("detail"), browsertest.Visible(`.detail p[data-fallback="it"]`),
		browsertest.Visible(`#alerts [data-fallback="it"]`),
		chromedp.Evaluate(`(() => {
			const p = document.querySelector(".detail p[data-fallback='it']");
			// The notice's last character, the full stop: at the right end of
			// its isolate, where Italian puts it.
			const bdi = document.querySelector("#alerts [data-fallback='it'] bdi");
			const node = [...bdi.childNodes].reverse().find(n => n.nodeType === 3 && n.textContent.trim());
			const r = document.createRange();
			const end = node.textContent.trimEnd().length;
			r.setStart(node, end - 1);
			r.setEnd(node, end);
			const stop = r.getBoundingClientRect(), box = bdi.getBoundingClientRect();
			return {Dir: p.dir, Lang: p.lang, Computed: getComputedStyle(p).direction,
				Stop: node.textContent.trimEnd().endsWith(".") && Math.abs(stop.right - box.right) < 2};
		})()`, &it))
	if it.Dir != "ltr" || it.Lang != "it" || it.Computed != "ltr" || !it.Stop {
		t.Errorf("Italian on an Arabic screen: %+v", it)
	}
	browsertest.Screenshot(t, ctx, "totem-detail-italian-in-ar")
	browsertest.Axe(t, ctx, "Italian in Arabic")
}

func checkDigits(t *testing.T, what string, texts []string, native *regexp.Regexp) {
	t.Helper()
	if len(texts) < 3 {
		t.Errorf("%s: only %d texts to check", what, len(texts))
	}
	nat := 0
	for _, s := range texts {
		if asciiDigit.MatchString(s) {
			t.Errorf("%s: ASCII digits in %q", what, s)
		}
		if native.MatchString(s) {
			nat++
		}
	}
	if nat == 0 {
		t.Errorf("%s: no native digit in %q", what, texts)
	}
}

package kiosk

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/punto-totem/punto/internal/browsertest"
)

// readReach reads the box of every interactive element on show and lists
// those outside the reach zone the page says it keeps (body.dataset.reach:
// fractions of the screen's height). A box is taken as far as it can be
// seen: clipped by the scrolling boxes around it and by the screen; an
// element scrolled out of sight is skipped (its scroller lies in the
// zone). The map's pins are left out: the map is read above the zone, and
// each pin repeats a row of the list, which lies in it.
const readReach = `(() => {
	const [top, bottom] = document.body.dataset.reach.split(" ").map(Number);
	const H = innerHeight, zt = top * H - 1, zb = bottom * H + 1;
	const sel = "button, a[href], input, select, textarea, [role=button], [tabindex]:not([tabindex='-1'])";
	const outside = [];
	let checked = 0;
	for (const e of document.querySelectorAll(sel)) {
		if (e.closest(".map")) continue;
		const cs = getComputedStyle(e);
		if (cs.visibility === "hidden" || cs.display === "none" || (e.offsetParent === null && cs.position !== "fixed")) continue;
		const r = e.getBoundingClientRect();
		if (r.width === 0 || r.height === 0) continue;
		let t = r.top, b = r.bottom;
		for (let p = e.parentElement; p; p = p.parentElement) {
			const o = getComputedStyle(p).overflowY;
			if (o === "auto" || o === "scroll" || o === "hidden") {
				const pr = p.getBoundingClientRect();
				t = Math.max(t, pr.top);
				b = Math.min(b, pr.bottom);
			}
		}
		t = Math.max(t, 0);
		b = Math.min(b, H);
		if (b <= t) continue;
		checked++;
		if (t < zt || b > zb) outside.push(e.tagName + "." + e.className + " " + JSON.stringify((e.textContent || "").trim().slice(0, 30)) + " " + Math.round(t) + "–" + Math.round(b));
	}
	return {Checked: checked, Outside: outside, Top: zt, Bottom: zb, Scrolls: document.documentElement.scrollHeight > H + 1};
})()`

type reachState struct {
	Checked     int
	Outside     []string
	Top, Bottom float64
	Scrolls     bool
}

func checkReach(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	var st reachState
	runIn(t, ctx, chromedp.Evaluate(readReach, &st))
	if st.Checked == 0 {
		t.Errorf("%s: no control found on screen", what)
	}
	if len(st.Outside) > 0 {
		t.Errorf("%s: %d of %d controls outside the reach zone %.0f–%.0f px: %v", what, len(st.Outside), st.Checked, st.Top, st.Bottom, st.Outside)
	}
	if st.Scrolls {
		t.Errorf("%s: the document scrolls (only the page inside the zone should)", what)
	}
}

// TestReachInChromium: on a portrait (1080×1920) and a landscape
// (1920×1080) totem, in Italian, Arabic and Chinese, every control of
// every screen of a visit lies in the reach zone: attract, languages,
// home, results, detail, search with its keyboard. A totem told its own
// zone (--reach-top, --reach-bottom) keeps that one.
func TestReachInChromium(t *testing.T) {
	t.Parallel()
	srv := newTestServerWith(t, func(c *Config) { c.IdleSeconds = 600 })
	base := listen(t, srv)
	for _, size := range []struct {
		name string
		w, h int64
	}{{"portrait", 1080, 1920}, {"landscape", 1920, 1080}} {
		t.Run(size.name, func(t *testing.T) {
			t.Parallel()
			reachVisits(t, base, size.name, size.w, size.h)
		})
	}
}

// reachVisits makes a visit in Italian, Arabic and Chinese on a screen of
// w × h, one after the other as visitors switching language do, and
// checks the reach zone on every screen. The attract and language
// screens, the same in every language, are checked once.
func reachVisits(t *testing.T, base, shape string, w, h int64) {
	ctx := browsertest.Start(t, w, h, 150*time.Second)
	runIn(t, ctx, chromedp.Navigate(base+"/?kiosk=1"), screenShown("attract"), browsertest.Visible(`.lang[lang="zh"]`))
	var langs int
	runIn(t, ctx, chromedp.Evaluate(`document.querySelectorAll("[data-screen=attract] .lang").length`, &langs))
	if langs != 15 {
		t.Errorf("%s: the attract screen offers %d languages, want 15", shape, langs)
	}
	checkReach(t, ctx, shape+" attract")
	if shape == "portrait" {
		browsertest.Screenshot(t, ctx, "totem-reach-attract")
		browsertest.Axe(t, ctx, shape+" attract")
	}
	runIn(t, ctx, browsertest.Click(".attract"), screenShown("languages"))
	checkReach(t, ctx, shape+" languages")
	for i, lang := range []string{"it", "ar", "zh"} {
		at := shape + " " + lang
		shot := func(screen string) {
			if shape == "portrait" && lang != "it" {
				browsertest.Screenshot(t, ctx, fmt.Sprintf("totem-reach-%s-%s", screen, lang))
				browsertest.Axe(t, ctx, at+" "+screen)
			} else if lang == "it" {
				browsertest.Screenshot(t, ctx, fmt.Sprintf("totem-reach-%s-%s-%s", shape, screen, lang))
			}
		}
		if i > 0 {
			runIn(t, ctx, browsertest.Click("#lang"), screenShown("languages"))
		}
		runIn(t, ctx, browsertest.Click(fmt.Sprintf(`.lang[lang=%q]`, lang)), screenShown("home"), browsertest.Visible(".tile.search"))
		checkReach(t, ctx, at+" home")
		shot("home")
		runIn(t, ctx, browsertest.Click(`.tile[data-category="health"]`), screenShown("results"),
			browsertest.Visible("#list .row"), browsertest.Visible(".pin"))
		checkReach(t, ctx, at+" results")
		shot("results")
		runIn(t, ctx, browsertest.Click("#list .row"), screenShown("detail"), browsertest.Visible("#qr"))
		checkReach(t, ctx, at+" detail")
		shot("detail")
		runIn(t, ctx, browsertest.Click("#home"), screenShown("home"), browsertest.Click(".tile.search"), screenShown("search"),
			browsertest.Visible(".simple-keyboard .hg-button"), chromedp.SendKeys("#q", "medico", chromedp.ByQuery),
			browsertest.Visible(".suggest .row"))
		checkReach(t, ctx, at+" search with keyboard")
		shot("search")
	}
}

// TestReachFlagsInChromium: a totem given its own zone lays the screen
// out in it.
func TestReachFlagsInChromium(t *testing.T) {
	t.Parallel()
	top, bottom := 0.3, 0.9
	srv := newTestServerWith(t, func(c *Config) { c.IdleSeconds = 600; c.Screen = Screen{ReachTop: &top, ReachBottom: &bottom} })
	base := listen(t, srv)
	ctx := browsertest.Start(t, 1080, 1920, 90*time.Second)
	var reach string
	runIn(t, ctx, chromedp.Navigate(base+"/?kiosk=1"), screenShown("attract"), chromedp.Evaluate(`document.body.dataset.reach`, &reach))
	if reach != "0.3 0.9" {
		t.Errorf("reach zone %q, want 0.3 0.9", reach)
	}
	checkReach(t, ctx, "attract, zone 0.3–0.9")
	runIn(t, ctx, browsertest.Click(`.lang[lang="ar"]`), screenShown("home"), browsertest.Visible(".tile.search"))
	checkReach(t, ctx, "home, zone 0.3–0.9")
	runIn(t, ctx, browsertest.Click(".tile.search"), screenShown("search"), browsertest.Visible(".simple-keyboard .hg-button"))
	checkReach(t, ctx, "search, zone 0.3–0.9")
	browsertest.Screenshot(t, ctx, "totem-reach-flags-search-ar")
}

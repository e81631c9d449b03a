package kiosk

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/punto-totem/punto/internal/browsertest"
)

// TestIdleWarningInChromium: on a totem told to idle after 20 s, a Persian
// visit left untouched shows a countdown in Persian (Persian digits)
// before the end, with its "I'm still here" button in the reach zone; a
// touch keeps the visit where it was; left alone again, the screen goes
// back to the start. The voice module's hooks fire along the way.
func TestIdleWarningInChromium(t *testing.T) {
	t.Parallel()
	srv := newTestServerWith(t, func(c *Config) { c.IdleSeconds = 600 })
	base := listen(t, srv)
	ctx := browsertest.Start(t, 1080, 1920, 150*time.Second)
	runIn(t, ctx, chromedp.Navigate(base+"/?kiosk=1&idle=20"), screenShown("attract"),
		chromedp.Evaluate(`window.heard = []; for (const e of ["screen", "idle-warning", "idle-kept", "reset"]) document.addEventListener("punto:" + e, (ev) => heard.push(e + (ev.detail && ev.detail.name ? ":" + ev.detail.name : "")));`, nil),
		browsertest.Click(`.lang[lang="fa"]`), screenShown("home"),
		browsertest.Click(`.tile[data-category="health"]`), screenShown("results"))
	wait := func(what, cond string) {
		t.Helper()
		wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Run(wctx, browsertest.Poll(cond, nil, chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	wait("the countdown", `!!document.querySelector("#idle .still")`)
	var card struct {
		Title, Count, Button string
		Screen               string
	}
	runIn(t, ctx, chromedp.Evaluate(`({Title: document.querySelector("#idle h2").textContent, Count: document.querySelector("#idle .count").textContent,
		Button: document.querySelector("#idle .still").textContent, Screen: document.body.dataset.screen})`, &card))
	if card.Title != "هنوز اینجا هستید؟" || card.Button != "هنوز اینجا هستم" || card.Screen != "results" {
		t.Errorf("countdown: %+v", card)
	}
	if regexp.MustCompile(`[0-9]`).MatchString(card.Count) || !regexp.MustCompile(`^[۰-۹]+$`).MatchString(card.Count) {
		t.Errorf("the countdown reads %q, want Persian digits", card.Count)
	}

	// A touch keeps the visit, where it was.
	runIn(t, ctx, browsertest.Click("#idle .still"))
	wait("the countdown gone", `!document.querySelector("#idle")`)
	var screen string
	runIn(t, ctx, chromedp.Evaluate(`document.body.dataset.screen + " " + document.documentElement.lang`, &screen))
	if screen != "results fa" {
		t.Errorf("after 'still here': %s", screen)
	}

	// Left alone: the countdown again, then the start.
	wait("the countdown, again", `!!document.querySelector("#idle .still")`)
	checkReach(t, ctx, "idle countdown")
	browsertest.Screenshot(t, ctx, "totem-idle-warning-fa")
	browsertest.Axe(t, ctx, "idle countdown fa")
	wait("the attract screen", `document.body.dataset.screen === "attract" && !document.querySelector("#idle")`)
	var heard []string
	runIn(t, ctx, chromedp.Evaluate(`heard`, &heard))
	got := strings.Join(heard, " ")
	if !strings.Contains(got, "screen:home screen:results idle-warning idle-kept idle-warning reset screen:attract") {
		t.Errorf("events heard: %s", got)
	}
}

package kiosk

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/punto-totem/punto/internal/browsertest"
)

// TestSearchUnderstoodInChromium: a search says what it was understood
// as ("Doctor → Health") and offers "did you mean" for a word it does not
// know; one that finds nothing is no dead end: the information desks and
// mediators nearest and the categories to browse, in the visitor's
// language (Arabic, on the totem).
func TestSearchUnderstoodInChromium(t *testing.T) {
	t.Parallel()
	srv := newTestServerWith(t, func(c *Config) { c.IdleSeconds = 600 })
	putRemote(t, srv)
	base := listen(t, srv)
	ctx := browsertest.Start(t, 1080, 1920, 120*time.Second)
	runIn(t, ctx, chromedp.Navigate(base+"/?kiosk=1"), screenShown("attract"), browsertest.Click(".attract"),
		screenShown("languages"), browsertest.Click(`.lang[lang="ar"]`), screenShown("home"),
		browsertest.Click(".tile.search"), screenShown("search"))

	// A misspelt word: nothing found, "did you mean" offers the word, which
	// a tap searches.
	var offered string
	runIn(t, ctx, chromedp.SendKeys("#q", "ospdlae", chromedp.ByQuery),
		browsertest.Visible(".did-you-mean .chip"),
		chromedp.Evaluate(`document.querySelector(".did-you-mean .chip").dataset.suggestion`, &offered))
	if offered != "ospedale" {
		t.Errorf("did you mean %q, want ospedale", offered)
	}
	browsertest.Screenshot(t, ctx, "totem-search-did-you-mean-ar")
	browsertest.Axe(t, ctx, "search, did you mean, ar")
	var understood string
	runIn(t, ctx, browsertest.Click(".did-you-mean .chip"), browsertest.Visible(".suggest .row"),
		chromedp.Text(".suggest .matched", &understood, chromedp.ByQuery))
	if !strings.Contains(understood, "الصحة") {
		t.Errorf("the search for ospedale was understood as %q, want the Arabic for Health", understood)
	}

	// The results screen says it too, and its chip opens the category.
	runIn(t, ctx, browsertest.Click("form .go"), screenShown("results"), browsertest.Visible(".matched .chip"),
		chromedp.Text(".matched", &understood, chromedp.ByQuery))
	if !strings.Contains(understood, "→") || !strings.Contains(understood, "الصحة") {
		t.Errorf("results understood as %q", understood)
	}
	runIn(t, ctx, browsertest.Click(`.matched .chip[data-category="health"]`),
		browsertest.Visible(`body[data-screen="results"] #list`))

	// Nothing found: the help nearest and the categories, in Arabic.
	runIn(t, ctx, browsertest.Click("#home"), screenShown("home"), browsertest.Click(".tile.search"), screenShown("search"),
		chromedp.SendKeys("#q", "xqzwv", chromedp.ByQuery), browsertest.Click("form .go"), screenShown("results"),
		browsertest.Visible(".help-desks .row"))
	var none struct {
		Desks, Tiles int
		Heading      string
		Categories   []string
	}
	runIn(t, ctx, chromedp.Evaluate(`({
		Desks: document.querySelectorAll(".help-desks .row").length,
		Tiles: document.querySelectorAll(".browse .tile").length,
		Heading: document.querySelector(".help-desks h2").textContent,
		Categories: [...document.querySelectorAll(".help-desks .row")].map(r => r.dataset.id),
	})`, &none))
	if none.Desks == 0 || none.Tiles < 10 || none.Heading != "اطلب المساعدة بالقرب منك" {
		t.Errorf("no-result screen: %+v", none)
	}
	for _, id := range none.Categories {
		if !strings.Contains(id, "-info-") && !strings.Contains(id, "-mediation-") {
			t.Errorf("help desk %s is neither an information desk nor mediation", id)
		}
	}
	browsertest.Screenshot(t, ctx, "totem-search-none-ar")
	browsertest.Axe(t, ctx, "no result, ar")

	// "Talk to someone in your language" there too: this totem follows no
	// portal, so the service can't be reached, and the desks' phones show.
	runIn(t, ctx, browsertest.Present("#talk"), chromedp.Evaluate(`document.querySelector("#talk").scrollIntoView()`, nil))
	var talk struct {
		Offline string
		Phones  int
		Forms   int
	}
	runIn(t, ctx, browsertest.Click("#talk"), browsertest.Visible(".talk-offline"), chromedp.Evaluate(`({
		Offline: document.querySelector(".talk-offline").textContent,
		Phones: document.querySelectorAll(".desks .phone").length,
		Forms: document.querySelectorAll(".callback-form").length,
	})`, &talk))
	if !strings.Contains(talk.Offline, "لا يمكن الوصول") || talk.Phones == 0 || talk.Forms != 0 {
		t.Errorf("talk to someone, offline: %+v", talk)
	}
	runIn(t, ctx, browsertest.Click(`.browse .tile[data-category="work"]`), browsertest.Visible("#list .row"))

	// A service reached by phone only: found, listed apart as "by phone /
	// online" with no map, and its page gives the address without a way.
	runIn(t, ctx, browsertest.Click("#home"), screenShown("home"), browsertest.Click(".tile.search"), screenShown("search"),
		chromedp.SendKeys("#q", "zebrafono", chromedp.ByQuery), browsertest.Click("form .go"), screenShown("results"),
		browsertest.Visible("#remote .row"))
	var remote struct {
		Heading   string
		IDs       []string
		Places    int
		MapHidden bool
	}
	runIn(t, ctx, chromedp.Evaluate(`({
		Heading: document.querySelector("#remote h2").textContent,
		IDs: [...document.querySelectorAll("#remote .row")].map(r => r.dataset.id),
		Places: document.querySelectorAll("#list .row").length,
		MapHidden: document.querySelector("#map").hidden,
	})`, &remote))
	if remote.Heading != "عبر الهاتف / عبر الإنترنت" || len(remote.IDs) != 1 || remote.IDs[0] != "linea-zebrafono" || remote.Places != 0 || !remote.MapHidden {
		t.Errorf("remote results: %+v", remote)
	}
	browsertest.Screenshot(t, ctx, "totem-search-remote-ar")
	browsertest.Axe(t, ctx, "remote results, ar")
	var page string
	runIn(t, ctx, browsertest.Click("#remote .row"), screenShown("detail"), chromedp.Text("main", &page, chromedp.ByQuery))
	if !strings.Contains(page, "Casella postale 1") || !strings.Contains(page, "+39 071 000 0000") {
		t.Errorf("remote service page: %q", page)
	}
}

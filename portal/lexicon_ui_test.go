package portal

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/internal/browsertest"
)

// TestEditorUILexicon: an editor finds a need, types a word and sees that
// search does not understand it yet, adds it to the need in a language and
// sees at once which need it joins; the word is published through the
// feed, listed as added, and removed again.
func TestEditorUILexicon(t *testing.T) {
	t.Parallel()
	base, pub := euiServer(t)
	ctx := euiBrowser(t, 1280, 900)
	euiLogin(t, ctx, base, euiEditor, euiEditorPass)
	euiMust(t, ctx, browsertest.Click(`nav a[data-route="lexicon"]`), browsertest.Visible("#lex-form"))
	if n := euiEval[int](t, ctx, `document.querySelectorAll("#lex-concept option").length`); n < 150 {
		t.Errorf("%d needs to choose from", n)
	}
	// Finding a need by one of its words, in the chosen language.
	euiMust(t, ctx, chromedp.SetValue("#lex-lang", "ar", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("#lex-lang").dispatchEvent(new Event("change"))`, nil),
		chromedp.SendKeys("#lex-filter", "medico", chromedp.ByQuery))
	euiWait(t, ctx, "the doctor in the list", `!!document.querySelector('#lex-list tr[data-concept="doctor"] li')`)

	// A word nobody types yet: not understood; added, it joins the doctor.
	euiMust(t, ctx, chromedp.SetValue("#lex-concept", "doctor", chromedp.ByQuery),
		chromedp.SendKeys("#lex-term", "dakturna", chromedp.ByQuery))
	euiWait(t, ctx, "the lookup before", `document.querySelector("#lex-joins").textContent.includes("dakturna") && !document.querySelector("#lex-joins").dataset.concepts`)
	euiMust(t, ctx, browsertest.Click("#lex-latin"), browsertest.Click(`#lex-form button[type="submit"]`))
	euiWait(t, ctx, "the lookup after", `(document.querySelector("#lex-joins").dataset.concepts || "").split(" ").includes("doctor")`)
	euiWait(t, ctx, "the added word listed", `!!document.querySelector('#lex-list tr[data-concept="doctor"] li[data-added="1"]')`)
	calls := pub.published()
	if len(calls) != 1 || calls[0].changes[0].Kind != content.KindTerm || calls[0].changes[0].ID != "doctor:ar:dakturna" {
		t.Fatalf("published %+v", calls)
	}
	if ts, err := pub.st.Terms(context.Background()); err != nil || len(ts) != 1 || !ts[0].Latin {
		t.Errorf("terms in the catalog: %+v, %v", ts, err)
	}
	euiShot(t, ctx, "lexicon")
	euiAxe(t, ctx, "lexicon")

	// Removed, search no longer understands it.
	euiMust(t, ctx, browsertest.Click(`#lex-list tr[data-concept="doctor"] li[data-added="1"] button`))
	euiWait(t, ctx, "the word removed", `!document.querySelector('#lex-list li[data-added="1"]') && !document.querySelector("#lex-joins").dataset.concepts`)
	if calls := pub.published(); len(calls) != 2 || calls[1].changes[0].Op != content.OpDelete {
		t.Errorf("published %+v", calls)
	}
}

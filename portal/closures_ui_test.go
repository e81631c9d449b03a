package portal

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/internal/browsertest"
)

// TestEditorUIChannelsAndClosure: an editor gives a service a phone desk
// in its form (a missing number is refused at the field, then saved), and
// closes their territory's desks: a range backwards is refused at its
// field, a good one is published as a closure and listed in force, and
// ended. axe checks both screens.
func TestEditorUIChannelsAndClosure(t *testing.T) {
	t.Parallel()
	base, pub := euiServer(t)
	ctx := euiBrowser(t, 1280, 900)
	euiLogin(t, ctx, base, euiEditor, euiEditorPass)

	euiMust(t, ctx, chromedp.Navigate(base+"/editor#/services/"+euiInside), browsertest.Visible("#save-draft"))
	euiScroll(t, ctx, "#add-channel")
	euiMust(t, ctx, browsertest.Click("#add-channel"), browsertest.Visible(`[data-field="channels[0].phone"] input`),
		browsertest.Click("#save-draft"))
	euiWait(t, ctx, "the phone's 400 message", `!!document.querySelector('[data-field="channels[0].phone"] .field-error')`)
	euiType(t, ctx, `[data-field="channels[0].phone"] input`, "+39 071 000 4242")
	euiType(t, ctx, `[data-field="channels[0].languages"] input`, "ar, it")
	euiMust(t, ctx, browsertest.Click(`[data-field="channels[0].hours.weekly"] [data-day="1"] .add-slot`),
		browsertest.Click("#save-draft"))
	euiWait(t, ctx, "the saved draft", `(document.querySelector(".notice.ok") || {textContent: ""}).textContent.includes("Bozza salvata")`)
	euiShot(t, ctx, "channels")
	euiAxe(t, ctx, "service form with a channel")

	euiMust(t, ctx, browsertest.Click(`nav a[data-route="closures"]`), browsertest.Visible("#cl-form"))
	today := time.Now().In(content.Rome)
	setDate := func(sel string, d time.Time) {
		euiMust(t, ctx, chromedp.SetValue(sel, d.Format(time.DateOnly), chromedp.ByQuery))
	}
	setDate("#cl-starts", today.AddDate(0, 0, 2))
	setDate("#cl-ends", today)
	euiMust(t, ctx, browsertest.Click(`#cl-form button[type="submit"]`))
	euiWait(t, ctx, "the range's 400 message", `!!document.querySelector('[data-field="ends_on"] .field-error')`)
	setDate("#cl-starts", today)
	setDate("#cl-ends", today.AddDate(0, 0, 6))
	euiMust(t, ctx, browsertest.Click(`#cl-form button[type="submit"]`))
	euiWait(t, ctx, "the closure in force", `!!document.querySelector('#cl-list tr[data-closure] strong')`)
	calls := pub.published()
	if len(calls) != 1 || calls[0].changes[0].Kind != content.KindClosure || calls[0].author != euiEditor {
		t.Fatalf("published %+v", calls)
	}
	if cs, err := pub.st.Closures(context.Background()); err != nil || len(cs) != 1 || cs[0].Territory != "ats-11-ancona" {
		t.Fatalf("closures: %+v %v", cs, err)
	}
	euiShot(t, ctx, "closures")
	euiAxe(t, ctx, "closure mode")
	euiMust(t, ctx, browsertest.Click(`#cl-list tr[data-closure] button`))
	euiWait(t, ctx, "the closure ended", `!document.querySelector('#cl-list tr[data-closure]')`)
	if calls := pub.published(); len(calls) != 2 || calls[1].changes[0].Op != content.OpDelete {
		t.Errorf("published %+v", calls)
	}
}

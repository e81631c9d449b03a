package kiosk

import (
	"context"
	_ "image/png"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/punto-totem/punto/internal/browsertest"
)

// watchCSP makes every page the browser opens record the
// Content-Security-Policy violations it reports, from its first byte on,
// and counts the dialogs a script opens (answering them).
func watchCSP(t *testing.T, ctx context.Context) *atomic.Int32 {
	t.Helper()
	var dialogs atomic.Int32
	chromedp.ListenTarget(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
			go chromedp.Run(ctx, page.HandleJavaScriptDialog(true))
		}
	})
	err := chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(`window.__csp = [];
			document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));`).Do(ctx)
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
	return &dialogs
}

func runIn(t *testing.T, ctx context.Context, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

func detailShown() chromedp.Action {
	return browsertest.Visible(`body[data-screen="detail"] main > .page > *`)
}

// TestServicePageJSONLDInChromium: a phone opens a service whose name is
// hostile markup; the page works, shows the name as text, runs no script
// of the name's, and reports no CSP violation for its JSON-LD, which the
// browser parses to the same name. An unknown service still opens the
// page, which says it is gone.
func TestServicePageJSONLDInChromium(t *testing.T) {
	t.Parallel()
	srv := newTestServerWith(t, func(c *Config) { c.PublicURL = "http://punto.example" })
	id := putHostileService(t, srv)
	base := listen(t, srv)
	ctx := browsertest.Start(t, 390, 844, 90*time.Second)
	dialogs := watchCSP(t, ctx)

	var title, ldName string
	var scripts int
	var csp []string
	runIn(t, ctx, chromedp.Navigate(base+"/s/"+id+"?lang=ar"), detailShown(),
		chromedp.Text("h1", &title, chromedp.ByQuery),
		chromedp.Evaluate(`JSON.parse(document.querySelector('script[type="application/ld+json"]').textContent).name`, &ldName),
		chromedp.Evaluate(`document.scripts.length`, &scripts),
		chromedp.Evaluate(`window.__csp`, &csp))
	want := hostileName + " عربي"
	if strings.TrimSpace(title) != want || ldName != want {
		t.Errorf("title %q, JSON-LD name %q, want %q", title, ldName, want)
	}
	if scripts != 2 || len(csp) != 0 || dialogs.Load() != 0 {
		t.Errorf("%d scripts (want the app and the JSON-LD), CSP violations %v, %d dialogs", scripts, csp, dialogs.Load())
	}
	browsertest.Axe(t, ctx, "service page with JSON-LD")

	// The watch itself works: an inline script is refused and reported.
	var ran bool
	runIn(t, ctx, chromedp.Evaluate(`{ const s = document.createElement("script"); s.textContent = "window.__ran = true"; document.head.append(s); }`, nil),
		browsertest.Poll(`window.__csp.length > 0`, nil), chromedp.Evaluate(`!!window.__ran`, &ran))
	if ran {
		t.Error("an inline script ran despite the policy")
	}

	var msg string
	var blocks int
	runIn(t, ctx, chromedp.Navigate(base+"/s/no-such-service?lang=en"), browsertest.Visible(".error"),
		chromedp.Text(".error", &msg, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('script[type="application/ld+json"]').length`, &blocks),
		chromedp.Evaluate(`window.__csp`, &csp))
	if !strings.Contains(msg, "no longer available") || blocks != 0 || len(csp) != 0 {
		t.Errorf("unknown service: %q, %d JSON-LD blocks, CSP violations %v", msg, blocks, csp)
	}
}

// TestEventCalendarQR: on the totem an event's page shows a second code,
// labelled in the visitor's language, that decodes to the event's
// calendar on the public URL; a phone gets a link to the same calendar;
// a service that is not an event has neither.
func TestEventCalendarQR(t *testing.T) {
	t.Parallel()
	const event = "falconara-marittima-events-27"
	srv := newTestServerWith(t, func(c *Config) { c.PublicURL = "http://punto.example" })
	base := listen(t, srv)

	t.Run("totem", func(t *testing.T) {
		ctx := browsertest.Start(t, 1080, 1920, 90*time.Second)
		watchCSP(t, ctx)
		var label string
		var png []byte
		var csp []string
		runIn(t, ctx, chromedp.Navigate(base+"/s/"+event+"?lang=fr&kiosk=1"), detailShown(), browsertest.Visible("#ics-qr"),
			browsertest.Poll(`document.querySelector("#ics-qr").complete && document.querySelector("#ics-qr").naturalWidth > 0`, nil),
			chromedp.Text(`//img[@id="ics-qr"]/preceding-sibling::h2`, &label, chromedp.BySearch),
			// The page scrolls inside the reach zone: bring the code into sight.
			chromedp.ScrollIntoView("#ics-qr", chromedp.ByQuery),
			chromedp.Screenshot("#ics-qr", &png, chromedp.ByQuery),
			chromedp.Evaluate(`window.__csp`, &csp))
		if label != "Ajouter à votre agenda" {
			t.Errorf("label %q", label)
		}
		if got, want := browsertest.DecodeQR(t, png), "http://punto.example/api/v1/services/"+event+"/event.ics?lang=fr"; got != want {
			t.Errorf("the calendar code reads %q, want %q", got, want)
		}
		if len(csp) != 0 {
			t.Errorf("CSP violations %v", csp)
		}
		browsertest.Axe(t, ctx, "event page on the totem")
		var codes int
		runIn(t, ctx, chromedp.Navigate(base+"/s/ancona-info-0?lang=fr&kiosk=1"), detailShown(), browsertest.Visible("#qr"),
			chromedp.Evaluate(`document.querySelectorAll("#ics-qr, #ics-link").length`, &codes))
		if codes != 0 {
			t.Error("a service that is not an event offers a calendar")
		}
	})

	t.Run("phone", func(t *testing.T) {
		ctx := browsertest.Start(t, 390, 844, 90*time.Second)
		var got struct {
			Href, Label, Type string
			Calendar          bool
		}
		runIn(t, ctx, chromedp.Navigate(base+"/s/"+event+"?lang=ar"), detailShown(), browsertest.Visible("#ics-link"),
			chromedp.Evaluate(`(async () => { const a = document.querySelector("#ics-link"); const r = await fetch(a.href);
				return { Href: a.getAttribute("href"), Label: a.textContent, Type: r.headers.get("Content-Type"), Calendar: (await r.text()).startsWith("BEGIN:VCALENDAR\r\n") }; })()`,
				&got, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
		if got.Href != "/api/v1/services/"+event+"/event.ics?lang=ar" || got.Label != "أضف إلى التقويم" || got.Type != "text/calendar; charset=utf-8" || !got.Calendar {
			t.Errorf("phone link %+v", got)
		}
	})
}

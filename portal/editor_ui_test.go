package portal

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/internal/browsertest"
	"github.com/punto-totem/punto/internal/testenv"
	"github.com/punto-totem/punto/kiosk"
)

// The editor UI's browser tests drive Debian's chromium against a real
// portal (the public server with the editor mounted) on loopback. Names
// here start with eui so they do not clash with the package's other tests.

const (
	euiAdmin, euiAdminPass   = "admin@example.org", "quiet harbour lantern 1"
	euiEditor, euiEditorPass = "anna", "her own long secret"
	euiInside                = "ancona-info-0"  // in the editor's territory (ats-11-ancona)
	euiOutside               = "perugia-info-1" // in zona-2-perugia, not theirs
	euiNewName               = "<b>Nuovo</b> nome"
)

// euiPublisher is the portal's Publisher for the tests: it records every
// call and publishes to the catalog, as the hub does.
type euiPublisher struct {
	st    *content.Store
	mu    sync.Mutex
	calls []euiCall
}

type euiCall struct {
	author  string
	changes []content.Change
}

func (p *euiPublisher) Publish(ctx context.Context, author string, changes []content.Change, also func(tx *sql.Tx, last int64) error) (int64, error) {
	p.mu.Lock()
	p.calls = append(p.calls, euiCall{author, changes})
	p.mu.Unlock()
	b, err := feed.Publish(ctx, p.st, author, changes, also)
	if err != nil {
		return 0, err
	}
	return b.Last, nil
}

func (p *euiPublisher) Kick(string) {}

func (p *euiPublisher) published() []euiCall {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]euiCall(nil), p.calls...)
}

// euiServer starts a portal on a fresh demo catalog with an admin and an
// editor of the Ancona ambito, and returns its base URL.
func euiServer(t *testing.T) (string, *euiPublisher) {
	t.Helper()
	st := euiStore(t)
	pub := &euiPublisher{st: st}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return euiListen(t, st, func(app *fiber.App) error {
		return Mount(app, Config{Editorial: edOf(t, st, nil), Totems: fleetOf(t, st), Publisher: pub, Log: log})
	}), pub
}

// euiStore is a fresh demo catalog with an admin and an editor of the
// Ancona ambito.
func euiStore(t *testing.T) *content.Store {
	t.Helper()
	st := demoStore(t)
	if err := addUser(t, st, euiAdmin, "admin", nil, euiAdminPass); err != nil {
		t.Fatal(err)
	}
	if err := addUser(t, st, euiEditor, "editor", []string{"ats-11-ancona"}, euiEditorPass); err != nil {
		t.Fatal(err)
	}
	return st
}

// euiListen serves the public server of st, with mount adding the editor,
// on a loopback port until the test ends, and returns its base URL.
func euiListen(t *testing.T, st *content.Store, mount func(*fiber.App) error) string {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := kiosk.New(st, kiosk.Config{Role: "portal", Position: orb.Point{13.5153, 43.6169}, Log: log, Mount: mount, LargeBody: LargeBody})
	if err != nil {
		t.Fatal(err)
	}
	return testenv.Listen(t, srv.App().Listener, srv.Shutdown)
}

// euiBrowser starts Debian's chromium, headless, with a fresh profile and
// WebGL in software for the map, in Italian.
func euiBrowser(t *testing.T, width, height int64) context.Context {
	t.Helper()
	ctx := browsertest.Start(t, width, height, 180*time.Second)
	browsertest.SetLanguage(t, ctx, "it-IT")
	return ctx
}

// euiMust runs actions, each batch within 30 s; on failure it says what
// was on screen and saves a screenshot of it.
func euiMust(t *testing.T, ctx context.Context, actions ...chromedp.Action) {
	t.Helper()
	step, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Run(step, actions...); err != nil {
		euiFail(t, ctx, err.Error())
	}
}

func euiFail(t *testing.T, ctx context.Context, msg string) {
	t.Helper()
	var page string
	var buf []byte
	_ = chromedp.Run(ctx, chromedp.Evaluate(`document.body.innerText.slice(0, 800)`, &page), chromedp.CaptureScreenshot(&buf))
	if len(buf) > 0 {
		_ = os.WriteFile(filepath.Join(os.TempDir(), "editor-failure-"+strings.ReplaceAll(t.Name(), "/", "-")+".png"), buf, 0o644)
	}
	t.Fatalf("%s\non screen: %s", msg, page)
}

// euiShot saves a screenshot of the editor (editor-NAME.png) once the
// page has settled.
func euiShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	euiMust(t, ctx, chromedp.Sleep(150*time.Millisecond))
	browsertest.Screenshot(t, ctx, "editor-"+name)
}

// euiAxe runs axe-core on the page and fails on serious or critical
// violations.
func euiAxe(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	browsertest.Axe(t, ctx, what)
}

// euiWait waits until a JavaScript expression is true.
func euiWait(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	var ok bool
	if err := chromedp.Run(ctx, browsertest.Poll(expr, &ok, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		euiFail(t, ctx, fmt.Sprintf("waiting for %s (%s): %v", what, expr, err))
	}
}

func euiEval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	var v T
	euiMust(t, ctx, chromedp.Evaluate(expr, &v))
	return v
}

// euiType replaces the value of an input by typing, as a person would.
func euiType(t *testing.T, ctx context.Context, sel, text string) {
	t.Helper()
	clear := fmt.Sprintf(`(e => { e.value = ""; e.dispatchEvent(new Event("input", {bubbles: true})); })(document.querySelector(%s))`, euiJS(sel))
	euiMust(t, ctx, browsertest.Visible(sel), chromedp.Evaluate(clear, nil), chromedp.SendKeys(sel, text, chromedp.ByQuery))
}

// euiScroll scrolls the page (not the pinch-zoom viewport, as
// chromedp.ScrollIntoView does on a phone) to an element.
func euiScroll(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	euiMust(t, ctx, chromedp.Evaluate(fmt.Sprintf(`document.querySelector(%s).scrollIntoView()`, euiJS(sel)), nil))
}

func euiLogin(t *testing.T, ctx context.Context, base, name, pass string) {
	t.Helper()
	euiMust(t, ctx, chromedp.Navigate(base+"/editor"), browsertest.Visible("#login-name"))
	euiType(t, ctx, "#login-name", name)
	euiType(t, ctx, "#login-password", pass)
	euiMust(t, ctx, browsertest.Click("#login-submit"), browsertest.Present("#signed-in"))
}

func euiNoSidewaysScroll(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	// Against the screen, not innerWidth: a phone widens its layout
	// viewport to fit content that sticks out.
	if euiEval[bool](t, ctx, `document.documentElement.scrollWidth > screen.width + 1 || innerWidth > screen.width + 1`) {
		t.Errorf("%s: the page is wider than the screen", what)
	}
}

// euiPublicName reads a service's Italian name from the public API.
func euiPublicName(t *testing.T, base, id string) string {
	t.Helper()
	res, err := http.Get(base + "/api/v1/services/" + id + "?lang=it")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Service struct {
			Name      content.Localized `json:"name"`
			Locations []struct {
				Lat float64 `json:"lat"`
				Lon float64 `json:"lon"`
			} `json:"locations"`
		} `json:"service"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if len(out.Service.Locations) == 0 {
		t.Fatalf("service %s has no location", id)
	}
	return fmt.Sprintf("%s @ %.4f,%.4f", out.Service.Name.Text, out.Service.Locations[0].Lat, out.Service.Locations[0].Lon)
}

// TestEditorUIEditPublish walks an editor through the job at 1280×800:
// sign in, find a service of their territory, rename it with markup that
// must stay text, see the translations go stale, move its location by
// typing coordinates (first outside their territory: refused), save,
// preview, publish; then a service outside their territory is read only.
func TestEditorUIEditPublish(t *testing.T) {
	t.Parallel()
	base, pub := euiServer(t)
	ctx := euiBrowser(t, 1280, 800)

	euiMust(t, ctx, chromedp.Navigate(base+"/editor"), browsertest.Visible("#login-name"))
	euiShot(t, ctx, "1-login-desktop")
	euiAxe(t, ctx, "login")
	euiType(t, ctx, "#login-name", euiEditor)
	euiType(t, ctx, "#login-password", "not the password")
	euiMust(t, ctx, browsertest.Click("#login-submit"))
	euiWait(t, ctx, "the wrong-password message", `document.querySelector("#login-message").textContent.includes("errati")`)
	euiLogin(t, ctx, base, euiEditor, euiEditorPass)
	if who := euiEval[string](t, ctx, `document.querySelector("#signed-in").textContent`); !strings.Contains(who, euiEditor) || !strings.Contains(who, "redattore") {
		t.Errorf("signed in as %q", who)
	}

	// The list, filtered down to the service.
	euiMust(t, ctx, browsertest.Visible(".items .item"))
	euiShot(t, ctx, "2-list-desktop")
	euiType(t, ctx, "#list-q", euiInside)
	item := fmt.Sprintf(`.item[data-id=%q]`, euiInside)
	euiMust(t, ctx, browsertest.Visible(item+" .tag.editable"), browsertest.Click(item+" a"),
		browsertest.Visible("#save-draft"))

	// Rename: the markup shows as typed, nothing is parsed.
	nameInput := `[data-field="name"] input`
	euiType(t, ctx, nameInput, euiNewName)
	if got := euiEval[string](t, ctx, `document.querySelector("#record-title").textContent`); got != euiNewName {
		t.Errorf("title reads %q, want %q", got, euiNewName)
	}
	if n := euiEval[int](t, ctx, `document.querySelectorAll("main b").length`); n != 0 {
		t.Errorf("%d <b> elements: typed markup was parsed", n)
	}
	// The English name is now older than the Italian, and so is the
	// Spanish one (the demo is in every language: nothing is missing).
	euiMust(t, ctx, browsertest.Click(`.langtab[data-lang="en"]`),
		browsertest.Visible(`[data-field="name"] .tx-flag.stale`))
	if stale := euiEval[string](t, ctx, `document.querySelector('.langtab[data-lang="es"]').dataset.stale`); stale == "0" || stale == "" {
		t.Errorf("Spanish: %q texts stale, want some", stale)
	}
	euiShot(t, ctx, "3-edit-stale-en-desktop")
	euiMust(t, ctx, browsertest.Click(`.langtab[data-lang="it"]`))

	// Monday closing before it opens: the server's 400 shows at the slot,
	// and the input gets the focus.
	closes := `[data-field="hours.weekly[0].closes"] input`
	euiType(t, ctx, closes, "08:00")
	euiMust(t, ctx, browsertest.Click("#save-draft"))
	euiWait(t, ctx, "the field's 400 message", `!!document.querySelector('[data-field="hours.weekly[0]"] .field-error') && document.activeElement === document.querySelector(`+euiJS(closes)+`) && document.activeElement.getAttribute("aria-invalid") === "true"`)
	euiShot(t, ctx, "4a-edit-400-desktop")
	euiType(t, ctx, closes, "13:00")

	// Coordinates in Perugia: outside the editor's territory, refused with
	// the server's 403 message.
	lat, lon := `[data-field="locations[0].point"] input.lat`, `[data-field="locations[0].point"] input.lon`
	euiType(t, ctx, lat, "43.1107")
	euiType(t, ctx, lon, "12.3908")
	euiMust(t, ctx, browsertest.Click("#save-draft"))
	euiWait(t, ctx, "the 403 message", `(document.querySelector(".notice.error") || {textContent: ""}).textContent.includes("outside your territories")`)
	euiShot(t, ctx, "4-edit-403-desktop")
	if n := len(pub.published()); n != 0 {
		t.Fatalf("%d publishes before Publish was pressed", n)
	}

	// Back inside Ancona, saved as a draft.
	euiType(t, ctx, lat, "43.6158")
	euiType(t, ctx, lon, "13.5189")
	euiMust(t, ctx, browsertest.Click("#save-draft"))
	euiWait(t, ctx, "the saved message", `(document.querySelector(".notice.ok") || {textContent: ""}).textContent.includes("Bozza salvata")`)
	euiWait(t, ctx, "the server's stale mark", `+document.querySelector('.langtab[data-lang="en"]').dataset.stale > 0`)
	euiWait(t, ctx, "the draft tag", `!!document.querySelector(".record-head .tag.draft")`)
	euiWait(t, ctx, "the map's marker", `!!document.querySelector(".maplibregl-canvas") && !!document.querySelector(".loc-pin")`)
	euiShot(t, ctx, "5-edit-saved-desktop")
	euiAxe(t, ctx, "edit")

	// The preview shows the draft as a totem will.
	euiMust(t, ctx, browsertest.Click("#preview"))
	euiWait(t, ctx, "the preview", `(() => { const h = document.querySelector("#preview-host"); const n = h && h.shadowRoot.querySelector("#pv-name"); return !!n && n.textContent === `+euiJS(euiNewName)+`; })()`)
	if n := euiEval[int](t, ctx, `document.querySelector("#preview-host").shadowRoot.querySelectorAll("b").length`); n != 0 {
		t.Errorf("the preview parsed the markup: %d <b>", n)
	}
	euiShot(t, ctx, "6-preview-desktop")
	euiMust(t, ctx, browsertest.Click("dialog .dialog-head button"), browsertest.Gone("dialog"))

	// Publish: the publisher gets the change, the public API serves it.
	euiMust(t, ctx, browsertest.Click("#publish"))
	euiWait(t, ctx, "the published message", `(document.querySelector(".notice.ok") || {textContent: ""}).textContent.includes("Pubblicato")`)
	euiShot(t, ctx, "7-published-desktop")
	calls := pub.published()
	if len(calls) != 1 || calls[0].author != euiEditor || len(calls[0].changes) != 1 || calls[0].changes[0].ID != euiInside {
		t.Fatalf("publisher calls: %+v", calls)
	}
	if got, want := euiPublicName(t, base, euiInside), euiNewName+" @ 43.6158,13.5189"; got != want {
		t.Errorf("public API: %q, want %q", got, want)
	}

	// A service outside the territory opens read only.
	euiMust(t, ctx, chromedp.Navigate(base+"/editor#/services/"+euiOutside))
	euiWait(t, ctx, "the read-only notice", `(document.querySelector("#not-editable") || {textContent: ""}).textContent.includes("fuori dai tuoi territori")`)
	if euiEval[bool](t, ctx, `!!document.querySelector("#save-draft") || !document.querySelector("fieldset.plain").disabled`) {
		t.Error("a service outside the territory can be edited")
	}
	euiShot(t, ctx, "8-readonly-desktop")

	// The audit log lists the editor's own changes, with a diff.
	euiMust(t, ctx, chromedp.Navigate(base+"/editor#/audit"), browsertest.Visible(".audit tbody button"),
		browsertest.Click(".audit tbody button"), browsertest.Visible("dialog .diff"))
	euiShot(t, ctx, "9-audit-diff-desktop")
}

// TestEditorUINewEvent creates an event from nothing: its place set by
// clicking the map, hours of two slots on one day and a closure, saved,
// published and served by the public API.
func TestEditorUINewEvent(t *testing.T) {
	t.Parallel()
	base, pub := euiServer(t)
	ctx := euiBrowser(t, 1280, 800)
	euiLogin(t, ctx, base, euiEditor, euiEditorPass)
	euiMust(t, ctx, chromedp.Navigate(base+"/editor#/events"), browsertest.Visible(`a[href="#/events/+new"]`),
		browsertest.Click(`a[href="#/events/+new"]`), browsertest.Visible("#save-draft"))
	euiType(t, ctx, `[data-field="id"] input`, "ancona-festa-2027")
	euiType(t, ctx, `[data-field="name"] input`, "Festa dei popoli 2027")
	euiType(t, ctx, `[data-field="locations[0].id"] input`, "loc-ancona-festa-2027")
	euiType(t, ctx, `[data-field="locations[0].comune"] input`, "Ancona")
	euiType(t, ctx, `[data-field="locations[0].address"] input`, "Piazza del Plebiscito 1")

	// A click on the map places the location and fills in the numbers.
	euiWait(t, ctx, "the map", `!!document.querySelector(".maplibregl-canvas") && !!document.querySelector(".loc-pin")`)
	euiScroll(t, ctx, "#loc-map")
	euiMust(t, ctx, chromedp.Sleep(500*time.Millisecond))
	before := euiEval[string](t, ctx, `document.querySelector('[data-field="locations[0].point"] input.lat').value`)
	var box []float64
	euiMust(t, ctx, chromedp.Evaluate(`(r => [r.left, r.top, r.width, r.height])(document.querySelector("#loc-map").getBoundingClientRect())`, &box))
	euiMust(t, ctx, chromedp.MouseClickXY(box[0]+box[2]/2+60, box[1]+box[3]/2+40))
	euiWait(t, ctx, "the clicked point", `document.querySelector('[data-field="locations[0].point"] input.lat').value !== `+euiJS(before))
	euiShot(t, ctx, "n1-new-event-map-desktop")

	// Monday 9–13 and 15–18; closed on 2 June 2027.
	euiScroll(t, ctx, "#sec-hours")
	euiMust(t, ctx, browsertest.Click(`[data-day="1"] .add-slot`), browsertest.Click(`[data-day="1"] .add-slot`))
	euiMust(t, ctx, browsertest.Click(`#sec-exceptions button.secondary`))
	euiMust(t, ctx, chromedp.SetValue(`[data-field="hours.exceptions[0].date"] input`, "2027-06-02", chromedp.ByQuery))
	euiType(t, ctx, `[data-field="hours.exceptions[0].note"] input`, "Chiuso per la Festa della Repubblica")
	euiShot(t, ctx, "n2-new-event-hours-desktop")
	euiMust(t, ctx, browsertest.Click("#publish"))
	euiWait(t, ctx, "the published message", `(document.querySelector(".notice.ok") || {textContent: ""}).textContent.includes("Pubblicato")`)
	calls := pub.published()
	if len(calls) != 1 {
		t.Fatalf("publisher calls: %+v", calls)
	}
	var doc content.Service
	if err := json.Unmarshal(calls[0].changes[0].Doc, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Categories) != 1 || doc.Categories[0] != "events" || len(doc.Hours.Weekly) != 2 || len(doc.Hours.Exceptions) != 1 ||
		doc.Hours.Exceptions[0].Note["it"] != "Chiuso per la Festa della Repubblica" || doc.Locations[0].Point == (orb.Point{}) {
		t.Errorf("published event: %+v", doc)
	}
	if got := euiPublicName(t, base, "ancona-festa-2027"); !strings.HasPrefix(got, "Festa dei popoli 2027 @ 43.") {
		t.Errorf("public API: %q", got)
	}
}

// TestEditorUIPhone checks the screens at 390×844: one column, the menu
// behind a button, nothing wider than the screen.
func TestEditorUIPhone(t *testing.T) {
	t.Parallel()
	base, _ := euiServer(t)
	ctx := euiBrowser(t, 390, 844)
	euiMust(t, ctx, chromedp.Navigate(base+"/editor"), browsertest.Visible("#login-name"))
	euiShot(t, ctx, "1-login-phone")
	euiAxe(t, ctx, "login (phone)")

	// In English, and back.
	euiMust(t, ctx, browsertest.Click(".lang-switch button"))
	euiWait(t, ctx, "the English form", `document.querySelector("h1").textContent === "Sign in to the editor"`)
	euiMust(t, ctx, browsertest.Click(".lang-switch button"))
	euiWait(t, ctx, "the Italian form", `document.querySelector("h1").textContent === "Accedi alla redazione"`)

	// Five wrong passwords lock the name: the form says for how long.
	for range 6 {
		euiType(t, ctx, "#login-name", "nessuno")
		euiType(t, ctx, "#login-password", "wrong password")
		euiMust(t, ctx, browsertest.Click("#login-submit"))
		euiWait(t, ctx, "an answer", `!document.querySelector("#login-message").hidden && !document.querySelector("#login-submit").disabled || document.querySelector("#login-message").textContent.includes("Riprova")`)
	}
	euiWait(t, ctx, "the lock message", `/Riprova tra \d+ secondi/.test(document.querySelector("#login-message").textContent)`)
	euiShot(t, ctx, "1b-login-locked-phone")
	euiLogin(t, ctx, base, euiEditor, euiEditorPass)
	euiMust(t, ctx, browsertest.Visible(".items .item"))
	euiShot(t, ctx, "2-list-phone")
	euiNoSidewaysScroll(t, ctx, "list")
	euiMust(t, ctx, browsertest.Click("#menu-toggle"), browsertest.Visible("#top-nav"))
	euiShot(t, ctx, "2b-menu-phone")
	euiMust(t, ctx, browsertest.Click("#menu-toggle"))

	euiMust(t, ctx, chromedp.Navigate(base+"/editor#/services/"+euiInside), browsertest.Visible("#save-draft"))
	euiWait(t, ctx, "the map", `!!document.querySelector(".maplibregl-canvas")`)
	euiShot(t, ctx, "3-edit-phone")
	euiNoSidewaysScroll(t, ctx, "edit")
	euiAxe(t, ctx, "edit (phone)")
	euiScroll(t, ctx, "#sec-locations")
	euiShot(t, ctx, "3b-locations-phone")
	euiScroll(t, ctx, "#sec-hours")
	euiShot(t, ctx, "3c-hours-phone")
	euiNoSidewaysScroll(t, ctx, "hours")

	euiType(t, ctx, `[data-field="name"] input`, euiNewName)
	euiMust(t, ctx, browsertest.Click("#preview"))
	euiWait(t, ctx, "the preview", `(() => { const h = document.querySelector("#preview-host"); const n = h && h.shadowRoot.querySelector("#pv-name"); return !!n && n.textContent === `+euiJS(euiNewName)+`; })()`)
	euiShot(t, ctx, "4-preview-phone")
	euiMust(t, ctx, browsertest.Click("dialog .dialog-head button"), browsertest.Gone("dialog"))

	// The session ends (here: its cookie is gone): the next save goes back
	// to the sign-in form, saying why.
	euiMust(t, ctx, network.ClearBrowserCookies(), browsertest.Click("#save-draft"))
	euiWait(t, ctx, "the expired message", `(document.querySelector("#login-message") || {textContent: ""}).textContent.includes("scaduta")`)
}

// TestEditorUIAdmin goes through the admin screens: an account made with
// a generated password shown once, a totem's token, an alert aimed at a
// territory.
func TestEditorUIAdmin(t *testing.T) {
	t.Parallel()
	base, pub := euiServer(t)
	ctx := euiBrowser(t, 1280, 800)
	euiLogin(t, ctx, base, euiAdmin, euiAdminPass)

	euiMust(t, ctx, chromedp.Navigate(base+"/editor#/accounts"), browsertest.Visible("#acct-name"))
	euiType(t, ctx, "#acct-name", "carla@example.org")
	euiMust(t, ctx, browsertest.Click(`input[value="ats-12-falconara"]`),
		browsertest.Click(`form.panel button[type="submit"]`),
		browsertest.Visible("dialog .secret"))
	if pw := euiEval[string](t, ctx, `document.querySelector("dialog .secret").textContent`); len(pw) < 12 {
		t.Errorf("generated password %q", pw)
	}
	euiShot(t, ctx, "a1-account-password-desktop")
	euiMust(t, ctx, browsertest.Click("dialog .dialog-head button"), browsertest.Gone("dialog"))
	euiShot(t, ctx, "a2-accounts-desktop")
	euiAxe(t, ctx, "accounts")

	euiMust(t, ctx, chromedp.Navigate(base+"/editor#/totems"), browsertest.Visible("#totem-id"))
	euiType(t, ctx, "#totem-id", "ancona-stazione")
	euiType(t, ctx, "#totem-name", "Stazione di Ancona")
	euiType(t, ctx, "#totem-lat", "43.6072")
	euiType(t, ctx, "#totem-lon", "13.4986")
	euiMust(t, ctx, browsertest.Click(`form.panel button[type="submit"]`), browsertest.Visible("dialog .secret"))
	euiShot(t, ctx, "a3-totem-token-desktop")
	euiMust(t, ctx, browsertest.Click("dialog .dialog-head button"), browsertest.Gone("dialog"))

	// An alert for the Ancona ambito, published from the drafts screen.
	euiMust(t, ctx, chromedp.Navigate(base+"/editor#/alerts/+new"), browsertest.Visible("#save-draft"))
	euiType(t, ctx, `[data-field="id"] input`, "ancona-sciopero")
	euiType(t, ctx, `[data-field="text"] textarea`, "Sciopero: sportelli chiusi")
	euiMust(t, ctx, browsertest.Click(`input[name="target_kind"][value="territory"]`),
		chromedp.SetValue("#alert-territory", "ats-11-ancona", chromedp.ByQuery))
	euiMust(t, ctx, chromedp.Evaluate(`document.querySelector("#alert-territory").dispatchEvent(new Event("change"))`, nil))
	euiShot(t, ctx, "a4-alert-desktop")
	euiMust(t, ctx, browsertest.Click("#save-draft"))
	euiWait(t, ctx, "the saved alert", `(document.querySelector(".notice.ok") || {textContent: ""}).textContent.includes("Bozza salvata")`)
	euiMust(t, ctx, chromedp.Navigate(base+"/editor#/drafts"), browsertest.Visible(`tr[data-id="ancona-sciopero"] input.pick`),
		browsertest.Click(`tr[data-id="ancona-sciopero"] input.pick`))
	euiShot(t, ctx, "a5-drafts-desktop")
	euiAxe(t, ctx, "drafts")
	euiMust(t, ctx, browsertest.Click("#publish-selected"))
	euiWait(t, ctx, "the published list", `(document.querySelector(".notice.ok") || {textContent: ""}).textContent.includes("ancona-sciopero")`)
	if calls := pub.published(); len(calls) != 1 || calls[0].changes[0].Kind != content.KindAlert {
		t.Errorf("publisher calls: %+v", calls)
	}
	euiMust(t, ctx, chromedp.Navigate(base+"/editor#/audit"), browsertest.Visible(".audit tbody button"))
	euiShot(t, ctx, "a6-audit-desktop")
	euiAxe(t, ctx, "audit")
}

// euiJS quotes s as a JavaScript string literal.
func euiJS(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

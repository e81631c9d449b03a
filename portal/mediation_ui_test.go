package portal

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/callback"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/internal/browsertest"
	"github.com/punto-totem/punto/mail"
	"github.com/punto-totem/punto/mediation"
)

// TestEditorUIMediation: a school's requester fills in the request form
// on a 360 px phone (a bad language code is pointed at, in place), and
// Perugia's coordinator finds the request in the queue, sees the right
// mediator suggested with the hours left and assigns; the registry,
// bodies and budgets, and the report screens pass axe.
func TestEditorUIMediation(t *testing.T) {
	t.Parallel()
	st := euiStore(t)
	ctx := context.Background()
	ed := edOf(t, st, nil)
	ob, err := mail.Open(ctx, mail.Config{Path: st.Path(), From: "punto@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ob.Close() })
	ms, err := mediation.Open(ctx, mediation.Config{Editorial: ed, Outbox: ob, PortalURL: "http://portal.example.org/editor"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ms.Close() })
	const school, schoolPass = "segreteria@scuola.example.org", "the school's password"
	for _, u := range []struct{ name, role, terr, pass string }{{coordPG, "coordinator", "zona-2-perugia", coordPass}, {school, "requester", "", schoolPass}} {
		var terr []string
		if u.terr != "" {
			terr = []string{u.terr}
		}
		if err := addUser(t, st, u.name, u.role, terr, u.pass); err != nil {
			t.Fatal(err)
		}
	}
	pg, _ := ed.AccountByName(ctx, coordPG)
	if _, err := ms.SaveMediator(ctx, pg, mediation.Mediator{Name: "Harpreet (demo)", Email: "harpreet@example.org", Languages: []string{"pa"},
		Territories: []string{"zona-2-perugia"}, Modes: []string{"in_person"}, Active: true, Week: []mediation.Slot{{Weekday: 2, From: "09:00", To: "13:00"}}}); err != nil {
		t.Fatal(err)
	}
	org, err := ms.CreateOrg(ctx, pg, "Scuola media (demo)", "zona-2-perugia")
	if err == nil {
		_, err = ms.AddRequester(ctx, pg, org.ID, school)
	}
	if err == nil {
		_, err = ms.SaveBudget(ctx, pg, 0, "FAMI 2026", "zona-2-perugia", 1200)
	}
	if err != nil {
		t.Fatal(err)
	}
	key, err := callback.LoadOrCreateKey(filepath.Join(t.TempDir(), "callback.key"))
	if err != nil {
		t.Fatal(err)
	}
	cs, err := callback.Open(ctx, callback.Config{Editorial: ed, Mediation: ms, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	if _, err := cs.Create(ctx, callback.In{Number: "+39 333 765 4321", Language: "ar", Topic: "health", Territory: "zona-2-perugia"}); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	base := euiListen(t, st, func(app *fiber.App) error {
		return Mount(app, Config{Editorial: ed, Totems: fleetOf(t, st), Publisher: &euiPublisher{st: st}, Log: log, Mediation: ms, Callbacks: cs})
	})
	tue := time.Now().In(content.Rome).AddDate(0, 0, 1)
	for tue.Weekday() != time.Tuesday {
		tue = tue.AddDate(0, 0, 1)
	}

	phone := euiBrowser(t, 360, 740)
	euiLogin(t, phone, base, school, schoolPass)
	euiMust(t, phone, browsertest.Visible("#med-new"), browsertest.Click("#med-new"), browsertest.Visible("#med-language"))
	if p := euiEval[string](t, phone, `document.querySelector("#med-privacy").textContent`); !strings.Contains(p, "nome") {
		t.Errorf("the form does not warn against names: %q", p)
	}
	if hint := euiEval[string](t, phone, `document.getElementById(document.querySelector("#med-notes").getAttribute("aria-describedby")).textContent`); !strings.Contains(hint, "nome") {
		t.Errorf("the notes' hint: %q", hint)
	}
	euiType(t, phone, "#med-language", "xx")
	euiType(t, phone, "#med-address", "Via della Scuola 1 (demo)")
	euiMust(t, phone, chromedp.SetValue("#med-date", tue.Format(time.DateOnly), chromedp.ByQuery),
		chromedp.SetValue("#med-from", "10:00", chromedp.ByQuery), chromedp.SetValue("#med-to", "12:00", chromedp.ByQuery),
		chromedp.SetValue("#med-territory", "zona-2-perugia", chromedp.ByQuery), chromedp.SetValue("#med-topic", "school", chromedp.ByQuery))
	euiType(t, phone, "#med-notes", "Colloquio con la famiglia.")
	euiType(t, phone, "#med-contact", "Prof. Rossi (demo)")
	euiNoSidewaysScroll(t, phone, "the request form at 360 px")
	euiAxe(t, phone, "the request form at 360 px")
	euiShot(t, phone, "mediation-form-phone")
	euiScroll(t, phone, "#med-submit")
	euiMust(t, phone, browsertest.Click("#med-submit"))
	euiWait(t, phone, "the language refused in place", `document.querySelector("#med-language").getAttribute("aria-invalid") === "true"`)
	euiAxe(t, phone, "the request form with an error")
	euiType(t, phone, "#med-language", "pa")
	euiScroll(t, phone, "#med-submit")
	euiMust(t, phone, browsertest.Click("#med-submit"), browsertest.Visible("#med-facts"))
	euiNoSidewaysScroll(t, phone, "the request at 360 px")
	euiAxe(t, phone, "the request at 360 px")

	desk := euiBrowser(t, 1280, 900)
	euiLogin(t, desk, base, coordPG, coordPass)
	euiMust(t, desk, browsertest.Visible("#med-queue"))
	if n := euiEval[int](t, desk, `document.querySelectorAll("#med-queue tbody tr").length`); n != 1 {
		t.Errorf("%d requests in the queue", n)
	}
	if nav := euiEval[string](t, desk, `document.querySelector("#top-nav").textContent`); strings.Contains(nav, "Servizi") {
		t.Errorf("a coordinator's menu offers the catalog: %q", nav)
	}
	euiAxe(t, desk, "the queue")
	euiShot(t, desk, "mediation-queue")
	euiMust(t, desk, browsertest.Click("#med-queue tbody a"), browsertest.Visible("#med-suggestions"))
	if s := euiEval[string](t, desk, `document.querySelector("#med-suggestions").textContent`); !strings.Contains(s, "Harpreet") {
		t.Errorf("suggested: %q", s)
	}
	if b := euiEval[string](t, desk, `document.querySelector("#med-budget").textContent`); !strings.Contains(b, "1200") {
		t.Errorf("budget shown: %q", b)
	}
	euiAxe(t, desk, "a request")
	euiMust(t, desk, browsertest.Click("#med-suggestions button"))
	euiWait(t, desk, "the request assigned", `document.querySelector("#med-facts").textContent.includes("assegnata") && !!document.querySelector('[data-action="confirm"]')`)
	euiAxe(t, desk, "an assigned request")
	euiShot(t, desk, "mediation-request")
	for _, screen := range []struct{ route, ready string }{{"mediators", "#mdr-list"}, {"bodies", "#bud-list"}, {"mediation-report", "#rep-total"}} {
		euiMust(t, desk, browsertest.Click(fmt.Sprintf(`nav a[data-route=%q]`, screen.route)), browsertest.Visible(screen.ready))
		euiAxe(t, desk, screen.route)
	}
	// A requester invited by e-mail chooses their password at the mail's
	// link, on a phone, then signs in.
	const invited, invitedPass = "vicepreside@scuola.example.org", "a requester's own long passphrase"
	euiMust(t, desk, browsertest.Click(`nav a[data-route="bodies"]`), browsertest.Visible("#org-list"))
	euiType(t, desk, "#org-list input[type=email]", invited)
	euiMust(t, desk, browsertest.Click("#org-list button[data-invite]"))
	euiWait(t, desk, "the invitation sent", `document.querySelector("#org-list").textContent.includes("vicepreside")`)
	token := inviteToken(t, st.Path(), invited)
	// The school signs out (the phone's menu folds the button away): the
	// phone stands for the invited person's, where nobody is signed in.
	euiMust(t, phone, chromedp.Evaluate(`document.querySelector("#logout").click()`, nil), browsertest.Visible("#login-name"),
		chromedp.Navigate(base+"/editor#/invite/"+token), browsertest.Visible("#invite-password"))
	euiAxe(t, phone, "the invitation's page at 360 px")
	euiNoSidewaysScroll(t, phone, "the invitation's page at 360 px")
	euiType(t, phone, "#invite-password", invitedPass)
	euiType(t, phone, "#invite-repeat", invitedPass)
	euiMust(t, phone, browsertest.Click("#invite-submit"))
	euiWait(t, phone, "the sign-in with the invited name", `!!document.querySelector("#login-name") && document.querySelector("#login-name").value === "`+invited+`"`)
	euiType(t, phone, "#login-password", invitedPass)
	euiMust(t, phone, browsertest.Click("#login-submit"), browsertest.Present("#signed-in"))

	euiMust(t, desk, browsertest.Click(`nav a[data-route="mediators"]`), browsertest.Visible("#mdr-list"),
		browsertest.Click("#mdr-new"), browsertest.Visible("#mdr-save"))
	euiAxe(t, desk, "the mediator form")

	euiMust(t, desk, browsertest.Click(`nav a[data-route="callbacks"]`), browsertest.Visible("#cb-list"))
	if n := euiEval[string](t, desk, `document.querySelector("#cb-list tbody a").textContent`); n != "+393337654321" {
		t.Errorf("call-back number %q", n)
	}
	euiAxe(t, desk, "the call-backs")
	euiMust(t, desk, browsertest.Click("#cb-list tbody button"))
	euiWait(t, desk, "the call-back deleted", `!document.querySelector("#cb-list")`)
}

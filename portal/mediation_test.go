package portal

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/internal/testenv"
	"github.com/punto-totem/punto/mail"
	"github.com/punto-totem/punto/mediation"
)

// Accounts of the mediation tests, besides env's.
const (
	coordPG   = "coord.pg@example.org"
	coordTR   = "coord.tr@example.org"
	coordPass = "coordinator password"
)

// newMediationEnv is env with mediation on call mounted (an outbox
// without SMTP) and the coordinators of Perugia and Terni; the clock
// stands on Monday 30 November 2026.
func newMediationEnv(t *testing.T) *env {
	t.Helper()
	st := demoStore(t)
	e := &env{t: t, app: fiber.New(), st: st, pub: &recorder{st: st}, clock: testenv.NewClock(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))}
	ctx := context.Background()
	ed := edOf(t, st, e.clock.Now)
	ob, err := mail.Open(ctx, mail.Config{Path: st.Path(), From: "punto@example.org", Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ob.Close() })
	ms, err := mediation.Open(ctx, mediation.Config{Editorial: ed, Outbox: ob, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ms.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := Mount(e.app, Config{Editorial: ed, Totems: fleetOf(t, st), Publisher: e.pub, Log: log, Now: e.clock.Now, Mediation: ms}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		name, role string
		terr       []string
	}{{adminName, "admin", nil}, {coordPG, "coordinator", []string{"zona-2-perugia"}}, {coordTR, "coordinator", []string{"zona-10-terni"}}, {editorName, "editor", []string{anconaTerritory}}} {
		pass := coordPass
		if u.name == adminName {
			pass = adminPass
		} else if u.name == editorName {
			pass = editorPass
		}
		if err := addUser(t, st, u.name, u.role, u.terr, pass); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func (r *resp) field() string { s, _ := r.json["field"].(string); return s }

func TestMediationAPI(t *testing.T) {
	t.Parallel()
	e := newMediationEnv(t)
	pg := e.login(coordPG, coordPass)

	// The coordinator of Perugia keeps the registry: a mediator (with a
	// login made for them), a body with a requester, a budget.
	r := pg.do("POST", "/editor/api/mediation/mediators", map[string]any{"name": "Harpreet (demo)", "email": "harpreet@example.org",
		"languages": []string{"pa"}, "territories": []string{"zona-2-perugia"}, "modes": []string{"in_person"}, "active": true,
		"week": []map[string]any{{"weekday": 2, "from": "09:00", "to": "13:00"}}})
	if r.status != 201 || r.str("password") == "" {
		t.Fatalf("mediator: %d %s", r.status, r.raw)
	}
	medID := at(r.json, "mediator", "id").(float64)
	medPass := r.str("password")
	for _, tc := range []struct {
		name, field string
		body        map[string]any
	}{
		{"language not ISO 639", "languages[0]", map[string]any{"name": "X", "email": "x@example.org", "languages": []string{"xx"}, "territories": []string{"zona-2-perugia"}, "modes": []string{"phone"}}},
		{"unknown territory", "territories", map[string]any{"name": "X", "email": "x@example.org", "languages": []string{"ar"}, "territories": []string{"nowhere"}, "modes": []string{"phone"}}},
		{"bad weekday", "week[0].weekday", map[string]any{"name": "X", "email": "x@example.org", "languages": []string{"ar"}, "territories": []string{"zona-2-perugia"}, "modes": []string{"phone"}, "week": []map[string]any{{"weekday": 8, "from": "09:00", "to": "10:00"}}}},
		{"unknown field", "body", map[string]any{"nome": "X"}},
		{"an editor's name", "email", map[string]any{"name": "X", "email": editorName, "languages": []string{"ar"}, "territories": []string{"zona-2-perugia"}, "modes": []string{"phone"}}},
	} {
		if r := pg.do("POST", "/editor/api/mediation/mediators", tc.body); r.status != 400 || r.field() != tc.field {
			t.Errorf("%s: %d %s, want 400 naming %s", tc.name, r.status, r.raw, tc.field)
		}
	}
	r = pg.do("POST", "/editor/api/mediation/orgs", map[string]any{"name": "Scuola media (demo)", "territory": "zona-2-perugia"})
	if r.status != 201 {
		t.Fatalf("org: %d %s", r.status, r.raw)
	}
	orgID := at(r.json, "org", "id").(float64)
	r = pg.do("POST", fmt.Sprintf("/editor/api/mediation/orgs/%v/requesters", orgID), map[string]any{"email": "segreteria@scuola.example.org"})
	if r.status != 200 || r.str("password") == "" {
		t.Fatalf("requester: %d %s", r.status, r.raw)
	}
	rqPass := r.str("password")
	if r := pg.do("POST", "/editor/api/mediation/budgets", map[string]any{"programme": "FAMI 2026", "territory": "zona-2-perugia", "hours": 1200}); r.status != 201 {
		t.Fatalf("budget: %d %s", r.status, r.raw)
	}
	if r := e.login(coordTR, coordPass).do("POST", "/editor/api/mediation/budgets", map[string]any{"programme": "FAMI 2026", "territory": "zona-2-perugia", "hours": 5}); r.status != 403 {
		t.Errorf("Terni makes a Perugia budget: %d %s", r.status, r.raw)
	}

	// The school's requester asks; bad input is refused naming the field.
	rq := e.login("segreteria@scuola.example.org", rqPass)
	form := func(edit func(map[string]any)) map[string]any {
		m := map[string]any{"language": "pa", "mode": "in_person", "address": "Via della Scuola 1 (demo)", "territory": "zona-2-perugia",
			"date": "2026-12-08", "from": "10:00", "to": "12:00", "duration_hours": 2, "topic": "school", "notes": "Colloquio.", "contact_name": "Prof. Rossi (demo)"}
		if edit != nil {
			edit(m)
		}
		return m
	}
	for _, tc := range []struct {
		name, field string
		edit        func(map[string]any)
	}{
		{"in the past", "date", func(m map[string]any) { m["date"] = "2026-11-02" }},
		{"not ISO 639", "language", func(m map[string]any) { m["language"] = "qq" }},
		{"duration 0", "duration_hours", func(m map[string]any) { m["duration_hours"] = 0 }},
		{"duration over 12 h", "duration_hours", func(m map[string]any) { m["from"], m["to"], m["duration_hours"] = "00:00", "24:00", 12.5 }},
		{"10,000-character notes", "notes", func(m map[string]any) { m["notes"] = strings.Repeat("é", 10000) }},
		{"unknown territory", "territory", func(m map[string]any) { m["territory"] = "zona-99-altrove" }},
		{"duration as text", "duration_hours", func(m map[string]any) { m["duration_hours"] = "two" }},
	} {
		if r := rq.do("POST", "/editor/api/mediation/requests", form(tc.edit)); r.status != 400 || r.field() != tc.field {
			t.Errorf("%s: %d %s, want 400 naming %s", tc.name, r.status, r.raw, tc.field)
		}
	}
	if r := rq.do("POST", "/editor/api/mediation/requests", strings.Repeat(" ", 70<<10)+"{}"); r.status != 400 || r.field() != "body" {
		t.Errorf("a 70 KiB body: %d %s", r.status, r.raw)
	}
	r = rq.do("POST", "/editor/api/mediation/requests", form(nil))
	if r.status != 201 || at(r.json, "request", "state") != "requested" {
		t.Fatalf("request: %d %s", r.status, r.raw)
	}
	reqURL := fmt.Sprintf("/editor/api/mediation/requests/%v", at(r.json, "request", "id"))

	// Perugia sees it with the mediator suggested and the hours left;
	// Terni and an editor get 403.
	r = pg.do("GET", reqURL, nil)
	if r.status != 200 || at(r.json, "suggestions", 0, "mediator", "id") != medID || at(r.json, "budgets", 0, "left_hours") != 1200.0 {
		t.Fatalf("request for Perugia: %d %s", r.status, r.raw)
	}
	tr := e.login(coordTR, coordPass)
	for _, cl := range []*client{tr, e.login(editorName, editorPass)} {
		if r := cl.do("GET", reqURL, nil); r.status != 403 {
			t.Errorf("read by another: %d %s", r.status, r.raw)
		}
		if r := cl.do("POST", reqURL+"/assign", map[string]any{"mediator": medID}); r.status != 403 {
			t.Errorf("assign by another: %d %s", r.status, r.raw)
		}
	}
	if r := tr.do("GET", "/editor/api/mediation/requests", nil); r.status != 200 || len(r.json["requests"].([]any)) != 0 {
		t.Errorf("Terni's queue: %d %s", r.status, r.raw)
	}
	if r := pg.do("GET", "/editor/api/mediation/requests?language=pa&state=requested&territory=zona-2-perugia&from=2026-12-08&to=2026-12-08", nil); r.status != 200 || len(r.json["requests"].([]any)) != 1 {
		t.Errorf("Perugia's filtered queue: %d %s", r.status, r.raw)
	}
	if r := pg.do("GET", "/editor/api/mediation/requests?language=klingon", nil); r.status != 400 || r.field() != "language" {
		t.Errorf("filter by a bad language: %d %s", r.status, r.raw)
	}

	if r := pg.do("POST", reqURL+"/assign", map[string]any{"mediator": medID}); r.status != 200 || at(r.json, "request", "state") != "assigned" {
		t.Fatalf("assign: %d %s", r.status, r.raw)
	}
	med := e.login("harpreet@example.org", medPass)
	if r := med.do("GET", "/editor/api/mediation/requests", nil); r.status != 200 || len(r.json["requests"].([]any)) != 1 {
		t.Errorf("the mediator's list: %d %s", r.status, r.raw)
	}
	if r := med.do("POST", reqURL+"/confirm", nil); r.status != 200 || at(r.json, "request", "state") != "confirmed" {
		t.Fatalf("confirm: %d %s", r.status, r.raw)
	}
	if r := med.do("POST", reqURL+"/close", map[string]any{"hours": 2.5}); r.status != 403 {
		t.Errorf("the mediator closes: %d %s", r.status, r.raw)
	}
	if r := pg.do("POST", reqURL+"/close", map[string]any{"hours": 2.5}); r.status != 200 || at(r.json, "request", "state") != "done" {
		t.Fatalf("close: %d %s", r.status, r.raw)
	}
	if r := pg.do("POST", reqURL+"/close", map[string]any{"hours": 2.5}); r.status != 409 {
		t.Errorf("close twice: %d %s", r.status, r.raw)
	}
	if r := pg.do("GET", "/editor/api/mediation/budgets", nil); at(r.json, "budgets", 0, "left_hours") != 1197.5 {
		t.Errorf("budget after close: %s", r.raw)
	}
	r = pg.do("GET", "/editor/api/mediation/report.csv?month=2026-12", nil)
	if r.status != 200 || !strings.Contains(string(r.raw), "2026-12,language,pa,2.50,1") || r.header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Errorf("csv: %d %s", r.status, r.raw)
	}
	if r := pg.do("GET", "/editor/api/mediation/report?month=dicembre", nil); r.status != 400 || r.field() != "month" {
		t.Errorf("bad month: %d %s", r.status, r.raw)
	}
	if r := e.anon().do("GET", "/editor/api/mediation/requests", nil); r.status != 401 {
		t.Errorf("anonymous: %d", r.status)
	}
	// The people of mediation neither edit nor read the catalog's drafts.
	if r := pg.do("PUT", "/editor/api/services/"+perugiaService+"/draft", e.serviceDoc(perugiaService)); r.status != 403 {
		t.Errorf("a coordinator saves a service draft: %d %s", r.status, r.raw)
	}
	for _, cl := range []*client{pg, rq, med} {
		for _, path := range []string{"/editor/api/drafts", "/editor/api/services", "/editor/api/needs"} {
			if r := cl.do("GET", path, nil); r.status != 403 {
				t.Errorf("GET %s by a %s: %d", path, at(r.json, "error"), r.status)
			}
		}
	}
}

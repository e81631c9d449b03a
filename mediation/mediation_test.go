package mediation_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/punto-totem/punto/editorial"
	"github.com/punto-totem/punto/internal/sqlitedb"
	"github.com/punto-totem/punto/internal/testenv"
	"github.com/punto-totem/punto/mail"
	"github.com/punto-totem/punto/mediation"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const (
	perugia = "zona-2-perugia"
	terni   = "zona-10-terni"
)

// world is a portal's mediation on a fresh demo catalog: an admin, the
// coordinators of Perugia and Terni, a mediator, a requester, an outbox
// without SMTP (its rows are read back), a clock on Monday 30 November
// 2026.
type world struct {
	t                      *testing.T
	ms                     *mediation.Store
	ed                     *editorial.Store
	db                     *sqlitedb.DB
	clock                  *testenv.Clock
	path                   string
	admin, pg, tr, med, rq *editorial.Account
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	st := testenv.DemoStore(t)
	w := &world{t: t, path: st.Path(), clock: testenv.NewClock(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))}
	var err error
	w.ed, err = editorial.Open(ctx, editorial.Config{Catalog: st, Now: w.clock.Now, HashCost: &editorial.HashCost{MemoryKiB: 64, Passes: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.ed.Close() })
	ob, err := mail.Open(ctx, mail.Config{Path: st.Path(), From: "punto@example.org", Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ob.Close() })
	w.ms, err = mediation.Open(ctx, mediation.Config{Editorial: w.ed, Outbox: ob, Now: w.clock.Now, Retention: 72 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.ms.Close() })
	if w.db, err = sqlitedb.Open(ctx, st.Path()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.db.Close() })
	add := func(name, role string, terr ...string) *editorial.Account {
		a, err := w.ed.CreateAccount(ctx, "test", name, role, terr, "a long password 1")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return a
	}
	w.admin = add("admin@example.org", "admin")
	w.pg = add("coord.pg@example.org", "coordinator", perugia)
	w.tr = add("coord.tr@example.org", "coordinator", terni)
	w.med = add("harpreet@example.org", "mediator")
	w.rq = add("segreteria@scuola.example.org", "requester")
	return w
}

// outbox lists the mails written, as "to|subject".
func (w *world) outbox() []string {
	w.t.Helper()
	var out []string
	rows, err := w.db.R.Query("SELECT to_addr, subject FROM mail_outbox ORDER BY id")
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var to, subj string
		rows.Scan(&to, &subj)
		out = append(out, to+"|"+subj)
	}
	return out
}

func (w *world) count(q string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.db.R.QueryRow(q, args...).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// setup fills the registry: the right mediator (Punjabi, Perugia, in
// person, Tuesdays 9–13) and three who each miss one condition.
func (w *world) setup() (right *mediation.Mediator, org *mediation.Org, budget *mediation.Budget) {
	w.t.Helper()
	ctx := context.Background()
	week := []mediation.Slot{{Weekday: 2, From: "09:00", To: "13:00"}}
	var err error
	right, err = w.ms.SaveMediator(ctx, w.pg, mediation.Mediator{Name: "Harpreet (demo)", Email: w.med.Name, Languages: []string{"pan", "hi"}, Territories: []string{perugia}, Modes: []string{"in_person", "phone"}, Active: true, Week: week})
	if err != nil {
		w.t.Fatal(err)
	}
	for _, m := range []mediation.Mediator{
		{Name: "Arabic (demo)", Email: "ar@example.org", Languages: []string{"ar"}, Territories: []string{perugia}, Modes: []string{"in_person"}, Active: true, Week: week},
		{Name: "Away (demo)", Email: "away@example.org", Languages: []string{"pa"}, Territories: []string{perugia}, Modes: []string{"in_person"}, Active: true, Week: week,
			Exceptions: []mediation.Exception{{Date: "2026-12-08", From: "00:00", To: "24:00"}}},
		{Name: "Phone only (demo)", Email: "phone@example.org", Languages: []string{"pa"}, Territories: []string{perugia}, Modes: []string{"phone"}, Active: true, Week: week},
	} {
		if _, err := w.ms.SaveMediator(ctx, w.pg, m); err != nil {
			w.t.Fatal(err)
		}
	}
	if _, err := w.ms.SaveMediator(ctx, w.tr, mediation.Mediator{Name: "Terni (demo)", Email: "tr@example.org", Languages: []string{"pa"}, Territories: []string{terni}, Modes: []string{"in_person"}, Active: true, Week: week}); err != nil {
		w.t.Fatal(err)
	}
	if org, err = w.ms.CreateOrg(ctx, w.pg, "Scuola media (demo)", perugia); err != nil {
		w.t.Fatal(err)
	}
	if org, err = w.ms.AddRequester(ctx, w.pg, org.ID, w.rq.Name); err != nil {
		w.t.Fatal(err)
	}
	if budget, err = w.ms.SaveBudget(ctx, w.pg, 0, "FAMI 2026", perugia, 1200); err != nil {
		w.t.Fatal(err)
	}
	return right, org, budget
}

func punjabiTuesday() mediation.RequestIn {
	return mediation.RequestIn{Language: "pa", Mode: "in_person", Address: "Via della Scuola 1 (demo)", Territory: perugia,
		Date: "2026-12-08", From: "10:00", To: "12:00", DurationHours: 2, Topic: "school", Notes: "Colloquio con la famiglia.", ContactName: "Prof. Rossi (demo)"}
}

func TestRequestLifecycle(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	right, org, budget := w.setup()

	r, err := w.ms.CreateRequest(ctx, w.rq, punjabiTuesday())
	if err != nil {
		t.Fatal(err)
	}
	if r.State != "requested" || r.Org != org.ID || r.From != "10:00" || r.StartsAt != time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC) {
		t.Fatalf("request %+v", r)
	}
	if got := w.outbox(); len(got) != 2 || !strings.HasPrefix(got[0], w.rq.Name+"|") || !strings.HasPrefix(got[1], w.pg.Name+"|Nuova") {
		t.Errorf("mails after the request: %q", got)
	}

	// Perugia sees it with the right mediator suggested; Terni does not.
	sug, err := w.ms.Suggest(ctx, w.pg, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(sug) != 1 || sug[0].Mediator.ID != right.ID {
		t.Errorf("suggested %+v, want only %s", sug, right.Name)
	}
	if _, err := w.ms.Request(ctx, w.tr, r.ID); !errors.Is(err, mediation.ErrForbidden) {
		t.Errorf("Terni reads the request: %v", err)
	}
	if _, err := w.ms.Assign(ctx, w.tr, r.ID, right.ID, 0, false); !errors.Is(err, mediation.ErrForbidden) {
		t.Errorf("Terni assigns: %v", err)
	}
	if list, _ := w.ms.Requests(ctx, w.tr, mediation.Filter{}); len(list) != 0 {
		t.Errorf("Terni's queue: %d", len(list))
	}
	if list, _ := w.ms.Requests(ctx, w.pg, mediation.Filter{Language: "pan", State: "requested", From: "2026-12-08", To: "2026-12-08"}); len(list) != 1 {
		t.Errorf("Perugia's filtered queue: %d", len(list))
	}
	if list, _ := w.ms.Requests(ctx, w.pg, mediation.Filter{From: "2026-12-09"}); len(list) != 0 {
		t.Errorf("queue from the 9th: %d", len(list))
	}
	if list, _ := w.ms.Requests(ctx, w.med, mediation.Filter{}); len(list) != 0 {
		t.Errorf("the mediator sees %d requests before any assignment", len(list))
	}

	if r, err = w.ms.Assign(ctx, w.pg, r.ID, right.ID, 0, false); err != nil {
		t.Fatal(err)
	}
	if r.State != "assigned" || r.Budget == nil || *r.Budget != budget.ID {
		t.Fatalf("assigned: %+v", r)
	}
	bs, _ := w.ms.Budgets(ctx, w.pg, perugia)
	if bs[0].Left != 1198 || bs[0].Reserved != 2 {
		t.Errorf("budget after assignment: %+v", bs[0])
	}
	mails := w.outbox()
	if len(mails) != 4 || !strings.HasPrefix(mails[3], w.med.Name+"|Incarico") {
		t.Errorf("mails after assignment: %q", mails)
	}
	var body []byte
	w.db.R.QueryRow("SELECT body FROM mail_outbox WHERE to_addr = ?", w.med.Name).Scan(&body)
	if !bytes.Contains(body, []byte("text/calendar")) || bytes.Contains(body, []byte("Colloquio")) {
		t.Errorf("the mediator's mail has no invitation, or carries the notes:\n%s", body)
	}

	// The mediator sees their assignment and confirms it; an assignment of
	// someone else's they cannot see.
	if list, _ := w.ms.Requests(ctx, w.med, mediation.Filter{}); len(list) != 1 || list[0].ID != r.ID {
		t.Errorf("the mediator's list: %+v", list)
	}
	if r, err = w.ms.Confirm(ctx, w.med, r.ID); err != nil || r.State != "confirmed" {
		t.Fatalf("confirm: %v %+v", err, r)
	}
	if _, err := w.ms.CloseRequest(ctx, w.pg, r.ID, 0, false); !isField(err, "hours") {
		t.Errorf("close with 0 h: %v", err)
	}
	if r, err = w.ms.CloseRequest(ctx, w.pg, r.ID, 2.5, false); err != nil || r.State != "done" {
		t.Fatalf("close: %v %+v", err, r)
	}
	bs, _ = w.ms.Budgets(ctx, w.pg, perugia)
	if bs[0].Used != 2.5 || bs[0].Left != 1197.5 || bs[0].Reserved != 0 {
		t.Errorf("budget after close: %+v", bs[0])
	}
	rep, err := w.ms.MonthReport(ctx, w.pg, "2026-12")
	if err != nil || rep.Hours != 2.5 || len(rep.ByLanguage) != 1 || rep.ByLanguage[0] != (mediation.Line{Key: "pa", Hours: 2.5, Requests: 1}) {
		t.Errorf("report: %v %+v", err, rep)
	}
	var csv bytes.Buffer
	if err := rep.WriteCSV(&csv); err != nil || !strings.Contains(csv.String(), "2026-12,body,Scuola media (demo),2.50,1\n") || !strings.Contains(csv.String(), "2026-12,total,,2.50,1\n") {
		t.Errorf("csv: %v\n%s", err, csv.String())
	}
	if rep, _ := w.ms.MonthReport(ctx, w.tr, "2026-12"); rep.Hours != 0 {
		t.Errorf("Terni's report counts Perugia's hours: %+v", rep)
	}

	actions := map[string]int{}
	entries, _ := w.ed.AuditEntries(ctx, editorial.AuditQuery{Kind: "request", Limit: 100})
	for _, e := range entries {
		actions[e.Action]++
		if bytes.Contains(e.Before, []byte("Colloquio")) || bytes.Contains(e.After, []byte("Colloquio")) {
			t.Errorf("the audit log keeps the notes: %s", e.After)
		}
	}
	for _, a := range []string{"request.create", "request.assign", "request.confirm", "request.close"} {
		if actions[a] != 1 {
			t.Errorf("audit %s: %d entries (%v)", a, actions[a], actions)
		}
	}

	// The notes go once the retention after the close has passed.
	if n, _ := w.ms.PurgeNotes(ctx); n != 0 {
		t.Errorf("purged %d before the retention", n)
	}
	w.clock.Add(73 * time.Hour)
	if n, _ := w.ms.PurgeNotes(ctx); n != 1 {
		t.Errorf("purged %d after the retention", n)
	}
	if w.count("SELECT count(*) FROM mediation_request WHERE notes != ''") != 0 {
		t.Error("notes left")
	}
	// Nor are they anywhere in the file or its log as text.
	w.db.W.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	for _, f := range []string{w.path, w.path + "-wal"} {
		if raw, err := os.ReadFile(f); err == nil && bytes.Contains(raw, []byte("Colloquio con la famiglia")) {
			t.Errorf("the purged notes are still in %s", filepath.Base(f))
		}
	}
}

func isField(err error, field string) bool {
	var fe *mediation.FieldError
	return errors.As(err, &fe) && fe.Field == field
}

func TestRequestRefusesBadInput(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	w.setup()
	for _, tc := range []struct {
		name, field string
		edit        func(*mediation.RequestIn)
	}{
		{"in the past", "date", func(r *mediation.RequestIn) { r.Date = "2026-11-27" }},
		{"earlier today", "date", func(r *mediation.RequestIn) { r.Date, r.From = "2026-11-30", "08:00" }},
		{"not ISO 639", "language", func(r *mediation.RequestIn) { r.Language = "xx" }},
		{"a name, not a code", "language", func(r *mediation.RequestIn) { r.Language = "punjabi" }},
		{"duration 0", "duration_hours", func(r *mediation.RequestIn) { r.DurationHours = 0 }},
		{"duration 13 h", "duration_hours", func(r *mediation.RequestIn) { r.From, r.To, r.DurationHours = "00:00", "24:00", 13 }},
		{"longer than the window", "duration_hours", func(r *mediation.RequestIn) { r.DurationHours = 3 }},
		{"10,000-character notes", "notes", func(r *mediation.RequestIn) { r.Notes = strings.Repeat("n", 10000) }},
		{"unknown territory", "territory", func(r *mediation.RequestIn) { r.Territory = "zona-99" }},
		{"no address in person", "address", func(r *mediation.RequestIn) { r.Address = "" }},
		{"unknown topic", "topic", func(r *mediation.RequestIn) { r.Topic = "tax" }},
		{"to before from", "to", func(r *mediation.RequestIn) { r.To = "09:00" }},
		{"no contact", "contact_name", func(r *mediation.RequestIn) { r.ContactName = " " }},
	} {
		in := punjabiTuesday()
		tc.edit(&in)
		if _, err := w.ms.CreateRequest(ctx, w.rq, in); !isField(err, tc.field) {
			t.Errorf("%s: %v, want a refusal of %s", tc.name, err, tc.field)
		}
	}
	if n := w.count("SELECT count(*) FROM mediation_request"); n != 0 {
		t.Errorf("%d requests written", n)
	}
	if _, err := w.ms.CreateRequest(ctx, w.med, punjabiTuesday()); !errors.Is(err, mediation.ErrForbidden) {
		t.Errorf("a mediator requests: %v", err)
	}
	if _, err := w.ms.SaveMediator(ctx, w.pg, mediation.Mediator{Name: "X", Email: "x@example.org", Languages: []string{"zz"}, Territories: []string{perugia}, Modes: []string{"phone"}}); !isField(err, "languages[0]") {
		t.Errorf("mediator with zz: %v", err)
	}
	if _, err := w.ms.SaveMediator(ctx, w.pg, mediation.Mediator{Name: "X", Email: "x@example.org", Languages: []string{"pa"}, Territories: []string{terni}, Modes: []string{"phone"}}); !errors.Is(err, mediation.ErrForbidden) {
		t.Errorf("Perugia registers a Terni mediator: %v", err)
	}
}

// Going past the hours left needs an override, audited; without it
// nothing is written.
func TestBudgetOverride(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	right, _, budget := w.setup()
	if _, err := w.ms.SaveBudget(ctx, w.pg, budget.ID, "FAMI 2026", perugia, 1); err != nil {
		t.Fatal(err)
	}
	r, err := w.ms.CreateRequest(ctx, w.rq, punjabiTuesday())
	if err != nil {
		t.Fatal(err)
	}
	mails, audits := len(w.outbox()), w.count("SELECT count(*) FROM portal_audit")
	if _, err := w.ms.Assign(ctx, w.pg, r.ID, right.ID, 0, false); !errors.Is(err, mediation.ErrConflict) || !strings.Contains(err.Error(), "1.00 h left") {
		t.Fatalf("assign past the budget: %v", err)
	}
	if got, _ := w.ms.Request(ctx, w.pg, r.ID); got.State != "requested" || len(w.outbox()) != mails || w.count("SELECT count(*) FROM portal_audit") != audits {
		t.Fatalf("a refused assignment left traces: %+v", got)
	}
	if r, err = w.ms.Assign(ctx, w.pg, r.ID, right.ID, 0, true); err != nil || r.State != "assigned" {
		t.Fatalf("override: %v", err)
	}
	if w.count("SELECT count(*) FROM portal_audit WHERE action = 'budget.override' AND actor = ?", w.pg.Name) != 1 {
		t.Error("the override is not audited")
	}
	// Another request at the same time: the mediator is busy.
	r2, err := w.ms.CreateRequest(ctx, w.rq, punjabiTuesday())
	if err != nil {
		t.Fatal(err)
	}
	if sug, _ := w.ms.Suggest(ctx, w.pg, r2.ID); len(sug) != 0 {
		t.Errorf("a busy mediator suggested: %+v", sug)
	}
	if _, err := w.ms.Assign(ctx, w.pg, r2.ID, right.ID, 0, true); !isField(err, "mediator") {
		t.Errorf("double booking: %v", err)
	}
	// Rescheduled out of the mediator's hours: back to the queue.
	if r, err = w.ms.Reschedule(ctx, w.pg, r.ID, "2026-12-09", "10:00", "12:00"); err != nil || r.State != "requested" || r.Mediator != nil {
		t.Errorf("reschedule: %v %+v", err, r)
	}
	if _, err := w.ms.Cancel(ctx, w.rq, r2.ID); err != nil {
		t.Errorf("the requester cancels: %v", err)
	}
}

package main

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/internal/testenv"
)

// The end-to-end run, with the portal a separate process and a
// real SMTP server (STARTTLS, a login) in the test: a school requests a
// Punjabi mediator for Tuesday 10:00–12:00; Perugia's coordinator sees it
// with the right mediator suggested, assigns (while the mail server is
// down) and confirms; the requester and the mediator get their mail, the
// .ics parses; closing with 2.5 h takes the budget down by 2.5 and the
// monthly CSV sums it; Terni's coordinator gets 403; a mediator sees only
// their own assignments.
func TestMediationEndToEnd(t *testing.T) {
	t.Parallel()
	box := testenv.StartMailbox(t)
	dir := t.TempDir()
	ca := filepath.Join(dir, "smtp-ca.pem")
	if err := os.WriteFile(ca, box.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	smtpURL := "smtp://" + url.UserPassword(testenv.MailUser, testenv.MailPassword).String() + "@" + box.Addr + "?from=mediazione@example.org"
	n := newNetwork(t, "--smtp", smtpURL, "--smtp-ca", ca, "--mail-retry", "300ms")
	const pgName, trName, coordPass = "coord.pg@example.org", "coord.tr@example.org", "a coordinator's long password"
	admin := loginEditor(t, n.portalURL, "admin", adminPassword)
	for _, c := range [][2]string{{pgName, "zona-2-perugia"}, {trName, "zona-10-terni"}} {
		if code, raw := admin.do("POST", "/editor/api/accounts", map[string]any{"name": c[0], "role": "coordinator", "territories": []string{c[1]}, "password": coordPass}); code != 201 {
			t.Fatalf("coordinator %s: %d %s", c[0], code, raw)
		}
	}

	pg := loginEditor(t, n.portalURL, pgName, coordPass)
	tr := loginEditor(t, n.portalURL, trName, coordPass)
	call := func(e *editorClient, method, path string, body any, want int) map[string]any {
		t.Helper()
		code, raw := e.do(method, "/editor/api"+path, body)
		var out map[string]any
		json.Unmarshal(raw, &out)
		if code != want {
			t.Fatalf("%s %s: %d %s, want %d", method, path, code, raw, want)
		}
		return out
	}
	must := func(e *editorClient, method, path string, body any, want int) map[string]any {
		t.Helper()
		return call(e, method, "/mediation"+path, body, want)
	}
	week := []map[string]any{{"weekday": 2, "from": "09:00", "to": "13:00"}}
	mediator := func(e *editorClient, name, email, lang, terr string) (float64, string) {
		out := must(e, "POST", "/mediators", map[string]any{"name": name, "email": email, "languages": []string{lang}, "territories": []string{terr},
			"modes": []string{"in_person", "video"}, "active": true, "week": week}, 201)
		return out["mediator"].(map[string]any)["id"].(float64), out["password"].(string)
	}
	harpreet, harpreetPass := mediator(pg, "Harpreet (demo)", "harpreet@example.org", "pa", "zona-2-perugia")
	amina, aminaPass := mediator(pg, "Amina (demo)", "amina@example.org", "ar", "zona-2-perugia")
	mediator(tr, "Gurpreet (demo)", "gurpreet@example.org", "pa", "zona-10-terni")
	org := must(pg, "POST", "/orgs", map[string]any{"name": "Scuola media Pascoli (demo)", "territory": "zona-2-perugia"}, 201)["org"].(map[string]any)
	const school = "segreteria@scuola.example.org"
	schoolPass := must(pg, "POST", fmt.Sprintf("/orgs/%v/requesters", org["id"]), map[string]any{"email": school}, 200)["password"].(string)
	must(pg, "POST", "/budgets", map[string]any{"programme": "FAMI 2026", "territory": "zona-2-perugia", "hours": 1200}, 201)

	// Next Tuesday, at least a day ahead.
	now := time.Now().In(content.Rome)
	tue := now.AddDate(0, 0, 1)
	for tue.Weekday() != time.Tuesday {
		tue = tue.AddDate(0, 0, 1)
	}
	date := tue.Format(time.DateOnly)
	rq := loginEditor(t, n.portalURL, school, schoolPass)
	form := map[string]any{"language": "pa", "mode": "in_person", "address": "Via Pascoli 1, Perugia (demo)", "territory": "zona-2-perugia",
		"date": date, "from": "10:00", "to": "12:00", "duration_hours": 2, "topic": "school", "urgency": "normal",
		"notes": "Colloquio con i genitori sull'iscrizione.", "contact_name": "Prof.ssa Bianchi (demo)", "contact_phone": "+39 000 000 0000"}
	req := must(rq, "POST", "/requests", form, 201)["request"].(map[string]any)
	reqPath := fmt.Sprintf("/requests/%v", req["id"])
	arabic := map[string]any{}
	for k, v := range form {
		arabic[k] = v
	}
	arabic["language"], arabic["mode"], arabic["address"] = "ar", "video", ""
	other := must(rq, "POST", "/requests", arabic, 201)["request"].(map[string]any)
	testenv.Eventually(t, 30*time.Second, "the requester's receipt and the coordinator's notice", func() bool {
		return len(box.To(school)) == 2 && len(box.To(pgName)) == 2
	})
	if n := len(box.To(trName)); n != 0 {
		t.Errorf("Terni's coordinator got %d mails about Perugia", n)
	}

	// Perugia sees it, with Harpreet (and only Harpreet) suggested.
	queue := must(pg, "GET", "/requests?language=pa&state=requested&territory=zona-2-perugia&from="+date+"&to="+date, nil, 200)["requests"].([]any)
	if len(queue) != 1 {
		t.Fatalf("Perugia's queue: %v", queue)
	}
	got := must(pg, "GET", reqPath, nil, 200)
	sug := got["suggestions"].([]any)
	if len(sug) != 1 || sug[0].(map[string]any)["mediator"].(map[string]any)["id"] != harpreet {
		t.Fatalf("suggested: %v", sug)
	}
	left0 := got["budgets"].([]any)[0].(map[string]any)["left_hours"].(float64)
	// Terni can neither see nor change it.
	must(tr, "GET", reqPath, nil, 403)
	must(tr, "POST", reqPath+"/assign", map[string]any{"mediator": harpreet}, 403)
	must(tr, "POST", reqPath+"/close", map[string]any{"hours": 1}, 403)
	if q := must(tr, "GET", "/requests", nil, 200)["requests"].([]any); len(q) != 0 {
		t.Errorf("Terni's queue holds %d requests", len(q))
	}

	// The mail server goes down during the assignment: the mediator's mail
	// arrives once it is back, exactly once.
	box.Down()
	failed := strings.Count(n.portal.Output(), "mail not delivered")
	must(pg, "POST", reqPath+"/assign", map[string]any{"mediator": harpreet}, 200)
	// Two mails (the requester's, the mediator's), each failing twice.
	testenv.Eventually(t, 30*time.Second, "retries while the server is down", func() bool {
		return strings.Count(n.portal.Output(), "mail not delivered") >= failed+4
	})
	box.Up()
	testenv.Eventually(t, 30*time.Second, "the mediator's invitation after the server came back", func() bool { return len(box.To("harpreet@example.org")) == 1 })
	must(pg, "POST", fmt.Sprintf("/requests/%v/assign", other["id"]), map[string]any{"mediator": amina}, 200)
	must(pg, "POST", reqPath+"/confirm", nil, 200)
	testenv.Eventually(t, 30*time.Second, "the requester told of the assignment and the confirmation", func() bool {
		return len(box.To(school)) == 5 && len(box.To("amina@example.org")) == 1
	})
	if n := len(box.To("harpreet@example.org")); n != 1 {
		t.Errorf("the mediator got the invitation %d times", n)
	}
	start, end := invitationTimes(t, box.To("harpreet@example.org")[0].Raw)
	want := time.Date(tue.Year(), tue.Month(), tue.Day(), 10, 0, 0, 0, content.Rome)
	if !start.Equal(want) || !end.Equal(want.Add(2*time.Hour)) {
		t.Errorf("invitation %s–%s, want %s for 2 h", start, end, want)
	}
	if bytes.Contains(box.To("harpreet@example.org")[0].Raw, []byte("Colloquio")) {
		t.Error("the mail carries the request's notes")
	}

	// A mediator sees only their own assignments.
	hp := loginEditor(t, n.portalURL, "harpreet@example.org", harpreetPass)
	if mine := must(hp, "GET", "/requests", nil, 200)["requests"].([]any); len(mine) != 1 || mine[0].(map[string]any)["id"] != req["id"] {
		t.Errorf("Harpreet's list: %v", mine)
	}
	am := loginEditor(t, n.portalURL, "amina@example.org", aminaPass)
	must(am, "GET", reqPath, nil, 403)

	// Closing with 2.5 h takes the budget down by 2.5; the CSV sums it.
	must(pg, "POST", reqPath+"/close", map[string]any{"hours": 2.5}, 200)
	left := must(pg, "GET", "/budgets?territory=zona-2-perugia", nil, 200)["budgets"].([]any)[0].(map[string]any)["left_hours"].(float64)
	// The Arabic request (2 h, assigned) is reserved besides.
	if left0-left != 2.5+2 {
		t.Errorf("hours left %v → %v: down by %v, want 2.5 used + 2 reserved", left0, left, left0-left)
	}
	code, raw := pg.do("GET", "/editor/api/mediation/report.csv?month="+tue.Format("2006-01"), nil)
	rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if code != 200 || err != nil {
		t.Fatalf("csv: %d %v %s", code, err, raw)
	}
	sums := map[string]string{}
	for _, r := range rows[1:] {
		sums[r[1]+"/"+r[2]] = r[3]
	}
	for _, k := range []string{"total/", "language/pa", "body/Scuola media Pascoli (demo)", "topic/school", "territory/zona-2-perugia"} {
		if sums[k] != "2.50" {
			t.Errorf("csv %s = %q, want 2.50:\n%s", k, sums[k], raw)
		}
	}
	if code, _ := tr.do("GET", "/editor/api/mediation/report.csv?month="+tue.Format("2006-01"), nil); code != 200 {
		t.Errorf("Terni's report: %d", code)
	}

	// A call-back from a phone, in Arabic, for Perugia: in the
	// coordinator's queue at once, and for the Arabic mediator; the number
	// is in neither the database file, its log nor the portal's output in
	// clear; done, it is gone.
	phone := newEditor(t, n.portalURL)
	const number, digits = "+39 333 765 4321", "+393337654321"
	if code, raw := phone.do("POST", "/callback/v1/requests", map[string]any{"number": number, "language": "ar", "topic": "health", "territory": "zona-2-perugia"}); code != 202 {
		t.Fatalf("call-back: %d %s", code, raw)
	}
	asked := time.Now()
	var cbs []any
	testenv.Eventually(t, 5*time.Second, "the call-back in Perugia's queue", func() bool {
		cbs = call(pg, "GET", "/callbacks", nil, 200)["callbacks"].([]any)
		return len(cbs) == 1
	})
	if d := time.Since(asked); d > time.Second {
		t.Logf("the call-back reached the queue in %s", d)
	}
	if got := cbs[0].(map[string]any)["number"]; got != digits {
		t.Errorf("number in the queue %v", got)
	}
	if l := call(am, "GET", "/callbacks", nil, 200)["callbacks"].([]any); len(l) != 1 {
		t.Errorf("the Arabic mediator's call-backs: %v", l)
	}
	if l := call(tr, "GET", "/callbacks", nil, 200)["callbacks"].([]any); len(l) != 0 {
		t.Errorf("Terni's call-backs: %v", l)
	}
	for _, f := range []string{n.portalDB, n.portalDB + "-wal"} {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, s := range []string{digits, "3337654321", number} {
			if bytes.Contains(raw, []byte(s)) {
				t.Errorf("%s holds the number in clear", filepath.Base(f))
			}
		}
	}
	if strings.Contains(n.portal.Output(), "3337654321") || strings.Contains(n.portal.Output(), "765 4321") {
		t.Error("the portal's log holds the number")
	}
	call(am, "POST", fmt.Sprintf("/callbacks/%v/done", cbs[0].(map[string]any)["id"]), nil, 200)
	if l := call(pg, "GET", "/callbacks", nil, 200)["callbacks"].([]any); len(l) != 0 {
		t.Errorf("after done: %v", l)
	}

	// A coordinator invites a requester by e-mail: the mail's one-time
	// link sets the password, once; the coordinator never sees one.
	const invited, newPass = "vicepreside@scuola.example.org", "a requester's own long passphrase"
	inv := must(pg, "POST", fmt.Sprintf("/orgs/%v/invites", org["id"]), map[string]any{"email": invited}, 201)
	if _, shown := inv["password"]; shown || inv["expires_at"] == nil {
		t.Errorf("the invitation's answer: %v", inv)
	}
	must(tr, "POST", fmt.Sprintf("/orgs/%v/invites", org["id"]), map[string]any{"email": "other@scuola.example.org"}, 403)
	if code, raw := pg.do("POST", fmt.Sprintf("/editor/api/mediation/orgs/%v/invites", org["id"]), map[string]any{"email": "not an address"}); code != 400 || !strings.Contains(string(raw), `"field":"email"`) {
		t.Errorf("a bad address: %d %s", code, raw)
	}
	testenv.Eventually(t, 30*time.Second, "the invitation mail", func() bool { return len(box.To(invited)) == 1 })
	text := mailText(t, box.To(invited)[0])
	i := strings.Index(text, "#/invite/")
	if i < 0 {
		t.Fatalf("no link in the invitation:\n%s", text)
	}
	token := strings.Fields(text[i+len("#/invite/"):])[0]
	if !strings.HasPrefix(text[:i][strings.LastIndex(text[:i], "\n")+1:], n.portalURL+"/editor") {
		t.Errorf("the link is not the portal's editor: %q", text[:i])
	}
	guest := newEditor(t, n.portalURL)
	if code, raw := guest.do("POST", "/editor/api/invite", map[string]any{"token": token, "password": "short"}); code != 400 || !strings.Contains(string(raw), `"field":"password"`) {
		t.Errorf("a weak password: %d %s", code, raw)
	}
	if code, raw := guest.do("POST", "/editor/api/invite", map[string]any{"token": token, "password": newPass}); code != 200 {
		t.Fatalf("accept: %d %s", code, raw)
	}
	if code, raw := guest.do("POST", "/editor/api/invite", map[string]any{"token": token, "password": newPass + " again"}); code != 400 || !strings.Contains(string(raw), `"field":"token"`) {
		t.Errorf("the link used twice: %d %s", code, raw)
	}
	vp := loginEditor(t, n.portalURL, invited, newPass)
	if l := must(vp, "GET", "/requests", nil, 200)["requests"].([]any); len(l) != 2 {
		t.Errorf("the invited requester sees %d of the body's requests, want 2", len(l))
	}
}

// mailText is the decoded plain text of a received mail.
func mailText(t *testing.T, m testenv.Mail) string {
	t.Helper()
	if strings.HasPrefix(m.Msg.Header.Get("Content-Type"), "multipart/") {
		parts, err := readMail(m.Raw)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range parts {
			if strings.HasPrefix(p.ctype, "text/plain") {
				return string(p.body)
			}
		}
		t.Fatal("no text part")
	}
	var r io.Reader = m.Msg.Body
	switch strings.ToLower(m.Msg.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// invitationTimes finds the .ics of a mail and returns its event's start
// and end.
func invitationTimes(t *testing.T, raw []byte) (time.Time, time.Time) {
	t.Helper()
	msg, err := readMail(raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range msg {
		if !strings.HasPrefix(p.ctype, "text/calendar") {
			continue
		}
		cal, err := ics.ParseCalendar(bytes.NewReader(p.body))
		if err != nil {
			t.Fatalf("the .ics does not parse: %v\n%s", err, p.body)
		}
		evs := cal.Events()
		if len(evs) != 1 {
			t.Fatalf("%d events", len(evs))
		}
		s, err1 := evs[0].GetStartAt()
		e, err2 := evs[0].GetEndAt()
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		return s, e
	}
	t.Fatalf("no text/calendar part in:\n%s", raw)
	return time.Time{}, time.Time{}
}

type mailPart struct {
	ctype string
	body  []byte
}

// readMail splits a multipart message into its decoded parts.
func readMail(raw []byte) ([]mailPart, error) {
	i := bytes.Index(raw, []byte("\r\n\r\n"))
	if i < 0 {
		return nil, fmt.Errorf("no header end")
	}
	var ctype string
	for _, l := range strings.Split(string(raw[:i]), "\r\n") {
		if k, v, ok := strings.Cut(l, ": "); ok && strings.EqualFold(k, "Content-Type") {
			ctype = v
		}
	}
	_, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return nil, err
	}
	mr := multipart.NewReader(bytes.NewReader(raw[i+4:]), params["boundary"])
	var out []mailPart
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		b, _ := io.ReadAll(p)
		if p.Header.Get("Content-Transfer-Encoding") == "base64" {
			b, _ = base64.StdEncoding.DecodeString(strings.ReplaceAll(string(b), "\r\n", ""))
		}
		out = append(out, mailPart{p.Header.Get("Content-Type"), b})
	}
}

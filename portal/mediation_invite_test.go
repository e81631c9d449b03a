package portal

import (
	"database/sql"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/punto-totem/punto/mediation"
)

// An invitation's link expires: past mediation.InviteTTL it sets nothing
// (400 naming the token), and the login keeps no usable password.
// (TestMediationEndToEnd in cmd/punto follows a link through a real SMTP
// server and uses it once.)
func TestInviteExpires(t *testing.T) {
	t.Parallel()
	e := newMediationEnv(t)
	pg := e.login(coordPG, coordPass)
	r := pg.do("POST", "/editor/api/mediation/orgs", map[string]any{"name": "Liceo (demo)", "territory": "zona-2-perugia"})
	if r.status != 201 {
		t.Fatalf("org: %d %s", r.status, r.raw)
	}
	const invited = "docente@liceo.example.org"
	if r := pg.do("POST", fmt.Sprintf("/editor/api/mediation/orgs/%v/invites", at(r.json, "org", "id")), map[string]any{"email": invited}); r.status != 201 {
		t.Fatalf("invite: %d %s", r.status, r.raw)
	}
	token := inviteToken(t, e.st.Path(), invited)
	guest := e.anon()
	guest.startLogin()
	// A password holding the login is refused, and the link stays good.
	if r := guest.do("POST", "/editor/api/invite", map[string]any{"token": token, "password": "docente@liceo.example.org 2026"}); r.status != 400 || r.field() != "password" {
		t.Errorf("a password holding the login: %d %s", r.status, r.raw)
	}
	db, err := sql.Open("sqlite3", "file:"+e.st.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var unused bool
	if err := db.QueryRow("SELECT used_at IS NULL FROM mediation_invite WHERE email = ?", invited).Scan(&unused); err != nil || !unused {
		t.Errorf("after a refused password the link is spent (%v)", err)
	}
	e.clock.Add(mediation.InviteTTL + time.Minute)
	if r := guest.do("POST", "/editor/api/invite", map[string]any{"token": token, "password": "a requester's own long passphrase"}); r.status != 400 || r.field() != "token" {
		t.Errorf("an expired link: %d %s", r.status, r.raw)
	}
	if r := guest.do("POST", "/editor/api/invite", map[string]any{"token": "NOSUCHTOKEN", "password": "a requester's own long passphrase"}); r.status != 400 || r.field() != "token" {
		t.Errorf("an unknown link: %d %s", r.status, r.raw)
	}
	if r := e.anon().do("POST", "/editor/api/invite", map[string]any{"token": token, "password": "a requester's own long passphrase"}); r.status != 403 {
		t.Errorf("without the pre-session's CSRF token: %d %s", r.status, r.raw)
	}
}

// inviteToken reads the token of the invitation mailed to addr from the
// outbox (no SMTP in these tests).
func inviteToken(t *testing.T, path, addr string) string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var body []byte
	if err := db.QueryRow("SELECT body FROM mail_outbox WHERE to_addr = ? ORDER BY id DESC", addr).Scan(&body); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`#/invite/([A-Z0-9]+)`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("no link in the mail:\n%s", body)
	}
	return string(m[1])
}

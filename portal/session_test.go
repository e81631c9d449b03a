package portal

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/punto-totem/punto/editorial"
)

func TestLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if err := edOf(t, e.st, nil).DisableUser(context.Background(), "command line", editor2Name); err != nil {
		t.Fatal(err)
	}
	wrong := map[string]string{"name": adminName, "password": "not the password"}
	tests := []struct {
		name   string
		body   any
		hdr    []string
		status int
		check  func(t *testing.T, r *resp)
	}{
		{"ok", map[string]string{"name": adminName, "password": adminPass}, nil, 200, func(t *testing.T, r *resp) {
			if r.json["authenticated"] != true || at(r.json, "user", "role") != "admin" || r.str("csrf_token") == "" {
				t.Errorf("%s", r.raw)
			}
			if at(r.json, "idle_timeout_s") != 1800.0 {
				t.Errorf("idle timeout: %v", r.json["idle_timeout_s"])
			}
			ck := setCookie(r, sessionCookie)
			for _, want := range []string{"HttpOnly", "SameSite=Strict", "Path=/editor"} {
				if !strings.Contains(strings.ToLower(ck), strings.ToLower(want)) {
					t.Errorf("session cookie %q lacks %s", ck, want)
				}
			}
			if strings.Contains(strings.ToLower(ck), "secure") {
				t.Errorf("Secure on plain http without SecureCookies: %q", ck)
			}
			if strings.Contains(string(r.raw), "argon2") {
				t.Errorf("hash leaked: %s", r.raw)
			}
		}},
		{"name in another case, spaces", map[string]string{"name": "  ANNA ", "password": editorPass}, nil, 200, nil},
		{"wrong password", wrong, nil, 401, wantCode("bad_credentials")},
		{"unknown account answers the same", map[string]string{"name": "nobody@example.org", "password": "whatever password"}, nil, 401, func(t *testing.T, r *resp) {
			if r.str("error") != "wrong name or password" || r.str("code") != "bad_credentials" {
				t.Errorf("%s", r.raw)
			}
		}},
		{"disabled account answers the same", map[string]string{"name": editor2Name, "password": editor2Pass}, nil, 401, wantCode("bad_credentials")},
		{"no password", map[string]string{"name": adminName}, nil, 400, wantField("password")},
		{"no name", map[string]string{"password": adminPass}, nil, 400, wantField("name")},
		{"unknown field", `{"name": "a", "password": "b", "remember": true}`, nil, 400, wantCode("bad_request")},
		{"not JSON", `{"name": `, nil, 400, wantField("body")},
		{"name of the wrong type", `{"name": 3, "password": "x"}`, nil, 400, wantField("name")},
		{"no CSRF header", map[string]string{"name": adminName, "password": adminPass}, []string{csrfHeader, "-"}, 403, wantCode("csrf")},
		{"wrong CSRF header", map[string]string{"name": adminName, "password": adminPass}, []string{csrfHeader, "forged"}, 403, wantCode("csrf")},
		{"another origin", map[string]string{"name": adminName, "password": adminPass}, []string{"Origin", "https://evil.example"}, 403, wantCode("csrf")},
		{"cross-site fetch", map[string]string{"name": adminName, "password": adminPass}, []string{"Sec-Fetch-Site", "cross-site"}, 403, wantCode("csrf")},
		{"same origin", map[string]string{"name": adminName, "password": adminPass}, []string{"Origin", "http://example.com", "Sec-Fetch-Site", "same-origin"}, 200, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl := e.anon()
			cl.startLogin()
			r := cl.do("POST", "/editor/api/login", tt.body, tt.hdr...)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.raw)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

func TestLoginWithoutPreSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cl := e.anon()
	cl.csrf = "made-up-token-made-up-token-made-up-token"
	if r := cl.do("POST", "/editor/api/login", map[string]string{"name": adminName, "password": adminPass}); r.status != 403 {
		t.Fatalf("login without the pre-session cookie: %d %s", r.status, r.raw)
	}
}

func TestLoginLock(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	try := func(name, pass string) *resp {
		cl := e.anon()
		cl.startLogin()
		return cl.do("POST", "/editor/api/login", map[string]string{"name": name, "password": pass})
	}
	for _, name := range []string{adminName, "ghost@example.org"} {
		for i := range editorial.NameFreeTries {
			if r := try(name, "wrong password!"); r.status != 401 {
				t.Fatalf("%s: failure %d: %d %s", name, i+1, r.status, r.raw)
			}
		}
		// Locked now, for an account and for a name nobody has alike.
		r := try(name, adminPass)
		if r.status != 429 || r.str("code") != "rate_limited" {
			t.Fatalf("%s locked: %d %s", name, r.status, r.raw)
		}
		if ra, _ := strconv.Atoi(r.header.Get("Retry-After")); ra < 1 || ra > 30 {
			t.Errorf("%s: Retry-After %q", name, r.header.Get("Retry-After"))
		}
	}
	// After the lock, one more failure locks for twice as long.
	e.clock.Add(31 * time.Second)
	if r := try(adminName, "wrong again!!"); r.status != 401 {
		t.Fatalf("after the lock: %d %s", r.status, r.raw)
	}
	r := try(adminName, adminPass)
	if ra, _ := strconv.Atoi(r.header.Get("Retry-After")); r.status != 429 || ra <= 30 || ra > 60 {
		t.Fatalf("second lock: %d, Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	e.clock.Add(61 * time.Second)
	if r := try(adminName, adminPass); r.status != 200 {
		t.Fatalf("after the second lock: %d %s", r.status, r.raw)
	}
	// Success forgets the failures.
	if r := try(adminName, "wrong password!"); r.status != 401 {
		t.Fatalf("a fresh failure: %d", r.status)
	}
	if r := try(adminName, adminPass); r.status != 200 {
		t.Fatalf("one failure does not lock: %d", r.status)
	}
	// The per-name lock does not touch another account.
	if r := try(editorName, editorPass); r.status != 200 {
		t.Fatalf("another account: %d", r.status)
	}
}

func TestLoginAddressLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	try := func(name, pass string) *resp {
		cl := e.anon()
		cl.startLogin()
		return cl.do("POST", "/editor/api/login", map[string]string{"name": name, "password": pass})
	}
	// Sign-ins that succeed do not count (an editor's own, or an admin's
	// after a lockout test)…
	for i := range addrAttempts + 1 {
		if r := try(editorName, editorPass); r.status != 200 {
			t.Fatalf("sign-in %d: %d %s", i+1, r.status, r.raw)
		}
	}
	// …failures do, whatever the name.
	for i := range addrAttempts {
		name := "user" + strconv.Itoa(i) + "@example.org"
		if r := try(name, "some password 123"); r.status != 401 {
			t.Fatalf("attempt %d: %d %s", i+1, r.status, r.raw)
		}
	}
	r := try(adminName, adminPass)
	if r.status != 429 || r.header.Get("Retry-After") == "" {
		t.Fatalf("over the address limit: %d %s", r.status, r.raw)
	}
	e.clock.Add(addrWindow + time.Second)
	if r := try(adminName, adminPass); r.status != 200 {
		t.Fatalf("after the window: %d %s", r.status, r.raw)
	}
}

func TestSessionIdleAndLifetime(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cl := e.login(editorName, editorPass)
	me := func() int { return cl.do("GET", "/editor/api/me", nil).status }
	// Each request slides the idle timeout.
	for range 3 {
		e.clock.Add(29 * time.Minute)
		if s := me(); s != 200 {
			t.Fatalf("within the idle timeout: %d", s)
		}
	}
	e.clock.Add(30*time.Minute + time.Second)
	r := cl.do("GET", "/editor/api/me", nil)
	if r.status != 401 || r.str("code") != "unauthenticated" {
		t.Fatalf("after 30 idle minutes: %d %s", r.status, r.raw)
	}
	if _, ok := cl.cookies[sessionCookie]; ok {
		t.Errorf("the expired session's cookie was not cleared")
	}
	// The absolute lifetime ends even a busy session.
	cl = e.login(editorName, editorPass)
	for elapsed := time.Duration(0); elapsed < editorial.SessionLifetime-20*time.Minute; elapsed += 20 * time.Minute {
		e.clock.Add(20 * time.Minute)
		if s := me(); s != 200 {
			t.Fatalf("busy session at %v: %d", elapsed, s)
		}
	}
	e.clock.Add(21 * time.Minute)
	if s := me(); s != 401 {
		t.Fatalf("after 12 hours: %d", s)
	}
}

func TestSessionSurvivesRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cl := e.login(editorName, editorPass)
	// A second portal on the same file: the session is in the database.
	e2 := &env{t: t, app: newApp(t, e), st: e.st, pub: e.pub, clock: e.clock}
	cl2 := &client{e: e2, cookies: cl.cookies, csrf: cl.csrf}
	r := cl2.do("GET", "/editor/api/session", nil)
	if r.status != 200 || r.json["authenticated"] != true || r.str("csrf_token") != cl.csrf {
		t.Fatalf("after a restart: %d %s", r.status, r.raw)
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cl := e.login(editorName, editorPass)
	old := cl.cookies[sessionCookie]
	if r := cl.do("POST", "/editor/api/logout", nil, csrfHeader, "-"); r.status != 403 {
		t.Fatalf("logout without CSRF: %d", r.status)
	}
	r := cl.do("POST", "/editor/api/logout", nil)
	if r.status != 200 || r.json["authenticated"] != false || r.str("csrf_token") == "" {
		t.Fatalf("logout: %d %s", r.status, r.raw)
	}
	// The old cookie opens nothing any more.
	cl.cookies[sessionCookie] = old
	if r := cl.do("GET", "/editor/api/me", nil); r.status != 401 {
		t.Fatalf("after logout: %d", r.status)
	}
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	other := e.login(editorName, editorPass)
	cl := e.login(editorName, editorPass)
	tests := []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"wrong current", map[string]string{"current": "nope nope nope", "new": "a new long password"}, 400, "current"},
		{"too short", map[string]string{"current": editorPass, "new": "short"}, 400, "new"},
		{"ok", map[string]string{"current": editorPass, "new": "a new long password"}, 204, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cl.do("POST", "/editor/api/me/password", tt.body)
			if r.status != tt.status || (tt.field != "" && r.str("field") != tt.field) {
				t.Fatalf("%d %s", r.status, r.raw)
			}
		})
	}
	if s := cl.do("GET", "/editor/api/me", nil).status; s != 200 {
		t.Errorf("the session that changed the password: %d", s)
	}
	if s := other.do("GET", "/editor/api/me", nil).status; s != 401 {
		t.Errorf("another session after a password change: %d", s)
	}
	e.login(editorName, "a new long password")
}

// setCookie returns the Set-Cookie line of one cookie.
func setCookie(r *resp, name string) string {
	for _, v := range r.header.Values("Set-Cookie") {
		if strings.HasPrefix(v, name+"=") {
			return v
		}
	}
	return ""
}

func wantCode(code string) func(t *testing.T, r *resp) {
	return func(t *testing.T, r *resp) {
		t.Helper()
		if r.str("code") != code {
			t.Errorf("code %q, want %q: %s", r.str("code"), code, r.raw)
		}
	}
}

func wantField(field string) func(t *testing.T, r *resp) {
	return func(t *testing.T, r *resp) {
		t.Helper()
		if r.str("field") != field {
			t.Errorf("field %q, want %q: %s", r.str("field"), field, r.raw)
		}
	}
}

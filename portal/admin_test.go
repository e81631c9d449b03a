package portal

import (
	"fmt"
	"strings"
	"testing"
)

func TestAccounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.login(adminName, adminPass)
	r := admin.do("GET", "/editor/api/accounts", nil)
	if r.status != 200 || len(r.json["accounts"].([]any)) != 3 || strings.Contains(string(r.raw), "argon2") {
		t.Fatalf("list: %d %s", r.status, r.raw)
	}
	tests := []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"editor without territories", map[string]any{"name": "c@example.org", "role": "editor"}, 400, "territories"},
		{"unknown territory", map[string]any{"name": "c@example.org", "role": "editor", "territories": []string{"atlantis"}}, 400, "territories"},
		{"bad role", map[string]any{"name": "c@example.org", "role": "king"}, 400, "role"},
		{"bad name", map[string]any{"name": "a b", "role": "admin"}, 400, "name"},
		{"short password", map[string]any{"name": "c@example.org", "role": "admin", "password": "short"}, 400, "password"},
		{"name taken, in another case", map[string]any{"name": "ANNA", "role": "admin", "password": "long enough password"}, 409, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := admin.do("POST", "/editor/api/accounts", tt.body)
			if r.status != tt.status || r.str("field") != tt.field {
				t.Fatalf("%d %s", r.status, r.raw)
			}
		})
	}
	// Created without a password: one is made and shown once.
	r = admin.do("POST", "/editor/api/accounts", map[string]any{"name": "Carla@Example.org", "role": "editor", "territories": "ats-11-ancona,ats-9-jesi"})
	if r.status != 400 {
		t.Fatalf("territories as a string: %d", r.status)
	}
	r = admin.do("POST", "/editor/api/accounts", map[string]any{"name": "Carla@Example.org", "role": "editor", "territories": []string{"ats-9-jesi", anconaTerritory, anconaTerritory}})
	if r.status != 201 || len(r.str("password")) < 20 || at(r.json, "account", "name") != "carla@example.org" {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	id := fmt.Sprint(at(r.json, "account", "id"))
	if got := fmt.Sprint(at(r.json, "account", "territories")); got != "[ats-11-ancona ats-9-jesi]" {
		t.Errorf("territories %s", got)
	}
	carla := e.login("carla@example.org", r.str("password"))
	if r := carla.do("GET", "/editor/api/me", nil); at(r.json, "user", "role") != "editor" {
		t.Fatalf("me: %s", r.raw)
	}
	// Reset: the old sessions end, the new password works.
	r = admin.do("POST", "/editor/api/accounts/"+id+"/password", map[string]any{"password": "a brand new long secret"})
	if r.status != 200 || r.json["password"] != nil {
		t.Fatalf("reset: %d %s", r.status, r.raw)
	}
	if s := carla.do("GET", "/editor/api/me", nil).status; s != 401 {
		t.Errorf("session after a reset: %d", s)
	}
	e.login("carla@example.org", "a brand new long secret") // the new password works
	r = admin.do("POST", "/editor/api/accounts/"+id+"/password", nil)
	if r.status != 200 || len(r.str("password")) < 20 {
		t.Fatalf("generated reset: %d %s", r.status, r.raw)
	}
	carla = e.login("carla@example.org", r.str("password"))
	// Promote, then disable: the session ends at once.
	r = admin.do("PATCH", "/editor/api/accounts/"+id, map[string]any{"role": "admin", "territories": []string{}})
	if r.status != 200 || at(r.json, "account", "role") != "admin" {
		t.Fatalf("promote: %d %s", r.status, r.raw)
	}
	if r := carla.do("GET", "/editor/api/accounts", nil); r.status != 200 {
		t.Errorf("a promoted account in a live session: %d", r.status)
	}
	r = admin.do("PATCH", "/editor/api/accounts/"+id, map[string]any{"role": "editor"})
	if r.status != 400 || r.str("field") != "territories" {
		t.Errorf("demote without territories: %d %s", r.status, r.raw)
	}
	r = admin.do("DELETE", "/editor/api/accounts/"+id, nil)
	if r.status != 200 || at(r.json, "account", "disabled") != true {
		t.Fatalf("disable: %d %s", r.status, r.raw)
	}
	if s := carla.do("GET", "/editor/api/me", nil).status; s != 401 {
		t.Errorf("session of a disabled account: %d", s)
	}
	r = admin.do("PATCH", "/editor/api/accounts/"+id, map[string]any{"disabled": false})
	if r.status != 200 || at(r.json, "account", "disabled") != false {
		t.Fatalf("enable: %d %s", r.status, r.raw)
	}
	// The last active admin stays.
	r = admin.do("GET", "/editor/api/me", nil)
	me := fmt.Sprint(at(r.json, "user", "id"))
	admin.do("PATCH", "/editor/api/accounts/"+id, map[string]any{"disabled": true})
	if r := admin.do("PATCH", "/editor/api/accounts/"+me, map[string]any{"disabled": true}); r.status != 409 {
		t.Errorf("disabling the last admin: %d %s", r.status, r.raw)
	}
	if r := admin.do("PATCH", "/editor/api/accounts/"+me, map[string]any{"role": "editor", "territories": []string{anconaTerritory}}); r.status != 409 {
		t.Errorf("demoting the last admin: %d %s", r.status, r.raw)
	}
	if r := admin.do("PATCH", "/editor/api/accounts/9999", map[string]any{"disabled": true}); r.status != 404 {
		t.Errorf("unknown account: %d", r.status)
	}
	// Every account action is audited, never with a password or hash.
	r = admin.do("GET", "/editor/api/audit?kind=account&limit=500", nil)
	actions := map[string]int{}
	for _, en := range r.json["entries"].([]any) {
		actions[at(en, "action").(string)]++
	}
	for _, a := range []string{"account.create", "account.password", "account.update", "account.disable", "account.enable"} {
		if actions[a] == 0 {
			t.Errorf("no %s in the audit: %v", a, actions)
		}
	}
	if strings.Contains(string(r.raw), "argon2") || strings.Contains(string(r.raw), "a brand new long secret") {
		t.Errorf("secrets in the audit log")
	}
}

func TestTotems(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.login(adminName, adminPass)
	for _, tt := range []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"no point", map[string]any{"id": "t1", "name": "Stazione"}, 400, "point"},
		{"bad point", map[string]any{"id": "t1", "point": []any{13.5, 95}}, 400, "point"},
		{"bad id", map[string]any{"id": "t 1", "point": inAncona}, 400, "id"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if r := admin.do("POST", "/editor/api/totems", tt.body); r.status != tt.status || r.str("field") != tt.field {
				t.Fatalf("%d %s", r.status, r.raw)
			}
		})
	}
	r := admin.do("POST", "/editor/api/totems", map[string]any{"id": "t1", "name": "Stazione", "point": inAncona})
	token := r.str("token")
	if r.status != 201 || token == "" || at(r.json, "totem", "id") != "t1" {
		t.Fatalf("issue: %d %s", r.status, r.raw)
	}
	r = admin.do("POST", "/editor/api/totems", map[string]any{"id": "t1", "name": "Stazione", "point": inAncona})
	if r.status != 201 || r.str("token") == token {
		t.Fatalf("reissue: %d %s", r.status, r.raw)
	}
	r = admin.do("GET", "/editor/api/totems", nil)
	if r.status != 200 || at(r.json, "totems", 0, "id") != "t1" || strings.Contains(string(r.raw), token) {
		t.Fatalf("list: %s", r.raw)
	}
	r = admin.do("POST", "/editor/api/totems/t1/revoke", nil)
	if r.status != 200 || at(r.json, "totem", "revoked") != true {
		t.Fatalf("revoke: %d %s", r.status, r.raw)
	}
	if fmt.Sprint(e.pub.kicked) != "[t1]" {
		t.Errorf("kicked %v", e.pub.kicked)
	}
	if r := admin.do("POST", "/editor/api/totems/nope/revoke", nil); r.status != 404 {
		t.Errorf("revoke unknown: %d %s", r.status, r.raw)
	}
	r = admin.do("GET", "/editor/api/audit?kind=totem", nil)
	if len(r.json["entries"].([]any)) != 3 || at(r.json, "entries", 0, "action") != "totem.revoke" || strings.Contains(string(r.raw), token) {
		t.Errorf("audit: %s", r.raw)
	}
}

// TestCSRFEveryWrite sends every state-changing request without the token,
// with a wrong one, and with the right one.
func TestCSRFEveryWrite(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.login(adminName, adminPass)
	doc := e.serviceDoc(anconaService)
	page := map[string]any{"id": "p1", "title": map[string]any{"it": "T"}, "body": map[string]any{"it": "B"}}
	alert := map[string]any{"id": "a1", "text": map[string]any{"it": "A"}, "starts_at": "2026-11-23T00:00:00Z", "ends_at": "2026-11-24T00:00:00Z"}
	org := map[string]any{"id": "org-x", "name": map[string]any{"it": "X"}}
	ev := e.serviceDoc(falconaraEvent)
	terr := map[string]any{"id": "t-new", "kind": "other", "name": map[string]any{"it": "T"},
		"shape": []any{[]any{[]any{[]any{13, 43}, []any{13.1, 43}, []any{13.1, 43.1}, []any{13, 43}}}}}
	r := admin.do("GET", "/editor/api/accounts", nil)
	var annaID string
	for _, a := range r.json["accounts"].([]any) {
		if at(a, "name") == editorName {
			annaID = fmt.Sprint(at(a, "id"))
		}
	}
	tests := []struct {
		method, path string
		body         any
		ok           int
	}{
		{"PUT", "/editor/api/services/" + anconaService + "/draft", doc, 200},
		{"DELETE", "/editor/api/services/" + anconaService + "/draft", nil, 204},
		{"POST", "/editor/api/services/" + anconaService + "/withdraw", nil, 200},
		{"PUT", "/editor/api/events/" + falconaraEvent + "/draft", ev, 200},
		{"DELETE", "/editor/api/events/" + falconaraEvent + "/draft", nil, 204},
		{"POST", "/editor/api/events/" + falconaraEvent + "/withdraw", nil, 200},
		{"PUT", "/editor/api/alerts/a1/draft", alert, 200},
		{"DELETE", "/editor/api/alerts/a1/draft", nil, 204},
		{"POST", "/editor/api/alerts/demo-ancona-phone/withdraw", nil, 200},
		{"PUT", "/editor/api/pages/p1/draft", page, 200},
		{"POST", "/editor/api/publish", map[string]any{"drafts": []any{map[string]any{"kind": "page", "id": "p1"}}}, 200},
		{"POST", "/editor/api/pages/salute-stp/withdraw", nil, 200},
		{"PUT", "/editor/api/pages/p1/draft", page, 200},
		{"DELETE", "/editor/api/pages/p1/draft", nil, 204},
		{"PUT", "/editor/api/organizations/org-x/draft", org, 200},
		{"DELETE", "/editor/api/organizations/org-x/draft", nil, 204},
		{"POST", "/editor/api/organizations/org-x/withdraw", nil, 400},
		{"PUT", "/editor/api/territories/t-new/draft", terr, 200},
		{"DELETE", "/editor/api/territories/t-new/draft", nil, 204},
		{"POST", "/editor/api/territories/" + anconaTerritory + "/withdraw", nil, 400},
		{"POST", "/editor/api/accounts", map[string]any{"name": "dora", "role": "admin"}, 201},
		{"PATCH", "/editor/api/accounts/" + annaID, map[string]any{"territories": []string{"ats-9-jesi"}}, 200},
		{"POST", "/editor/api/accounts/" + annaID + "/password", nil, 200},
		{"DELETE", "/editor/api/accounts/" + annaID, nil, 200},
		{"POST", "/editor/api/totems", map[string]any{"id": "t1", "point": inAncona}, 201},
		{"POST", "/editor/api/totems/t1/revoke", nil, 200},
		{"POST", "/editor/api/me/password", map[string]any{"current": adminPass, "new": "one more quiet lantern"}, 204},
		{"POST", "/editor/api/logout", nil, 200},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			for _, bad := range []string{"-", "wrong-token", admin.cookies[sessionCookie]} {
				r := admin.do(tt.method, tt.path, tt.body, csrfHeader, bad)
				if r.status != 403 || r.str("code") != "csrf" {
					t.Fatalf("CSRF header %q: %d %s", bad, r.status, r.raw)
				}
			}
			r := admin.do(tt.method, tt.path, tt.body, "Origin", "https://elsewhere.example")
			if r.status != 403 || r.str("code") != "csrf" {
				t.Fatalf("foreign origin: %d %s", r.status, r.raw)
			}
			if r := admin.do(tt.method, tt.path, tt.body); r.status != tt.ok {
				t.Fatalf("with the token: %d, want %d: %s", r.status, tt.ok, r.raw)
			}
		})
	}
}

func TestListsAndReference(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	anna := e.login(editorName, editorPass)
	newSvc := map[string]any{"id": "zz-new", "name": map[string]any{"it": "Corso serale"}, "categories": []any{"language"},
		"locations": []any{map[string]any{"id": "loc-zz-new", "comune": "Ancona", "point": inAncona}}}
	if r := anna.do("PUT", "/editor/api/services/zz-new/draft", newSvc); r.status != 200 {
		t.Fatal(r.status)
	}
	tests := []struct {
		name  string
		path  string
		check func(t *testing.T, r *resp)
	}{
		{"services in a territory", "/editor/api/services?territory=zona-2-perugia&limit=500", func(t *testing.T, r *resp) {
			items := r.json["items"].([]any)
			if len(items) == 0 {
				t.Fatal("none")
			}
			for _, it := range items {
				pt := at(it, "locations", 0, "point").([]any)
				if pt[0].(float64) < 12.2 || pt[0].(float64) > 12.5 {
					t.Errorf("%v at %v lies outside zona 2", at(it, "id"), pt)
				}
				if at(it, "editable") != false {
					t.Errorf("anna may edit %v", at(it, "id"))
				}
			}
		}},
		{"text search, paged", "/editor/api/services?q=ancona&limit=2&offset=1", func(t *testing.T, r *resp) {
			if len(r.json["items"].([]any)) != 2 || r.json["total"].(float64) < 9 {
				t.Errorf("%s", r.raw)
			}
		}},
		{"a new service appears with its draft", "/editor/api/services?q=serale", func(t *testing.T, r *resp) {
			if r.json["total"] != 1.0 || at(r.json, "items", 0, "published") != false || at(r.json, "items", 0, "editable") != true {
				t.Errorf("%s", r.raw)
			}
		}},
		{"events only", "/editor/api/events?limit=500", func(t *testing.T, r *resp) {
			for _, it := range r.json["items"].([]any) {
				if fmt.Sprint(at(it, "categories")) != "[events]" {
					t.Errorf("%v", it)
				}
			}
		}},
		{"withdrawn", "/editor/api/services?status=withdrawn", func(t *testing.T, r *resp) {
			if r.json["total"] != 0.0 {
				t.Errorf("%s", r.raw)
			}
		}},
		{"alerts of a territory", "/editor/api/alerts?territory=ats-11-ancona", func(t *testing.T, r *resp) {
			if r.json["total"] != 1.0 || at(r.json, "items", 0, "editable") != true || at(r.json, "items", 0, "target") != anconaTerritory {
				t.Errorf("%s", r.raw)
			}
		}},
		{"pages", "/editor/api/pages", func(t *testing.T, r *resp) {
			if r.json["total"] != 2.0 || at(r.json, "items", 0, "position") != 1.0 || at(r.json, "items", 0, "editable") != false {
				t.Errorf("%s", r.raw)
			}
		}},
		{"organizations", "/editor/api/organizations?q=ancona", func(t *testing.T, r *resp) {
			if r.json["total"] != 1.0 {
				t.Errorf("%s", r.raw)
			}
		}},
		{"territories with shapes", "/editor/api/territories", func(t *testing.T, r *resp) {
			ts := r.json["territories"].([]any)
			mine := 0
			for _, tr := range ts {
				if at(tr, "mine") == true {
					mine++
				}
				if at(tr, "shape", 0, 0, 0) == nil || len(at(tr, "bbox").([]any)) != 4 {
					t.Errorf("%v", at(tr, "id"))
				}
			}
			if len(ts) != 9 || mine != 1 {
				t.Errorf("%d territories, %d mine", len(ts), mine)
			}
		}},
		{"one territory", "/editor/api/territories/" + anconaTerritory, func(t *testing.T, r *resp) {
			if at(r.json, "published", "shape", 0, 0, 0) == nil || r.json["editable"] != false {
				t.Errorf("%s", r.raw)
			}
		}},
		{"reference", "/editor/api/reference", func(t *testing.T, r *resp) {
			if len(r.json["languages"].([]any)) != 15 || len(r.json["categories"].([]any)) != 13 {
				t.Errorf("%s", r.raw)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := anna.do("GET", tt.path, nil)
			if r.status != 200 {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			tt.check(t, r)
		})
	}
	for _, tt := range []struct {
		path   string
		status int
		field  string
	}{
		{"/editor/api/services?territory=atlantis", 400, "territory"},
		{"/editor/api/services?status=sleeping", 400, "status"},
		{"/editor/api/services?category=cooking", 400, "category"},
		{"/editor/api/services?limit=0", 400, "limit"},
		{"/editor/api/events?category=info", 400, "category"},
		{"/editor/api/services/nope", 404, ""},
		{"/editor/api/nothing-here", 404, ""},
		{"/editor/api/audit?limit=x", 400, "limit"},
	} {
		r := anna.do("GET", tt.path, nil)
		if r.status != tt.status || r.str("field") != tt.field {
			t.Errorf("%s: %d %s", tt.path, r.status, r.raw)
		}
	}
	// Without a session, nothing but the session itself.
	anon := e.anon()
	for _, path := range []string{"/editor/api/me", "/editor/api/services", "/editor/api/reference", "/editor/api/audit"} {
		if r := anon.do("GET", path, nil); r.status != 401 || r.str("code") != "unauthenticated" {
			t.Errorf("%s without a session: %d %s", path, r.status, r.raw)
		}
	}
}

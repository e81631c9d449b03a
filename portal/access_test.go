package portal

import (
	"context"
	"testing"

	"github.com/paulmach/orb"
)

// Points inside and outside the Ancona ambito.
var (
	inAncona  = []any{13.52, 43.60}
	inPerugia = []any{12.39, 43.11}
)

func TestEditorTerritory(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if _, err := fleetOf(t, e.st).AddTotem(context.Background(), "totem-ancona", "Ancona", orb.Point{13.5153, 43.6169}); err != nil {
		t.Fatal(err)
	}
	if _, err := fleetOf(t, e.st).AddTotem(context.Background(), "totem-perugia", "Perugia", orb.Point{12.39, 43.11}); err != nil {
		t.Fatal(err)
	}
	anna := e.login(editorName, editorPass)
	admin := e.login(adminName, adminPass)

	moved := func(id string, pt []any) map[string]any {
		d := e.serviceDoc(id)
		at(d, "locations", 0).(map[string]any)["point"] = pt
		return d
	}
	renamed := func(id string) map[string]any {
		d := e.serviceDoc(id)
		d["name"] = map[string]any{"it": "Nuovo nome", "en": "New name"}
		return d
	}
	newService := func(id, locID string, pt []any, cats ...string) map[string]any {
		if cats == nil {
			cats = []string{"info"}
		}
		return map[string]any{"id": id, "name": map[string]any{"it": "Servizio " + id}, "categories": cats,
			"organization_id": "org-ats-11-ancona",
			"locations":       []any{map[string]any{"id": locID, "comune": "Ancona", "address": "Via Nuova 1", "point": pt}}}
	}
	alert := func(id, kind, target string) map[string]any {
		return map[string]any{"id": id, "text": map[string]any{"it": "Avviso"}, "starts_at": "2026-11-23T00:00:00Z",
			"ends_at": "2026-11-30T00:00:00Z", "target_kind": kind, "target": target}
	}
	tests := []struct {
		name   string
		cl     *client
		method string
		path   string
		body   any
		status int
	}{
		{"editor edits a service in their territory", anna, "PUT", "/editor/api/services/" + anconaOther + "/draft", renamed(anconaOther), 200},
		{"editor edits a service outside", anna, "PUT", "/editor/api/services/" + perugiaService + "/draft", renamed(perugiaService), 403},
		{"editor moves a point from inside to outside", anna, "PUT", "/editor/api/services/" + anconaService + "/draft", moved(anconaService, inPerugia), 403},
		{"editor moves a point from outside to inside", anna, "PUT", "/editor/api/services/" + perugiaService + "/draft", moved(perugiaService, inAncona), 403},
		{"editor moves a point within the territory", anna, "PUT", "/editor/api/services/" + anconaService + "/draft", moved(anconaService, inAncona), 200},
		{"editor creates a service inside", anna, "PUT", "/editor/api/services/new-ancona/draft", newService("new-ancona", "loc-new-ancona", inAncona), 200},
		{"editor creates a service outside", anna, "PUT", "/editor/api/services/new-perugia/draft", newService("new-perugia", "loc-new-perugia", inPerugia), 403},
		{"editor reuses a location that stands outside", anna, "PUT", "/editor/api/services/grab/draft", newService("grab", "loc-perugia-info-1", inAncona), 403},
		{"editor edits an event outside", anna, "PUT", "/editor/api/events/" + falconaraEvent + "/draft", renamed(falconaraEvent), 403},
		{"editor creates an event inside", anna, "PUT", "/editor/api/events/party/draft", newService("party", "loc-party", inAncona, "events"), 200},
		{"an event needs the events category", anna, "PUT", "/editor/api/events/party2/draft", newService("party2", "loc-party2", inAncona, "community"), 400},
		{"editor alerts their territory", anna, "PUT", "/editor/api/alerts/a1/draft", alert("a1", "territory", anconaTerritory), 200},
		{"editor alerts another territory", anna, "PUT", "/editor/api/alerts/a2/draft", alert("a2", "territory", "zona-2-perugia"), 403},
		{"editor alerts every totem", anna, "PUT", "/editor/api/alerts/a3/draft", alert("a3", "all", ""), 403},
		{"editor alerts a totem inside", anna, "PUT", "/editor/api/alerts/a4/draft", alert("a4", "totems", "totem-ancona"), 200},
		{"editor alerts a totem outside", anna, "PUT", "/editor/api/alerts/a5/draft", alert("a5", "totems", "totem-ancona,totem-perugia"), 403},
		{"editor changes the demo alert of Ancona", anna, "POST", "/editor/api/alerts/demo-ancona-phone/withdraw", nil, 200},
		{"editor writes a page", anna, "PUT", "/editor/api/pages/p1/draft", map[string]any{"id": "p1", "title": map[string]any{"it": "T"}, "body": map[string]any{"it": "B"}}, 403},
		{"editor writes an organization", anna, "PUT", "/editor/api/organizations/org-x/draft", map[string]any{"id": "org-x", "name": map[string]any{"it": "X"}}, 403},
		{"editor withdraws a service outside", anna, "POST", "/editor/api/services/" + perugiaService + "/withdraw", nil, 403},
		{"editor withdraws a service inside", anna, "POST", "/editor/api/services/" + anconaOther + "/withdraw", nil, 200},
		{"admin edits a service anywhere", admin, "PUT", "/editor/api/services/" + perugiaService + "/draft", moved(perugiaService, inAncona), 200},
		{"editor cannot discard a draft outside", anna, "DELETE", "/editor/api/services/" + perugiaService + "/draft", nil, 403},
		{"admin alerts every totem", admin, "PUT", "/editor/api/alerts/a3/draft", alert("a3", "all", ""), 200},
		{"admin writes a page", admin, "PUT", "/editor/api/pages/p1/draft", map[string]any{"id": "p1", "title": map[string]any{"it": "T"}, "body": map[string]any{"it": "B"}}, 200},
		{"editor cannot publish the admin's page", anna, "POST", "/editor/api/publish", map[string]any{"drafts": []any{map[string]any{"kind": "page", "id": "p1"}}}, 403},
		{"editor cannot publish a draft outside", anna, "POST", "/editor/api/publish", map[string]any{"drafts": []any{map[string]any{"kind": "service", "id": perugiaService}}}, 403},
		{"editor publishes their drafts", anna, "POST", "/editor/api/publish", map[string]any{"drafts": []any{map[string]any{"kind": "service", "id": anconaService}, map[string]any{"kind": "alert", "id": "a1"}}}, 200},
		{"editor's accounts list", anna, "GET", "/editor/api/accounts", nil, 403},
		{"editor's totems list", anna, "GET", "/editor/api/totems", nil, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.cl.do(tt.method, tt.path, tt.body)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.raw)
			}
			if r.status == 403 && r.str("code") != "forbidden" {
				t.Errorf("code %q: %s", r.str("code"), r.raw)
			}
		})
	}
	// Drafts outside an editor's territories are not theirs to read or
	// preview, nor are other totems theirs to look from.
	if r := admin.do("GET", "/editor/api/services/"+perugiaService, nil); r.json["draft"] == nil {
		t.Fatalf("the admin does not see their own draft: %s", r.raw)
	}
	if r := anna.do("GET", "/editor/api/services/"+perugiaService, nil); r.status != 200 || r.json["draft"] != nil || r.json["published"] == nil {
		t.Errorf("an editor reads a draft outside: %d %s", r.status, r.raw)
	}
	if r := anna.do("GET", "/editor/api/drafts/service/"+perugiaService+"/view", nil); r.status != 403 {
		t.Errorf("an editor previews a draft outside: %d %s", r.status, r.raw)
	}
	if r := anna.do("GET", "/editor/api/drafts/service/new-ancona/view?totem=totem-perugia", nil); r.status != 400 || r.str("field") != "totem" {
		t.Errorf("an editor previews from a totem outside: %d %s", r.status, r.raw)
	}
	if r := anna.do("GET", "/editor/api/drafts/service/new-ancona/view?totem=totem-ancona", nil); r.status != 200 {
		t.Errorf("an editor previews from their totem: %d %s", r.status, r.raw)
	}
	// Only the allowed writes reached the publisher: two withdrawals and
	// one publish.
	calls := e.pub.published()
	if len(calls) != 3 {
		t.Fatalf("%d publishes: %+v", len(calls), calls)
	}
	for _, c := range calls {
		if c.author != editorName {
			t.Errorf("author %q", c.author)
		}
	}
}

func TestEditableFlags(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	anna := e.login(editorName, editorPass)
	for _, tt := range []struct {
		id       string
		editable bool
	}{{anconaService, true}, {perugiaService, false}} {
		r := anna.do("GET", "/editor/api/services/"+tt.id, nil)
		if r.status != 200 || r.json["editable"] != tt.editable {
			t.Errorf("%s: %d editable %v: %s", tt.id, r.status, r.json["editable"], r.raw)
		}
	}
	r := anna.do("GET", "/editor/api/services?editable=true&limit=500", nil)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	items := r.json["items"].([]any)
	if len(items) == 0 || r.json["total"].(float64) != float64(len(items)) {
		t.Fatalf("total %v, %d items", r.json["total"], len(items))
	}
	for _, it := range items {
		if at(it, "editable") != true {
			t.Errorf("not editable in an editable list: %v", it)
		}
		pt := at(it, "locations", 0, "point").([]any)
		if pt[0].(float64) < 13.4 || pt[1].(float64) < 43.5 {
			t.Errorf("%v lies outside Ancona", at(it, "id"))
		}
	}
}

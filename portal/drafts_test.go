package portal

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/punto-totem/punto/content"
)

func TestDraftValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.login(adminName, adminPass)
	good := e.serviceDoc(anconaService)
	with := func(edit func(d map[string]any)) map[string]any {
		d := clone(good)
		edit(d)
		return d
	}
	path := "/editor/api/services/" + anconaService + "/draft"
	tests := []struct {
		name  string
		path  string
		body  any
		field string
	}{
		{"empty body", path, "", "body"},
		{"not JSON", path, `{"id": "ancona-info-0",`, "body"},
		{"trailing data", path, `{} {}`, "body"},
		{"no name", path, with(func(d map[string]any) { delete(d, "name") }), "name"},
		{"name of the wrong type", path, with(func(d map[string]any) { d["name"] = 5 }), "name"},
		{"no categories", path, with(func(d map[string]any) { d["categories"] = []any{} }), "categories"},
		{"unknown category", path, with(func(d map[string]any) { d["categories"] = []any{"cooking"} }), "categories"},
		{"no locations nor a remote way to reach it", path, with(func(d map[string]any) {
			for _, k := range []string{"locations", "phones", "url", "email", "contacts"} {
				delete(d, k)
			}
		}), "locations"},
		{"longitude out of range", path, with(func(d map[string]any) { at(d, "locations", 0).(map[string]any)["point"] = []any{200, 43} }), "locations[0].point"},
		{"location without comune", path, with(func(d map[string]any) { at(d, "locations", 0).(map[string]any)["comune"] = "" }), "locations[0].comune"},
		{"closing before opening", path, with(func(d map[string]any) {
			d["hours"] = map[string]any{"weekly": []any{map[string]any{"weekday": 1, "opens": "13:00", "closes": "09:00"}}}
		}), "hours.weekly[0].closes"},
		{"bad closure date", path, with(func(d map[string]any) {
			d["hours"] = map[string]any{"weekly": []any{}, "exceptions": []any{map[string]any{"date": "24/12/2026", "closed": true}}}
		}), "hours.exceptions[0].date"},
		{"bad status", path, with(func(d map[string]any) { d["status"] = "sleeping" }), "status"},
		{"id differs from the address", path, with(func(d map[string]any) { d["id"] = "something-else" }), "id"},
		{"unknown organization", path, with(func(d map[string]any) { d["organization_id"] = "org-nobody" }), "organization_id"},
		{"bad id in the address", "/editor/api/services/bad%20id/draft", good, "id"},
		{"alert ending before it starts", "/editor/api/alerts/x/draft", map[string]any{"id": "x", "text": map[string]any{"it": "A"},
			"starts_at": "2026-11-23T00:00:00Z", "ends_at": "2026-11-22T00:00:00Z"}, "ends_at"},
		{"alert time not a time", "/editor/api/alerts/x/draft", map[string]any{"id": "x", "text": map[string]any{"it": "A"},
			"starts_at": "tomorrow", "ends_at": "2026-11-22T00:00:00Z"}, "doc"},
		{"page without body", "/editor/api/pages/x/draft", map[string]any{"id": "x", "title": map[string]any{"it": "T"}}, "body"},
		{"territory with an open ring", "/editor/api/territories/t/draft", map[string]any{"id": "t", "kind": "zona", "name": map[string]any{"it": "T"},
			"shape": []any{[]any{[]any{[]any{13, 43}, []any{13.1, 43}, []any{13.1, 43.1}, []any{13.2, 43.1}}}}}, "shape"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := admin.do("PUT", tt.path, tt.body)
			if r.status != 400 || r.str("code") != "bad_request" || r.str("field") != tt.field {
				t.Fatalf("status %d field %q, want 400 %q: %s", r.status, r.str("field"), tt.field, r.raw)
			}
		})
	}
	if n, _ := e.draftCount(); n != 0 {
		t.Errorf("%d drafts stored from bad requests", n)
	}
}

func (e *env) draftCount() (int, error) {
	ds, err := edOf(e.t, e.st, nil).Drafts(context.Background(), "")
	return len(ds), err
}

func TestDraftPublishAudit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	anna := e.login(editorName, editorPass)
	published := e.serviceDoc(anconaService)
	doc := clone(published)
	doc["name"] = map[string]any{"it": "Sportello rinnovato", "en": "Renewed desk"}
	doc["hours"] = map[string]any{"weekly": []any{map[string]any{"weekday": 2, "opens": "09:00", "closes": "12:00"}},
		"exceptions": []any{map[string]any{"date": "2026-12-24", "closed": true, "note": map[string]any{"it": "Chiuso"}}}}
	doc["status"] = "" // filled in as active

	r := anna.do("PUT", "/editor/api/services/"+anconaService+"/draft", doc)
	if r.status != 200 {
		t.Fatalf("save: %d %s", r.status, r.raw)
	}
	if at(r.json, "draft", "doc", "status") != "active" || at(r.json, "draft", "author") != editorName {
		t.Errorf("saved draft: %s", r.raw)
	}
	r = anna.do("GET", "/editor/api/services/"+anconaService, nil)
	if r.status != 200 || at(r.json, "published", "name", "it") == "Sportello rinnovato" || at(r.json, "draft", "doc", "name", "it") != "Sportello rinnovato" {
		t.Fatalf("record with draft: %s", r.raw)
	}
	if len(e.pub.published()) != 0 {
		t.Fatal("a draft save published")
	}
	// The drafts list and the list filter show it.
	r = anna.do("GET", "/editor/api/drafts", nil)
	if at(r.json, "drafts", 0, "id") != anconaService || at(r.json, "drafts", 0, "editable") != true {
		t.Errorf("drafts: %s", r.raw)
	}
	r = anna.do("GET", "/editor/api/services?status=draft", nil)
	if r.json["total"] != 1.0 || at(r.json, "items", 0, "draft", "author") != editorName {
		t.Errorf("services with a draft: %s", r.raw)
	}

	r = anna.do("POST", "/editor/api/publish", map[string]any{"drafts": []any{map[string]any{"kind": "service", "id": anconaService}}})
	if r.status != 200 || r.json["seq"] != 1.0 {
		t.Fatalf("publish: %d %s", r.status, r.raw)
	}
	calls := e.pub.published()
	if len(calls) != 1 || calls[0].author != editorName || len(calls[0].changes) != 1 {
		t.Fatalf("publisher calls: %+v", calls)
	}
	ch := calls[0].changes[0]
	if ch.Kind != content.KindService || ch.ID != anconaService || ch.Op != content.OpPut {
		t.Errorf("change %s %s %s", ch.Kind, ch.ID, ch.Op)
	}
	var sent content.Service
	if err := json.Unmarshal(ch.Doc, &sent); err != nil {
		t.Fatal(err)
	}
	if sent.Name["en"] != "Renewed desk" || len(sent.Hours.Weekly) != 1 || sent.Hours.Exceptions[0].Note["it"] != "Chiuso" || sent.Status != content.StatusActive {
		t.Errorf("published doc: %s", ch.Doc)
	}
	if r := anna.do("GET", "/editor/api/services/"+anconaService, nil); r.json["draft"] != nil {
		t.Errorf("draft kept after publish: %s", r.raw)
	}
	if r := anna.do("POST", "/editor/api/publish", map[string]any{"drafts": []any{map[string]any{"kind": "service", "id": anconaService}}}); r.status != 404 {
		t.Errorf("publishing a draft already published: %d", r.status)
	}

	// Audit: the save and the publish, with before and after.
	r = anna.do("GET", "/editor/api/audit?kind=service&id="+anconaService, nil)
	entries, _ := r.json["entries"].([]any)
	if len(entries) != 2 {
		t.Fatalf("audit: %s", r.raw)
	}
	pub, save := entries[0], entries[1]
	if at(pub, "action") != "publish" || at(pub, "actor") != editorName || at(pub, "seq") != 1.0 ||
		at(pub, "before", "name", "it") != published["name"].(map[string]any)["it"] || at(pub, "after", "name", "it") != "Sportello rinnovato" {
		t.Errorf("publish entry: %v", pub)
	}
	if at(save, "action") != "draft.save" || at(save, "before", "id") != anconaService || at(save, "after", "name", "en") != "Renewed desk" {
		t.Errorf("save entry: %v", save)
	}
}

func TestPublishSeveral(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.login(adminName, adminPass)
	svc := map[string]any{"id": "new-desk", "organization_id": "org-new", "name": map[string]any{"it": "Nuovo sportello"}, "categories": []any{"info"},
		"locations": []any{map[string]any{"id": "loc-new-desk", "comune": "Ancona", "point": inAncona}}}
	org := map[string]any{"id": "org-new", "name": map[string]any{"it": "Nuova associazione"}}
	// A service may name an organization that is only a draft…
	if r := admin.do("PUT", "/editor/api/organizations/org-new/draft", org); r.status != 200 {
		t.Fatalf("org: %d %s", r.status, r.raw)
	}
	if r := admin.do("PUT", "/editor/api/services/new-desk/draft", svc); r.status != 200 {
		t.Fatalf("service: %d %s", r.status, r.raw)
	}
	// …but not be published without it.
	r := admin.do("POST", "/editor/api/publish", map[string]any{"drafts": []any{map[string]any{"kind": "service", "id": "new-desk"}}})
	if r.status != 400 || r.str("field") != "organization_id" || r.str("id") != "new-desk" {
		t.Fatalf("without its organization: %d %s", r.status, r.raw)
	}
	// Named in any order, the organization goes first.
	r = admin.do("POST", "/editor/api/publish", map[string]any{"drafts": []any{map[string]any{"kind": "service", "id": "new-desk"}, map[string]any{"kind": "organization", "id": "org-new"}}})
	if r.status != 200 {
		t.Fatalf("publish: %d %s", r.status, r.raw)
	}
	calls := e.pub.published()
	var kinds []string
	for _, c := range calls[0].changes {
		kinds = append(kinds, c.Kind+"/"+c.ID)
	}
	if !reflect.DeepEqual(kinds, []string{"organization/org-new", "service/new-desk"}) {
		t.Errorf("changes %v", kinds)
	}
	r = admin.do("GET", "/editor/api/audit?action=publish", nil)
	if len(r.json["entries"].([]any)) != 2 || at(r.json, "entries", 0, "before") != nil {
		t.Errorf("audit of new records: %s", r.raw)
	}

	for _, tt := range []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"nothing named", map[string]any{"drafts": []any{}}, 400, "drafts"},
		{"unknown kind", map[string]any{"drafts": []any{map[string]any{"kind": "cat", "id": "x"}}}, 400, "drafts[0].kind"},
		{"named twice", map[string]any{"drafts": []any{map[string]any{"kind": "page", "id": "x"}, map[string]any{"kind": "page", "id": "x"}}}, 400, "drafts[1]"},
		{"no such draft", map[string]any{"drafts": []any{map[string]any{"kind": "page", "id": "x"}}}, 404, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := admin.do("POST", "/editor/api/publish", tt.body)
			if r.status != tt.status || r.str("field") != tt.field {
				t.Fatalf("%d %s", r.status, r.raw)
			}
		})
	}

	// The publisher's own validation comes back naming the record.
	if r := admin.do("PUT", "/editor/api/pages/p/draft", map[string]any{"id": "p", "title": map[string]any{"it": "T"}, "body": map[string]any{"it": "B"}}); r.status != 200 {
		t.Fatal(r.status)
	}
	e.pub.fail = &content.ValidationError{Field: "changes[0].title", Reason: "too long"}
	r = admin.do("POST", "/editor/api/publish", map[string]any{"drafts": []any{map[string]any{"kind": "page", "id": "p"}}})
	if r.status != 400 || r.str("field") != "title" || r.str("kind") != "page" || r.str("id") != "p" {
		t.Errorf("publisher's validation: %d %s", r.status, r.raw)
	}
	if r := admin.do("GET", "/editor/api/pages/p", nil); r.json["draft"] == nil {
		t.Errorf("a failed publish removed the draft")
	}
}

func TestDiscardAndWithdraw(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	anna := e.login(editorName, editorPass)
	doc := e.serviceDoc(anconaOther)
	if r := anna.do("PUT", "/editor/api/services/"+anconaOther+"/draft", doc); r.status != 200 {
		t.Fatal(r.status)
	}
	if r := anna.do("DELETE", "/editor/api/services/"+anconaOther+"/draft", nil); r.status != 204 {
		t.Fatalf("discard: %d %s", r.status, r.raw)
	}
	if r := anna.do("DELETE", "/editor/api/services/"+anconaOther+"/draft", nil); r.status != 404 {
		t.Fatalf("discard twice: %d", r.status)
	}
	r := anna.do("POST", "/editor/api/services/"+anconaOther+"/withdraw", nil)
	if r.status != 200 {
		t.Fatalf("withdraw: %d %s", r.status, r.raw)
	}
	ch := e.pub.published()[0].changes[0]
	var sent content.Service
	json.Unmarshal(ch.Doc, &sent)
	if ch.Op != content.OpPut || sent.Status != content.StatusWithdrawn || sent.ID != anconaOther {
		t.Errorf("withdraw change: %s %s", ch.Op, ch.Doc)
	}
	admin := e.login(adminName, adminPass)
	if r := admin.do("POST", "/editor/api/pages/salute-stp/withdraw", nil); r.status != 200 {
		t.Fatalf("withdraw page: %d %s", r.status, r.raw)
	}
	if ch := e.pub.published()[1].changes[0]; ch.Op != content.OpDelete || ch.Kind != content.KindPage || ch.Doc != nil {
		t.Errorf("page withdrawal: %+v", ch)
	}
	for _, tt := range []struct {
		path   string
		status int
	}{
		{"/editor/api/organizations/org-ats-11-ancona/withdraw", 400},
		{"/editor/api/pages/nope/withdraw", 404},
	} {
		if r := admin.do("POST", tt.path, nil); r.status != tt.status {
			t.Errorf("%s: %d %s", tt.path, r.status, r.raw)
		}
	}
	r = admin.do("GET", "/editor/api/audit?action=withdraw", nil)
	entries := r.json["entries"].([]any)
	if len(entries) != 2 || at(entries[1], "after", "status") != "withdrawn" || at(entries[0], "after") != nil || at(entries[0], "before", "id") != "salute-stp" {
		t.Errorf("withdraw audit: %s", r.raw)
	}
	r = admin.do("GET", "/editor/api/audit?action=draft.discard", nil)
	if len(r.json["entries"].([]any)) != 1 {
		t.Errorf("discard audit: %s", r.raw)
	}
	// An editor sees only their own entries.
	r = anna.do("GET", "/editor/api/audit", nil)
	for _, en := range r.json["entries"].([]any) {
		if at(en, "actor") != editorName {
			t.Errorf("editor sees %v", en)
		}
	}
	if r := anna.do("GET", "/editor/api/audit?actor="+adminName, nil); len(r.json["entries"].([]any)) == 0 {
		t.Errorf("the actor filter is the editor's own: %s", r.raw)
	}
}

func TestTranslationStatus(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.login(adminName, adminPass)
	path := "/editor/api/services/" + anconaService
	doc := e.serviceDoc(anconaService)
	doc["name"] = map[string]any{"it": "Sportello", "en": "Desk", "fr": "Guichet"}
	doc["fees"] = map[string]any{"it": "Gratuito"}

	status := func(r *resp, field string) (missing, stale []string) {
		t.Helper()
		tr := r.json["translations"]
		if tr == nil {
			tr = r.json
		}
		for _, f := range at(tr, "fields").([]any) {
			if at(f, "field") == field {
				for _, l := range at(f, "missing").([]any) {
					missing = append(missing, l.(string))
				}
				for _, l := range at(f, "stale").([]any) {
					stale = append(stale, l.(string))
				}
				return
			}
		}
		t.Fatalf("no field %s in %s", field, r.raw)
		return
	}
	r := admin.do("PUT", path+"/draft", doc)
	missing, stale := status(r, "name")
	if len(missing) != 12 || slices.Contains(missing, "en") || slices.Contains(missing, "it") || !slices.Contains(missing, "ti") || len(stale) != 0 {
		t.Fatalf("name: missing %v stale %v", missing, stale)
	}
	if missing, _ := status(r, "fees"); len(missing) != 14 {
		t.Errorf("fees: missing %v", missing)
	}
	// The Italian changes, the translations do not: they are stale.
	doc["name"] = map[string]any{"it": "Sportello unico", "en": "Desk", "fr": "Guichet"}
	r = admin.do("PUT", path+"/draft", doc)
	if _, stale := status(r, "name"); !reflect.DeepEqual(stale, []string{"en", "fr"}) {
		t.Fatalf("after the Italian changed: stale %v", stale)
	}
	// English is brought up to date; French stays stale.
	doc["name"] = map[string]any{"it": "Sportello unico", "en": "One-stop desk", "fr": "Guichet"}
	r = admin.do("PUT", path+"/draft", doc)
	if _, stale := status(r, "name"); !reflect.DeepEqual(stale, []string{"fr"}) {
		t.Fatalf("after English was updated: stale %v", stale)
	}
	r = admin.do("GET", path+"/translations", nil)
	if r.status != 200 || at(r.json, "languages", "fr", "stale") != 1.0 || r.json["stale"] != 1.0 {
		t.Fatalf("translations: %s", r.raw)
	}
	// Published, the hashes are the record's: a new draft that touches
	// nothing still sees French as stale.
	if r := admin.do("POST", "/editor/api/publish", map[string]any{"drafts": []any{map[string]any{"kind": "service", "id": anconaService}}}); r.status != 200 {
		t.Fatal(r.status)
	}
	sources, err := edOf(e.t, e.st, nil).CommittedSources(context.Background(), "service", anconaService)
	if err != nil || sources["name"]["fr"] == "" || sources["name"]["fr"] == sources["name"]["en"] {
		t.Fatalf("committed sources %v %v", sources, err)
	}
	// Demo texts never saved through the portal are not called stale
	// (and the demo is in every language).
	r = admin.do("GET", "/editor/api/services/"+perugiaService+"/translations", nil)
	if r.json["stale"] != 0.0 || r.json["missing"] != 0.0 || at(r.json, "languages", "ti", "missing") != 0.0 {
		t.Errorf("untracked record: %s", r.raw)
	}
}

func TestPreview(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	e := newEnv(t)
	anna := e.login(editorName, editorPass)
	doc := e.serviceDoc(anconaService)
	doc["name"] = map[string]any{"it": "Sportello <b>nuovo</b>", "fr": "Guichet nouveau", "ar": "مكتب جديد"}
	doc["description"] = map[string]any{"it": "Descrizione della bozza"}
	if r := anna.do("PUT", "/editor/api/services/"+anconaService+"/draft", doc); r.status != 200 {
		t.Fatal(r.status)
	}
	view := "/editor/api/drafts/service/" + anconaService + "/view"
	tests := []struct {
		name   string
		query  string
		status int
		check  func(t *testing.T, r *resp)
	}{
		{"in French", "?lang=fr", 200, func(t *testing.T, r *resp) {
			if at(r.json, "service", "name", "text") != "Guichet nouveau" || at(r.json, "service", "name", "lang") != "fr" {
				t.Errorf("%s", r.raw)
			}
			if at(r.json, "service", "description", "text") != "Descrizione della bozza" || at(r.json, "service", "organization", "id") != "org-ats-11-ancona" {
				t.Errorf("%s", r.raw)
			}
			if at(r.json, "service", "locations", 0, "distance_m") != 0.0 {
				t.Errorf("seen from its own location: %v", at(r.json, "service", "locations", 0))
			}
		}},
		{"falls back to Italian", "?lang=es", 200, func(t *testing.T, r *resp) {
			if at(r.json, "service", "name", "text") != "Sportello <b>nuovo</b>" {
				t.Errorf("%s", r.raw)
			}
		}},
		{"from a point, at a moment", "?lang=ar&lat=43.6169&lon=13.5153&at=2026-11-24T10:00:00%2B01:00", 200, func(t *testing.T, r *resp) {
			if at(r.json, "service", "name", "text") != "مكتب جديد" || at(r.json, "service", "locations", 0, "distance_m").(float64) < 100 {
				t.Errorf("%s", r.raw)
			}
		}},
		{"unknown language", "?lang=xx", 400, wantField("lang")},
		{"unknown totem", "?totem=nope", 400, wantField("totem")},
		{"bad time", "?at=noon", 400, wantField("at")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := anna.do("GET", view+tt.query, nil)
			if r.status != tt.status {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
	// A service reached only by phone or online has no place to look
	// from: its page shows, with no distances.
	remote := e.serviceDoc(anconaService)
	remote["locations"], remote["channels"] = []any{}, []any{}
	remote["phones"] = []any{map[string]any{"number": "+39 071 222 3344"}}
	if r := anna.do("PUT", "/editor/api/services/"+anconaService+"/draft", remote); r.status != 200 {
		t.Fatalf("a draft with no location: %d %s", r.status, r.raw)
	}
	if r := anna.do("GET", view+"?lang=it", nil); r.status != 200 || at(r.json, "service", "id") != anconaService {
		t.Errorf("preview with no location: %d %s", r.status, r.raw)
	}
	if r := anna.do("PUT", "/editor/api/services/"+anconaService+"/draft", doc); r.status != 200 {
		t.Fatal(r.status)
	}
	if r := anna.do("GET", "/editor/api/drafts/service/"+perugiaService+"/view", nil); r.status != 404 {
		t.Errorf("no draft: %d", r.status)
	}
	if r := anna.do("GET", "/editor/api/drafts/page/x/view", nil); r.status != 400 {
		t.Errorf("a page: %d", r.status)
	}
	// A withdrawn draft shows nothing, as on a totem.
	doc["status"] = "withdrawn"
	anna.do("PUT", "/editor/api/services/"+anconaService+"/draft", doc)
	if r := anna.do("GET", view, nil); r.status != 404 {
		t.Errorf("withdrawn draft: %d %s", r.status, r.raw)
	}
	// The scratch catalogs went to TMPDIR and are gone.
	if left, err := os.ReadDir(tmp); err != nil || len(left) != 0 {
		t.Errorf("scratch files left behind: %v %v", left, err)
	}
}

func TestTextsStoredVerbatim(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	anna := e.login(editorName, editorPass)
	nasty := `<script>alert("x")</script> & <b onmouseover='y()'>bold</b> \u003c "quoted"`
	doc := e.serviceDoc(anconaService)
	doc["name"] = map[string]any{"it": nasty, "en": nasty}
	doc["description"] = map[string]any{"it": "<img src=x onerror=alert(1)>"}
	r := anna.do("PUT", "/editor/api/services/"+anconaService+"/draft", doc)
	if r.status != 200 || at(r.json, "draft", "doc", "name", "it") != nasty {
		t.Fatalf("save: %d %s", r.status, r.raw)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" && ct != "application/json; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	r = anna.do("GET", "/editor/api/services/"+anconaService, nil)
	if at(r.json, "draft", "doc", "name", "en") != nasty || at(r.json, "draft", "doc", "description", "it") != "<img src=x onerror=alert(1)>" {
		t.Errorf("read back: %s", r.raw)
	}
	r = anna.do("GET", "/editor/api/drafts/service/"+anconaService+"/view?lang=en", nil)
	if at(r.json, "service", "name", "text") != nasty {
		t.Errorf("preview: %s", r.raw)
	}
	anna.do("POST", "/editor/api/publish", map[string]any{"drafts": []any{map[string]any{"kind": "service", "id": anconaService}}})
	var sent content.Service
	json.Unmarshal(e.pub.published()[0].changes[0].Doc, &sent)
	if sent.Name["it"] != nasty {
		t.Errorf("published %q", sent.Name["it"])
	}
}

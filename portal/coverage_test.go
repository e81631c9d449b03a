package portal

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/editorial"
	"github.com/punto-totem/punto/fleet"
)

// allLanguages is a text in every screen language.
func allLanguages(prefix string) map[string]string {
	out := map[string]string{}
	for _, l := range editorial.UILanguages {
		out[l] = prefix + " " + l
	}
	return out
}

// TestPublishWarnsOfMissingLanguages: a publish names, per record, the
// screen languages it lacks, and goes out all the same; a record in every
// language gets no warning.
func TestPublishWarnsOfMissingLanguages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.login(adminName, adminPass)
	svc := clone(e.serviceDoc(anconaService))
	svc["id"] = "new-desk-it-en"
	svc["name"] = map[string]any{"it": "Sportello nuovo (demo)", "en": "New desk (demo)"}
	svc["description"] = map[string]any{"it": "Solo italiano e inglese.", "en": "Italian and English only."}
	for _, k := range []string{"eligibility", "fees", "documents", "phones", "contacts"} {
		delete(svc, k)
	}
	locs := svc["locations"].([]any)
	loc := locs[0].(map[string]any)
	delete(loc, "name")
	delete(loc, "accessibility")
	svc["hours"] = map[string]any{"weekly": []any{}, "exceptions": []any{}}
	if r := admin.do("PUT", "/editor/api/services/new-desk-it-en/draft", svc); r.status != 200 {
		t.Fatalf("draft: %d %s", r.status, r.raw)
	}
	alert := map[string]any{"id": "every-language", "text": allLanguages("Avviso"), "severity": "info", "target_kind": "all",
		"starts_at": "2026-11-23T00:00:00Z", "ends_at": "2026-12-23T00:00:00Z"}
	if r := admin.do("PUT", "/editor/api/alerts/every-language/draft", alert); r.status != 200 {
		t.Fatalf("alert draft: %d %s", r.status, r.raw)
	}
	r := admin.do("POST", "/editor/api/publish", map[string]any{"drafts": []any{
		map[string]any{"kind": "service", "id": "new-desk-it-en"}, map[string]any{"kind": "alert", "id": "every-language"}}})
	if r.status != 200 {
		t.Fatalf("publish: %d %s", r.status, r.raw)
	}
	var got struct {
		Warnings []struct {
			Kind, ID string
			Missing  []string
		}
	}
	if err := json.Unmarshal(r.raw, &got); err != nil {
		t.Fatal(err)
	}
	want := slices.DeleteFunc(slices.Clone(editorial.UILanguages), func(l string) bool { return l == "it" || l == "en" })
	if len(got.Warnings) != 1 || got.Warnings[0].Kind != "service" || got.Warnings[0].ID != "new-desk-it-en" || !slices.Equal(got.Warnings[0].Missing, want) {
		t.Errorf("warnings %+v, want the service missing %v", got.Warnings, want)
	}
	if len(e.pub.published()) != 1 {
		t.Error("the warning stopped the publish")
	}
}

// coverageOf fetches the coverage answer as a client sees it.
type coverageAnswer struct {
	Languages []string `json:"languages"`
	Rows      []struct {
		Territory string                            `json:"territory"`
		Services  int                               `json:"services"`
		Languages map[string]editorial.LangCoverage `json:"languages"`
	} `json:"rows"`
	Missing map[string][]editorial.MissingService `json:"missing"`
	Days    int                                   `json:"days"`
}

func coverageOf(t *testing.T, cl *client, query string) coverageAnswer {
	t.Helper()
	r := cl.do("GET", "/editor/api/coverage"+query, nil)
	if r.status != 200 {
		t.Fatalf("coverage: %d %s", r.status, r.raw)
	}
	var out coverageAnswer
	if err := json.Unmarshal(r.raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func (a coverageAnswer) row(t *testing.T, territory string) editorialRow {
	t.Helper()
	for _, r := range a.Rows {
		if r.Territory == territory {
			return editorialRow{r.Services, r.Languages}
		}
	}
	t.Fatalf("no row for %q in %+v", territory, a.Rows)
	return editorialRow{}
}

type editorialRow struct {
	services int
	langs    map[string]editorial.LangCoverage
}

// applyPublished applies what the recorder was asked to publish to the
// catalog, as the real publisher does.
func applyPublished(t *testing.T, e *env) {
	t.Helper()
	calls := e.pub.published()
	err := e.st.Write(context.Background(), func(b *content.Batch) error {
		for _, ch := range calls[len(calls)-1].changes {
			if err := b.Apply(&ch); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCoverage: per territory and language, the share of services
// complete and the number outdated; the most viewed services missing each
// language; an editor sees their territories only.
func TestCoverage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.login(adminName, adminPass)
	before := coverageOf(t, admin, "")
	if len(before.Languages) != 15 || len(before.Rows) != 10 || before.Days != 90 {
		t.Fatalf("languages %v, %d rows, %d days", before.Languages, len(before.Rows), before.Days)
	}
	all := before.row(t, "")
	if all.services != 330 || all.langs["it"].Share != 1 || all.langs["it"].Complete != 330 {
		t.Errorf("every service: %+v", all)
	}
	ancona := before.row(t, anconaTerritory)

	coverageFixture(t, e, admin)
	after := coverageOf(t, admin, "")
	a := after.row(t, anconaTerritory)
	if a.services != ancona.services+1 || a.langs["en"].Complete != ancona.langs["en"].Complete+1 ||
		a.langs["ti"].Complete != ancona.langs["ti"].Complete ||
		a.langs["en"].Outdated != ancona.langs["en"].Outdated+1 {
		t.Errorf("Ancona before %+v, after %+v", ancona, a)
	}
	if m := after.Missing["ti"]; len(m) == 0 || m[0].ID != "cov-desk" || m[0].Views != 7 || m[0].Name["en"] != "Coverage desk (demo)" {
		t.Errorf("most viewed missing Tigrinya: %+v", m)
	}
	if m := after.Missing["en"]; len(m) != 0 {
		t.Errorf("most viewed missing English: %+v", m)
	}

	// Anna edits Ancona: she sees its row and every service of hers.
	anna := coverageOf(t, e.login(editorName, editorPass), "?days=30")
	if len(anna.Rows) != 2 || anna.row(t, "").services != a.services || anna.Days != 30 || len(anna.Missing["ti"]) == 0 {
		t.Errorf("Anna's coverage: %+v", anna.Rows)
	}
	// Bruno edits Perugia: not Ancona's desk, nor the views of its totem.
	bruno := coverageOf(t, e.login(editor2Name, editor2Pass), "")
	if len(bruno.Rows) != 2 || bruno.Rows[1].Territory != "zona-2-perugia" || len(bruno.Missing["ti"]) != 0 {
		t.Errorf("Bruno's coverage: %+v, missing %+v", bruno.Rows, bruno.Missing["ti"])
	}
	if r := admin.do("GET", "/editor/api/coverage?days=0", nil); r.status != 400 || r.str("field") != "days" {
		t.Errorf("days=0: %d %s", r.status, r.raw)
	}
	if r := e.anon().do("GET", "/editor/api/coverage", nil); r.status != 401 {
		t.Errorf("signed out: %d", r.status)
	}
}

// coverageFixture adds a desk in Ancona in Italian and English only,
// viewed 7 times on a totem there two days ago, and changes the Italian
// name of the Ancona desk after its translations, which become outdated.
func coverageFixture(t *testing.T, e *env, admin *client) {
	t.Helper()
	ctx := context.Background()
	svc := clone(e.serviceDoc(anconaService))
	svc["id"] = "cov-desk"
	svc["name"] = map[string]any{"it": "Sportello copertura (demo)", "en": "Coverage desk (demo)"}
	for _, k := range []string{"description", "eligibility", "fees", "documents", "phones", "contacts"} {
		delete(svc, k)
	}
	svc["hours"] = map[string]any{"weekly": []any{}, "exceptions": []any{}}
	loc := svc["locations"].([]any)[0].(map[string]any)
	loc["id"], loc["name"], loc["accessibility"] = "loc-cov-desk", nil, nil
	publishDoc(t, e, admin, "services", "service", "cov-desk", svc)
	if _, err := fleetOf(t, e.st).AddTotem(ctx, "totem-ancona", "Ancona", orb.Point{13.5153, 43.6169}); err != nil {
		t.Fatal(err)
	}
	hour := fleet.NeedsHour(e.clock.Now().Add(-48 * time.Hour))
	if err := fleetOf(t, e.st).RecordNeeds(ctx, "totem-ancona", []fleet.NeedsCount{{Hour: hour, Event: fleet.NeedService, Value: "cov-desk", N: 7}}); err != nil {
		t.Fatal(err)
	}
	doc := clone(e.serviceDoc(anconaService))
	doc["name"].(map[string]any)["it"] = "Sportello Immigrati rinnovato (demo)"
	publishDoc(t, e, admin, "services", "service", anconaService, doc)
}

// publishDoc saves doc as the draft of a record and publishes it, applied
// to the catalog.
func publishDoc(t *testing.T, e *env, cl *client, path, kind, id string, doc map[string]any) {
	t.Helper()
	if r := cl.do("PUT", "/editor/api/"+path+"/"+id+"/draft", doc); r.status != 200 {
		t.Fatalf("draft %s: %d %s", id, r.status, r.raw)
	}
	if r := cl.do("POST", "/editor/api/publish", map[string]any{"drafts": []any{map[string]any{"kind": kind, "id": id}}}); r.status != 200 {
		t.Fatalf("publish %s: %d %s", id, r.status, r.raw)
	}
	applyPublished(t, e)
}

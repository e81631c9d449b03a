package portal

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/punto-totem/punto/content"
)

func lookupURL(term, lang string) string {
	return "/editor/api/lexicon/lookup?" + url.Values{"term": {term}, "lang": {lang}}.Encode()
}

// matchedConcepts are the concepts of a lookup's answer.
func matchedConcepts(r *resp) []string {
	var out []string
	ms, _ := r.json["matched"].([]any)
	for _, m := range ms {
		if c, _ := m.(map[string]any)["concept"].(string); c != "" {
			out = append(out, c)
		}
	}
	return out
}

func TestLexiconAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if err := addUser(t, e.st, "coord.lex", "coordinator", []string{anconaTerritory}, "a coordinator's long secret"); err != nil {
		t.Fatal(err)
	}
	admin := e.login(adminName, adminPass)
	anna := e.login(editorName, editorPass) // an editor of one territory: the lexicon is the region's
	coord := e.login("coord.lex", "a coordinator's long secret")

	// The concepts, with labels and built-in terms.
	r := anna.do("GET", "/editor/api/lexicon", nil)
	if r.status != 200 || !strings.Contains(string(r.raw), `"id":"doctor"`) || !strings.Contains(string(r.raw), `"medico"`) {
		t.Fatalf("list: %d %.300s", r.status, r.raw)
	}
	// Which concept a word joins, before and after it is added.
	if r := anna.do("GET", lookupURL("medico", "it"), nil); r.status != 200 || !slices.Contains(matchedConcepts(r), "doctor") {
		t.Errorf("lookup medico: %d %s", r.status, r.raw)
	}
	if r := anna.do("GET", lookupURL("vrakodin", "sq"), nil); r.status != 200 || slices.Contains(matchedConcepts(r), "doctor") {
		t.Errorf("lookup before: %d %s", r.status, r.raw)
	}
	body := map[string]any{"concept": "doctor", "lang": "sq", "term": "vrakodin", "latin": false}
	r = anna.do("PUT", "/editor/api/lexicon/terms", body)
	if r.status != 200 || r.str("id") != "doctor:sq:vrakodin" {
		t.Fatalf("put: %d %s", r.status, r.raw)
	}
	calls := e.pub.published()
	if len(calls) != 1 || len(calls[0].changes) != 1 || calls[0].author != editorName {
		t.Fatalf("published %+v", calls)
	}
	c := calls[0].changes[0]
	if c.Kind != content.KindTerm || c.ID != "doctor:sq:vrakodin" || c.Op != content.OpPut {
		t.Fatalf("change %s %s %s", c.Kind, c.ID, c.Op)
	}
	// The recorder leaves the catalog as it is: apply the change as the
	// feed would.
	apply := func(c content.Change) {
		t.Helper()
		if err := e.st.Write(t.Context(), func(b *content.Batch) error { return b.Apply(&c) }); err != nil {
			t.Fatal(err)
		}
	}
	apply(c)
	if r := anna.do("GET", lookupURL("Vrakodin", "sq"), nil); r.status != 200 || !slices.Contains(matchedConcepts(r), "doctor") {
		t.Errorf("lookup after: %d %s", r.status, r.raw)
	}
	r = anna.do("GET", "/editor/api/lexicon", nil)
	if !strings.Contains(string(r.raw), `{"term":"vrakodin","added":true}`) {
		t.Errorf("the listing does not mark it added: %.200s", r.raw)
	}
	a := admin.do("GET", "/editor/api/audit?kind=term", nil)
	if a.status != 200 || !strings.Contains(string(a.raw), "term.put") || !strings.Contains(string(a.raw), "doctor:sq:vrakodin") {
		t.Errorf("audit: %d %.400s", a.status, a.raw)
	}

	// Bad input: 400 naming the field.
	for _, tc := range []struct {
		name, method, path string
		body               any
		field              string
	}{
		{"unknown concept", "PUT", "/editor/api/lexicon/terms", map[string]any{"concept": "nope", "lang": "it", "term": "x"}, "concept"},
		{"bad language", "PUT", "/editor/api/lexicon/terms", map[string]any{"concept": "doctor", "lang": "xx", "term": "dok"}, "lang"},
		{"empty term", "PUT", "/editor/api/lexicon/terms", map[string]any{"concept": "doctor", "lang": "it", "term": " "}, "term"},
		{"long term", "PUT", "/editor/api/lexicon/terms", map[string]any{"concept": "doctor", "lang": "it", "term": strings.Repeat("m", 81)}, "term"},
		{"no letters", "PUT", "/editor/api/lexicon/terms", map[string]any{"concept": "doctor", "lang": "it", "term": "?!"}, "term"},
		{"unknown key", "PUT", "/editor/api/lexicon/terms", map[string]any{"concept": "doctor", "lang": "it", "term": "dok", "weight": 3}, ""},
		{"no body", "PUT", "/editor/api/lexicon/terms", nil, "body"},
		{"lookup no term", "GET", lookupURL("", "it"), nil, "term"},
		{"lookup long", "GET", lookupURL(strings.Repeat("m", 81), "it"), nil, "term"},
		{"lookup bad lang", "GET", lookupURL("medico", "zz"), nil, "lang"},
	} {
		r := anna.do(tc.method, tc.path, tc.body)
		if r.status != 400 || (tc.field != "" && r.str("field") != tc.field) {
			t.Errorf("%s: %d %s", tc.name, r.status, r.raw)
		}
	}
	if r := anna.do("DELETE", "/editor/api/lexicon/terms", map[string]any{"concept": "doctor", "lang": "it", "term": "medico"}); r.status != 404 {
		t.Errorf("removing a built-in term: %d %s", r.status, r.raw)
	}

	// Mediation's accounts do not edit the lexicon, nor read it here.
	for _, req := range []struct{ method, path string }{{"GET", "/editor/api/lexicon"}, {"GET", lookupURL("medico", "it")}, {"PUT", "/editor/api/lexicon/terms"}, {"DELETE", "/editor/api/lexicon/terms"}} {
		if r := coord.do(req.method, req.path, body); r.status != 403 {
			t.Errorf("coordinator %s %s: %d", req.method, req.path, r.status)
		}
	}
	if r := e.anon().do("GET", "/editor/api/lexicon", nil); r.status != 401 {
		t.Errorf("anonymous: %d", r.status)
	}

	// Removed, it goes out as a delete.
	if r := admin.do("DELETE", "/editor/api/lexicon/terms", body); r.status != 200 {
		t.Fatalf("delete: %d %s", r.status, r.raw)
	}
	calls = e.pub.published()
	if c := calls[len(calls)-1].changes[0]; c.Kind != content.KindTerm || c.ID != "doctor:sq:vrakodin" || c.Op != content.OpDelete {
		t.Fatalf("delete change %+v", c)
	} else {
		apply(c)
	}
	if r := anna.do("GET", lookupURL("vrakodin", "sq"), nil); slices.Contains(matchedConcepts(r), "doctor") {
		t.Errorf("lookup after delete: %s", r.raw)
	}
}

package exchange

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/locales"
)

// foreignService is an HSDS service whose attributes name terms of
// another taxonomy (code, name).
func foreignService(id string, terms ...[2]string) map[string]any {
	var attrs []any
	for i, t := range terms {
		attrs = append(attrs, map[string]any{
			"id": fmt.Sprintf("%s-attr-%d", id, i), "link_type": "service_category", "link_entity": "service", "link_id": id,
			"taxonomy_term": map[string]any{"id": fmt.Sprintf("%s-term-%d", id, i), "code": t[0], "name": t[1], "description": t[1], "taxonomy": "211 LA"},
		})
	}
	return map[string]any{
		"id": id, "name": "Service " + id, "status": "active", "attributes": attrs,
		"service_at_locations": []any{map[string]any{"id": id + "-sal", "location": map[string]any{
			"id": id + "-loc", "location_type": "physical", "latitude": 43.6, "longitude": 13.5,
			"addresses": []any{map[string]any{"id": id + "-addr", "address_1": "Via Roma 1", "city": "Ancona", "state_province": "AN", "postal_code": "60121", "country": "IT", "address_type": "physical"}},
		}}},
	}
}

func TestTaxonomyMapImport(t *testing.T) {
	t.Parallel()
	doc, err := json.Marshal([]any{
		foreignService("svc-food", [2]string{"BD-1800", "Food Pantries"}),
		foreignService("svc-two", [2]string{"LH-2700", "Medical Care"}, [2]string{"BH-1800", "Help Find Housing"}),
		foreignService("svc-none", [2]string{"ZZ-9", "Something unmapped"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseTaxonomyMap([]byte(`{"default": "info", "terms": {"bd-1800": "community", "Medical care": ["health", "family"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	x, err := ParseOptions(FormatHSDS, doc, ImportOptions{Taxonomy: m})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, s := range x.Services {
		got[s.ID] = s.Categories
	}
	// By code, case ignored; by name, to several categories, plus the
	// Open Eligibility term; the unmapped service gets the default.
	want := map[string][]string{"svc-food": {"community"}, "svc-two": {"health", "housing", "family"}, "svc-none": {"info"}}
	for id, w := range want {
		if !slices.Equal(got[id], w) {
			t.Errorf("%s: categories %v, want %v", id, got[id], w)
		}
	}
	// Without a map the unmapped services are refused, each saying how to
	// map them; the Open Eligibility term alone still maps.
	_, err = Parse(FormatHSDS, doc)
	var ie *ImportError
	if !asImportError(err, &ie) || len(ie.Issues) != 2 {
		t.Fatalf("without a map: %v, want the two unmapped services reported", err)
	}
	for _, is := range ie.Issues {
		if !strings.Contains(is.Reason, "--taxonomy-map") || is.Pointer == "" {
			t.Errorf("issue %s does not point at the service and the option", is)
		}
	}
	for _, bad := range []string{`{"default": "food"}`, `{"terms": {"x": "nope"}}`, `{"terms": {"x": 3}}`, `{"mapping": {}}`} {
		if _, err := ParseTaxonomyMap([]byte(bad)); err == nil {
			t.Errorf("map %s was accepted", bad)
		}
	}
}

// The categories travel as terms of the Punto taxonomy: stable URIs,
// UUIDs derived from them, labels in every language of the screens, the
// taxonomy record itself.
func TestTaxonomyTerms(t *testing.T) {
	t.Parallel()
	langs := len(locales.Tags())
	for _, c := range content.Categories {
		term := categoryTerm(c.ID, hsdsOut{})
		if term.TermURI != TermURI(c.ID) || term.ID != termUUID(c.ID) || !content.ValidUUID(term.ID) {
			t.Errorf("%s: uri %q id %q", c.ID, term.TermURI, term.ID)
		}
		if term.Name == "" || len(term.Translations)+1 != langs {
			t.Errorf("%s: Italian name %q and %d translations, want %d languages", c.ID, term.Name, len(term.Translations), langs)
		}
		if term.Detail == nil || term.Detail.ID != TaxonomyUUID || term.TaxonomyID != TaxonomyUUID {
			t.Errorf("%s: taxonomy %+v", c.ID, term.Detail)
		}
		if ar := categoryTerm(c.ID, hsdsOut{plain: true, lang: "ar"}); ar.Name != content.CategoryLabels(c.ID)["ar"] || ar.Translations != nil || ar.Language != "ar" {
			t.Errorf("%s in plain Arabic: %+v", c.ID, ar)
		}
	}
	if termUUID("work") != "" && termUUID("work") == termUUID("health") {
		t.Error("two terms share a UUID")
	}
}

func asImportError(err error, ie **ImportError) bool {
	e, ok := err.(*ImportError)
	if ok {
		*ie = e
	}
	return ok
}

// Languages come by code (two or three letters, any case, a BCP 47 tag)
// or by English name; one with neither is left out, a wrong one reported.
func TestHSDSLanguages(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ code, name, want string }{
		{"ur", "", "ur"}, {"TL", "", "tl"}, {"URD", "", "ur"}, {"eng", "", "en"}, {"pt-BR", "", "pt"}, {"", "Urdu", "ur"}, {"", "tigrinya", "ti"},
		{"", "Arabic", "ar"}, {"xx-nope", "Klingonese", ""},
	} {
		got, ok := languageCode(c.code, c.name)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("languageCode(%q, %q) = %q, %v; want %q", c.code, c.name, got, ok, c.want)
		}
	}
	svc := foreignService("svc-lang", [2]string{"x", "Housing"})
	svc["languages"] = []any{map[string]any{"id": "l1", "name": "Urdu"}, map[string]any{"id": "l2", "code": "ENG"}, map[string]any{"id": "l3"}}
	doc, _ := json.Marshal(svc)
	x, err := Parse(FormatHSDS, doc)
	if err != nil {
		t.Fatal(err)
	}
	if got := x.Services[0].Languages; !slices.Equal(got, []string{"en", "ur"}) {
		t.Errorf("languages %v, want [en ur]", got)
	}
	svc["languages"] = []any{map[string]any{"id": "l1", "name": "Klingonese"}}
	doc, _ = json.Marshal(svc)
	if _, err := Parse(FormatHSDS, doc); err == nil || !strings.Contains(err.Error(), "/languages/0: code: neither") {
		t.Errorf("an unknown language: %v", err)
	}
}

// An address's country is kept as given (Italy as Punto's default) and
// written back.
func TestHSDSCountryAsGiven(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	us := foreignService("svc-us", [2]string{"x", "Housing"})
	loc := us["service_at_locations"].([]any)[0].(map[string]any)["location"].(map[string]any)
	loc["id"] = "loc-us"
	loc["addresses"].([]any)[0].(map[string]any)["country"] = "US"
	doc, _ := json.Marshal([]any{us, foreignService("svc-it", [2]string{"x", "Housing"})})
	x, err := Parse(FormatHSDS, doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "c.db")
	if err := Create(ctx, path, x, FormatHSDS); err != nil {
		t.Fatal(err)
	}
	st, err := content.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	back, err := Read(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range back.Services {
		got[s.ID] = s.Locations[0].Country
	}
	if got["svc-us"] != "US" || got["svc-it"] != "" {
		t.Errorf("countries %v", got)
	}
	var out bytes.Buffer
	if err := back.Write(FormatHSDS, &out); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out.Bytes(), []byte(`"country": "US"`)) || !bytes.Contains(out.Bytes(), []byte(`"country": "IT"`)) {
		t.Error("the countries are not written back")
	}
}

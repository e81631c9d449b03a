package kiosk

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// What a visitor types in any language finds the services of the need it
// names, and the answer says which need, in the visitor's language.
func TestSearchAnswersNeeds(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	tests := []struct {
		q, lang, concept, category, label, categoryLabel string
	}{
		{"طبيب", "ar", "doctor", "health", "طبيب", "الصحة"},
		{"робота", "uk", "job", "work", "Робота", "Робота та профорієнтація"},
		{"医生", "zh", "doctor", "health", "医生", "医疗健康"},
		{"medcio", "it", "doctor", "health", "Medico", "Salute"}, // a typo
		{"житло", "uk", "house", "housing", "Житло", "Житло"},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			code, b := get(t, srv, "/api/v1/search?lang="+tt.lang+"&q="+url.QueryEscape(tt.q))
			if code != 200 {
				t.Fatalf("status %d: %v", code, b)
			}
			res := b["results"].([]any)
			if len(res) == 0 || !strings.Contains(toJSON(res[0].(map[string]any)["categories"]), tt.category) {
				t.Errorf("first result is not in %s: %v", tt.category, res)
			}
			want := map[string]any{"concept": tt.concept, "label": tt.label, "category": tt.category, "category_label": tt.categoryLabel}
			matched := b["matched"].([]any)
			if len(matched) == 0 || toJSON(matched[0]) != toJSON(want) {
				t.Errorf("matched %v, want %v first", toJSON(matched), toJSON(want))
			}
			if len(b["suggestions"].([]any)) != 0 {
				t.Errorf("suggestions with results: %v", b["suggestions"])
			}
		})
	}
	_, b := get(t, srv, "/api/v1/search?lang=it&q=zzzqqqxx")
	if len(b["results"].([]any)) != 0 || len(b["matched"].([]any)) != 0 {
		t.Errorf("found something for nonsense: %v", b)
	}
	// Two typos in a word of 7 letters is more than matching allows, not
	// more than a suggestion does.
	_, b = get(t, srv, "/api/v1/search?lang=it&q=ospdlae")
	if s := b["suggestions"].([]any); len(b["results"].([]any)) != 0 || len(s) == 0 || s[0] != "ospedale" {
		t.Errorf("suggestions %v, %d results; want ospedale", b["suggestions"], len(b["results"].([]any)))
	}
}

// A query that cannot be one is refused with a 400 naming q, never a 5xx.
func TestSearchRefusesBadQueries(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	for name, q := range map[string]string{
		"10 KB":                    strings.Repeat("a", 10<<10),
		"10 KB of Arabic, escaped": url.QueryEscape(strings.Repeat("ب", 1100)),
		"invalid UTF-8":            "%FF%FEab",
		"truncated UTF-8":          "ab%D8",
		"a control character":      "doctor%07",
		"NUL":                      "doc%00tor",
		"a newline":                "doc%0Ator",
		"a lone combining mark":    "%CC%81",
		"a lone Devanagari sign":   "%E0%A4%BE",
		"a right-to-left override": "%E2%80%AEabc",
		"a left-to-right isolate":  "abc%E2%81%A6def",
		"only punctuation":         "%21%3F%C2%BF%E2%80%A6%E3%80%82",
		"only spaces":              "%20%20%20",
		"one letter":               "a",
		"longer than 200 letters":  strings.Repeat("é", 201),
	} {
		t.Run(name, func(t *testing.T) {
			res, err := srv.App().Test(httptest.NewRequest("GET", "http://totem/api/v1/search?q="+q, nil), -1)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			var e struct{ Error, Field string }
			if res.StatusCode != 400 || json.Unmarshal(body, &e) != nil || e.Field != "q" || !strings.HasPrefix(e.Error, "q: ") {
				t.Errorf("status %d, %s; want a 400 naming q", res.StatusCode, body)
			}
		})
	}
}

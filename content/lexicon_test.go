package content

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/punto-totem/punto/locales"
)

// The shipped lexicon loads, and every concept has words in each of the
// languages the screens speak.
func TestLexiconLoads(t *testing.T) {
	lex, err := theLexicon()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range lex.concepts {
		if c.id == "" {
			continue // a category's own name
		}
		n++
		for _, lang := range locales.Tags() {
			if len(c.terms[lang]) == 0 {
				t.Errorf("concept %s has no words in %s", c.id, lang)
			}
		}
	}
	t.Logf("%d concepts, %d keys, %d words", n, len(lex.keys), len(lex.words))
	if n < 10 {
		t.Errorf("%d concepts", n)
	}
	for _, lang := range locales.Tags() {
		if len(lex.catNames[lang]) != len(Categories) {
			t.Errorf("%s: %d category names", lang, len(lex.catNames[lang]))
		}
	}
}

// A broken lexicon file fails the build of the lexicon, naming the file
// and the concept.
func TestLexiconRefusesBadFiles(t *testing.T) {
	good := "[[concept]]\nid = \"a\"\ncategories = [\"health\"]\n[concept.terms]\nit = [\"medico\"]\n"
	tests := map[string]string{
		"an unknown category": strings.Replace(good, "health", "pizza", 1),
		"no category":         strings.Replace(good, `["health"]`, "[]", 1),
		"no id":               strings.Replace(good, `id = "a"`, `id = ""`, 1),
		"a bad language":      strings.Replace(good, "it =", "italian =", 1),
		"a twice used id":     good + good,
		"not TOML":            "[[concept]\n",
		"a misspelt key":      strings.Replace(good, "categories", "catgories", 1),
	}
	for name, body := range tests {
		fsys := fstest.MapFS{"lexicon/x.toml": {Data: []byte(body)}}
		if _, err := buildLexicon(fsys, fstest.MapFS{}); err == nil || !strings.Contains(err.Error(), "x.toml") {
			t.Errorf("%s: %v", name, err)
		}
	}
	fsys := fstest.MapFS{"lexicon/x.toml": {Data: []byte(good)}}
	if _, err := buildLexicon(fsys, fstest.MapFS{}); err != nil {
		t.Errorf("a good file: %v", err)
	}
	// The starter file yields to the data's files: their concept wins.
	starter := strings.Replace(good, "medico", "dottore", 1)
	fsys = fstest.MapFS{"lexicon/x.toml": {Data: []byte(good)}, starterFile: {Data: []byte(starter)}}
	lex, err := buildLexicon(fsys, fstest.MapFS{})
	if err != nil {
		t.Fatalf("a concept in the starter file and another: %v", err)
	}
	if _, ok := lex.keys["dottore"]; ok || len(lex.keys["medico"]) != 1 {
		t.Errorf("the starter's concept was kept: %v", lex.keys)
	}
}

// Category names are terms: the whole name, and its telling words alone.
func TestLexiconCategoryNames(t *testing.T) {
	lex, err := theLexicon()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ q, lang, cat string }{
		{"робота", "uk", "work"},
		{"Культурне посередництво і переклад", "uk", "mediation"},
		{"الصحة", "ar", "health"},
		{"صحة", "ar", "health"},
		{"法律咨询", "zh", "legal"},
		{"学校", "zh", "school"},
		{"shëndetësi", "sq", "health"},
		{"interpretariato", "it", "mediation"},
	} {
		a := analyze(tokens(tt.q), tt.lang, lex, newTextIndex())
		ms := a.matches(lex, tt.lang)
		found := false
		for _, m := range ms {
			found = found || m.Category == tt.cat
		}
		if !found {
			t.Errorf("%q (%s) names %v, want %s", tt.q, tt.lang, ms, tt.cat)
		}
	}
	// Words too general to name a category alone do not name it by its
	// name; a concept of the lexicon may still take them (the "help"
	// concept sends them to the information desks).
	for _, q := range []string{"help", "aide", "ayuda"} {
		a := analyze(tokens(q), "en", lex, newTextIndex())
		for _, sp := range a.spans {
			for _, h := range sp.hits {
				if lex.concepts[h.concept].id == "" {
					t.Errorf("%q names category %v by its name", q, lex.concepts[h.concept].cats)
				}
			}
		}
	}
}

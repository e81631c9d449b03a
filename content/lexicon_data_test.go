package content

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/BurntSushi/toml"
)

// The needs lexicon (lexicon/*.toml) and the query sets
// (testdata/queries*/{lang}.toml) are data written by hand; this test holds
// them to their schema, described in lexicon/README.md.

// lexLangs are the languages every concept must have terms in.
var lexLangs = []string{"it", "en", "fr", "es", "ar", "ur", "fa", "bn", "pa", "zh", "uk", "ru", "ro", "sq", "ti"}

type lexDataConcept struct {
	ID         string              `toml:"id"`
	Categories []string            `toml:"categories"`
	Review     []string            `toml:"review"`
	Terms      map[string][]string `toml:"terms"`
	Latin      map[string][]string `toml:"latin"`
}

type lexDataFile struct {
	Concept []lexDataConcept `toml:"concept"`
}

type lexDataQuery struct {
	Q          string   `toml:"q"`
	Categories []string `toml:"categories"`
	Note       string   `toml:"note"`
}

type lexDataQueries struct {
	Query []lexDataQuery `toml:"query"`
}

// lexDecodeStrict decodes a TOML file and fails on keys the schema lacks.
func lexDecodeStrict(t *testing.T, path string, v any) {
	t.Helper()
	md, err := toml.DecodeFile(path, v)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		t.Errorf("%s: keys outside the schema: %v", path, und)
	}
}

// scriptOK tells whether every letter of s is Latin or of the language's
// own script: Italian words ("questura", "CPIA") are welcome in any
// language, other scripts are a mistake. It also catches Arabic ي/ك in
// Persian and Urdu, Persian/Urdu ی/ک in Arabic, Russian letters in
// Ukrainian and Ukrainian letters in Russian.
func scriptOK(lang, s string) (bool, string) {
	var native *unicode.RangeTable
	switch lang {
	case "ar", "ur", "fa":
		native = unicode.Arabic
	case "bn":
		native = unicode.Bengali
	case "pa":
		native = unicode.Gurmukhi
	case "zh":
		native = unicode.Han
	case "uk", "ru":
		native = unicode.Cyrillic
	case "ti":
		native = unicode.Ethiopic
	}
	for _, r := range s {
		// Non-spacing marks (harakat, the superscript alef, nukta) take the
		// script of their letter; spacing vowel signs are checked as letters.
		if !unicode.IsLetter(r) && !unicode.Is(unicode.Mc, r) {
			continue
		}
		if unicode.Is(unicode.Latin, r) {
			continue
		}
		if native == nil || !unicode.Is(native, r) {
			return false, "letter " + string(r) + " is not of the language's script"
		}
		switch {
		case (lang == "ur" || lang == "fa") && (r == 'ي' || r == 'ك' || r == 'ى'):
			return false, "Arabic " + string(r) + " where " + lang + " writes ی/ک"
		case lang == "ar" && (r == 'ی' || r == 'ک' || r == 'ہ' || r == 'گ' || r == 'پ' || r == 'چ' || r == 'ژ'):
			return false, "non-Arabic letter " + string(r)
		case lang == "uk" && strings.ContainsRune("ыэъёЫЭЪЁ", r):
			return false, "Russian letter " + string(r) + " in Ukrainian"
		case lang == "ru" && strings.ContainsRune("іїєґІЇЄҐ", r):
			return false, "Ukrainian letter " + string(r) + " in Russian"
		}
	}
	return true, ""
}

// latinOK tells whether s is written in Latin letters (and digits, spaces,
// apostrophes): the chat alphabets also use digits for ع (3) and ح (7).
func latinOK(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r) {
			return false
		}
	}
	return true
}

func loadLexiconData(t *testing.T) ([]lexDataConcept, map[string][]string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("lexicon", "*.toml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no lexicon files: %v", err)
	}
	var all []lexDataConcept
	origin := map[string][]string{}
	for _, f := range files {
		var lf lexDataFile
		lexDecodeStrict(t, f, &lf)
		if len(lf.Concept) == 0 {
			t.Errorf("%s: no concepts", f)
		}
		for _, c := range lf.Concept {
			origin[c.ID] = append(origin[c.ID], filepath.Base(f))
		}
		all = append(all, lf.Concept...)
	}
	return all, origin
}

func TestLexiconDataConcepts(t *testing.T) {
	concepts, origin := loadLexiconData(t)
	if len(concepts) < 150 {
		t.Errorf("%d concepts, want at least 150", len(concepts))
	}
	idRE := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	seen := map[string]bool{}
	for _, c := range concepts {
		where := c.ID + " (" + strings.Join(origin[c.ID], ", ") + ")"
		if !idRE.MatchString(c.ID) {
			t.Errorf("%s: id is not [a-z0-9-]", where)
		}
		if seen[c.ID] {
			t.Errorf("%s: id used twice", where)
		}
		seen[c.ID] = true
		if len(c.Categories) == 0 {
			t.Errorf("%s: no categories", where)
		}
		for _, cat := range c.Categories {
			if _, ok := CategoryByID(cat); !ok {
				t.Errorf("%s: unknown category %q", where, cat)
			}
		}
		for _, l := range c.Review {
			if !slices.Contains(lexLangs, l) {
				t.Errorf("%s: review names unknown language %q", where, l)
			}
		}
		for _, l := range lexLangs {
			terms, ok := c.Terms[l]
			if !ok || len(terms) == 0 {
				t.Errorf("%s: no terms in %s", where, l)
			}
			dup := map[string]bool{}
			for _, term := range terms {
				if strings.TrimSpace(term) == "" || term != strings.TrimSpace(term) {
					t.Errorf("%s: %s term %q is empty or padded", where, l, term)
				}
				if ok, why := scriptOK(l, term); !ok {
					t.Errorf("%s: %s term %q: %s", where, l, term, why)
				}
				if dup[term] {
					t.Errorf("%s: %s term %q twice", where, l, term)
				}
				dup[term] = true
			}
		}
		for l := range c.Terms {
			if !slices.Contains(lexLangs, l) {
				t.Errorf("%s: terms in unknown language %q", where, l)
			}
		}
		for l, spellings := range c.Latin {
			if !slices.Contains(lexLangs, l) {
				t.Errorf("%s: latin spellings for unknown language %q", where, l)
			}
			for _, s := range spellings {
				if strings.TrimSpace(s) == "" || !latinOK(s) {
					t.Errorf("%s: latin %s spelling %q is empty or not in Latin letters", where, l, s)
				}
			}
		}
	}
}

func TestLexiconDataQueries(t *testing.T) {
	concepts, _ := loadLexiconData(t)
	// terms[lang] holds every folded term and Latin spelling of that language.
	terms := map[string]map[string]bool{}
	for _, l := range lexLangs {
		terms[l] = map[string]bool{}
	}
	for _, c := range concepts {
		for l, ts := range c.Terms {
			if terms[l] == nil {
				continue
			}
			for _, s := range ts {
				terms[l][lexNorm(s)] = true
			}
		}
		for l, ts := range c.Latin {
			if terms[l] == nil {
				continue
			}
			for _, s := range ts {
				terms[l][lexNorm(s)] = true
			}
		}
	}
	for _, l := range lexLangs {
		var main, held lexDataQueries
		lexDecodeStrict(t, filepath.Join("testdata", "queries", l+".toml"), &main)
		lexDecodeStrict(t, filepath.Join("testdata", "queries-heldout", l+".toml"), &held)
		if len(main.Query) < 40 {
			t.Errorf("queries/%s.toml: %d queries, want at least 40", l, len(main.Query))
		}
		if len(held.Query) < 15 {
			t.Errorf("queries-heldout/%s.toml: %d queries, want at least 15", l, len(held.Query))
		}
		inMain := map[string]bool{}
		check := func(set string, qs []lexDataQuery) {
			seen := map[string]bool{}
			for _, q := range qs {
				where := set + "/" + l + ".toml " + strconv.Quote(q.Q)
				n := lexNorm(q.Q)
				if n == "" {
					t.Errorf("%s: empty query", where)
				}
				if seen[n] {
					t.Errorf("%s: query twice", where)
				}
				seen[n] = true
				if strings.TrimSpace(q.Note) == "" {
					t.Errorf("%s: no English note", where)
				}
				if len(q.Categories) == 0 {
					t.Errorf("%s: no categories", where)
				}
				for _, cat := range q.Categories {
					if _, ok := CategoryByID(cat); !ok {
						t.Errorf("%s: unknown category %q", where, cat)
					}
				}
				if set == "queries" {
					inMain[n] = true
					continue
				}
				if terms[l][n] {
					t.Errorf("%s: held-out query is a lexicon term of %s", where, l)
				}
				if inMain[n] {
					t.Errorf("%s: held-out query is also in the main set", where)
				}
			}
		}
		check("queries", main.Query)
		check("queries-heldout", held.Query)
	}
	// No query file for a language outside the fifteen.
	for _, dir := range []string{"queries", "queries-heldout"} {
		entries, err := os.ReadDir(filepath.Join("testdata", dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !slices.Contains(lexLangs, strings.TrimSuffix(e.Name(), ".toml")) {
				t.Errorf("testdata/%s/%s: not one of the fifteen languages", dir, e.Name())
			}
		}
	}
}

// lexNorm is how two strings are compared here: folded as search folds
// them (case, accents, vowel marks), spaces collapsed.
func lexNorm(s string) string {
	return strings.Join(strings.Fields(fold(s)), " ")
}

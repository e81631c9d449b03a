package content

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// findConcepts runs a search and returns the concepts it understood and
// the services it found.
func findConcepts(t *testing.T, s *Store, q, lang string) (concepts, hits []string) {
	t.Helper()
	r, err := s.Find(context.Background(), SearchQuery{Text: q, Lang: lang, From: DemoTotem, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range r.Matched {
		concepts = append(concepts, m.Concept)
	}
	for _, h := range r.Hits {
		hits = append(hits, h.ServiceID)
	}
	return concepts, hits
}

// A term an editor adds makes search find its concept's services in its
// language, a copy of the catalog keeps it, and once removed it no longer
// does.
func TestLexiconTermJoinsConcept(t *testing.T) {
	t.Parallel()
	s := openDemo(t)
	ctx := context.Background()
	const word = "qorvelin"
	if c, _ := findConcepts(t, s, word, "ro"); slices.Contains(c, "doctor") {
		t.Fatalf("%s is a doctor before any term: %v", word, c)
	}
	term, err := NewTerm("doctor", "ro", " Qorvelin ", false, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if term.ID != "doctor:ro:Qorvelin" {
		t.Errorf("id %q", term.ID)
	}
	if err := s.Write(ctx, func(b *Batch) error { return b.PutTerm(term) }); err != nil {
		t.Fatal(err)
	}
	c, hits := findConcepts(t, s, word, "ro")
	if !slices.Contains(c, "doctor") || len(hits) == 0 {
		t.Fatalf("after the term: concepts %v, hits %v", c, hits)
	}
	for _, id := range hits {
		if !slices.Contains(s.serviceCategories(id), "health") {
			t.Errorf("%s is not in health", id)
		}
	}
	// The lookup the editor sees says the same.
	m, err := s.LexiconLookup(ctx, "qorvelin", "ro")
	if err != nil || len(m) == 0 || m[0].Concept != "doctor" {
		t.Errorf("lookup: %+v, %v", m, err)
	}
	// The listing marks it added.
	list, err := s.Lexicon(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(list, func(c LexiconConcept) bool { return c.ID == "doctor" })
	if i < 0 || !slices.Contains(list[i].Terms["ro"], LexiconEntry{Term: "Qorvelin", Added: true}) || list[i].Labels["it"] == "" {
		t.Errorf("listing: %+v", list[max(i, 0)])
	}
	// The feed's shape: a document that decodes and checks.
	doc, err := s.Doc(ctx, KindTerm, term.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := DecodeDoc(KindTerm, doc); err != nil || *v.(*Term) != *term {
		t.Errorf("doc %s: %+v, %v", doc, v, err)
	}

	// A snapshot copy keeps it.
	cp := filepath.Join(t.TempDir(), "copy.db")
	if err := s.CopyCatalog(ctx, cp, nil); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(ctx, cp)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if c, _ := findConcepts(t, s2, word, "ro"); !slices.Contains(c, "doctor") {
		t.Errorf("in the copy: %v", c)
	}

	if err := s.Write(ctx, func(b *Batch) error { return b.Apply(&Change{Kind: KindTerm, ID: term.ID, Op: OpDelete}) }); err != nil {
		t.Fatal(err)
	}
	if c, _ := findConcepts(t, s, word, "ro"); slices.Contains(c, "doctor") {
		t.Errorf("after removal still a doctor: %v", c)
	}
	if _, err := s.Term(ctx, term.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("removed term: %v", err)
	}
}

// A bad term names the field at fault.
func TestLexiconTermValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, concept, lang, term, field string
	}{
		{"unknown concept", "no-such-concept", "it", "parola", "concept"},
		{"bad language", "doctor", "xx-yy-zz", "parola", "lang"},
		{"empty", "doctor", "it", "   ", "term"},
		{"too long", "doctor", "it", strings.Repeat("a", MaxTermLen+1), "term"},
		{"no letter", "doctor", "it", "-- !", "term"},
		{"control", "doctor", "it", "a\x01b", "term"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewTerm(tc.concept, tc.lang, tc.term, false, time.Now())
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != tc.field {
				t.Errorf("got %v, want an error on %s", err, tc.field)
			}
		})
	}
	if _, err := NewTerm("doctor", "ar", "tabib jdid", true, time.Now()); err != nil {
		t.Error(err)
	}
}

// Extending the built lexicon with editors' terms: what a write that
// touches terms costs (search itself does not change).
func BenchmarkLexiconExtend(b *testing.B) {
	base, err := theLexicon()
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1, 100, 1000} {
		terms := make([]Term, n)
		for i := range terms {
			terms[i] = Term{Concept: "doctor", Lang: "ro", Term: fmt.Sprintf("cuvant%d nou", i)}
		}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				base.extend(terms)
			}
		})
	}
}

// Extending leaves the built lexicon as it was: other stores do not see
// one store's terms.
func TestLexiconExtendCopies(t *testing.T) {
	t.Parallel()
	base, err := theLexicon()
	if err != nil {
		t.Fatal(err)
	}
	nKeys, nWords, medico := len(base.keys), len(base.words), len(base.keys["medico"])
	ext := base.extend([]Term{{Concept: "doctor", Lang: "ro", Term: "zintarop"}, {Concept: "interpreter", Lang: "it", Term: "medico"}, {Concept: "doctor", Lang: "ar", Term: "zin tarop", Latin: true}})
	if len(base.keys) != nKeys || len(base.words) != nWords || len(base.keys["medico"]) != medico || len(base.keys["zintarop"]) != 0 {
		t.Error("extend changed the built lexicon")
	}
	if len(ext.keys["zintarop"]) != 2 || len(ext.keys["medico"]) != medico+1 {
		t.Errorf("extended: %v %v", ext.keys["zintarop"], ext.keys["medico"])
	}
	if _, ok := slices.BinarySearch(ext.singles, "zintarop"); !ok {
		t.Error("not in singles (type-ahead)")
	}
	if _, ok := slices.BinarySearch(ext.words, "tarop"); !ok || !slices.IsSorted(ext.words) {
		t.Error("not in words (typo tolerance)")
	}
}

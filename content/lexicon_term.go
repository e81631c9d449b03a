package content

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Editors extend the lexicon: a term in one language joins a concept of the
// built-in lexicon (lexicon/*.toml), and search finds the concept's
// categories by it. Terms are catalog records of the change feed (kind
// "term"), so they reach totems signed like any other change. Each Store
// matches queries against the built-in lexicon plus its catalog's terms,
// rebuilt when a write adds or removes one.

// KindTerm is the change feed's kind for a lexicon term added by an editor.
const KindTerm = "term"

// MaxTermLen bounds a term, in characters.
const MaxTermLen = 80

// Term is a word or phrase, as written, that names a concept of the
// lexicon in one language. Latin marks a Latin spelling of a language
// written in another script ("tabib" for Arabic), also found without tone
// digits or spaces.
type Term struct {
	ID        string    `json:"id"` // Concept:Lang:Term
	Concept   string    `json:"concept"`
	Lang      string    `json:"lang"`
	Term      string    `json:"term"`
	Latin     bool      `json:"latin"`
	UpdatedAt time.Time `json:"updated_at"`
}

// TermID is the ID of a term of concept in lang.
func TermID(concept, lang, term string) string { return concept + ":" + lang + ":" + term }

// NewTerm builds a term, trimmed, and checks it.
func NewTerm(concept, lang, term string, latin bool, at time.Time) (*Term, error) {
	term = strings.TrimSpace(term)
	t := &Term{ID: TermID(concept, lang, term), Concept: concept, Lang: lang, Term: term, Latin: latin, UpdatedAt: at.UTC().Truncate(time.Second)}
	return t, t.Validate()
}

// Validate checks a term before it is written: a concept of the built-in
// lexicon, a known language, 1 to MaxTermLen characters of text with a
// letter or digit search can match.
func (t *Term) Validate() error {
	lex, err := theLexicon()
	if err != nil {
		return err
	}
	switch {
	case !utf8.ValidString(t.Term):
		return invalid("term", "is not valid UTF-8 text")
	case strings.ContainsFunc(t.Term, unicode.IsControl) || strings.ContainsFunc(t.Term, isBidiControl):
		return invalid("term", "must not contain control characters")
	case t.Term != strings.TrimSpace(t.Term):
		return invalid("term", "must not begin or end with spaces")
	case t.Term == "" || utf8.RuneCountInString(t.Term) > MaxTermLen:
		return invalid("term", "must be 1 to %d characters", MaxTermLen)
	case len(tokens(t.Term)) == 0:
		return invalid("term", "needs at least one letter or digit")
	case !ValidLanguage(t.Lang):
		return invalid("lang", "%q is not a language code", t.Lang)
	case t.ID != TermID(t.Concept, t.Lang, t.Term):
		return invalid("id", "%q is not concept:lang:term", t.ID)
	}
	if _, ok := lex.ids[t.Concept]; !ok {
		return invalid("concept", "%q is not a concept of the lexicon", t.Concept)
	}
	return nil
}

// PutTerm writes a term, replacing the same one.
func (b *Batch) PutTerm(t *Term) error {
	if err := t.Validate(); err != nil {
		return err
	}
	_, err := b.exec(`INSERT INTO lexicon_term(concept, lang, term, latin, id, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET latin = excluded.latin, updated_at = excluded.updated_at`,
		t.Concept, t.Lang, t.Term, t.Latin, t.ID, t.UpdatedAt.UTC().Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("content: term %s: %w", t.ID, err)
	}
	b.terms = true
	return nil
}

// Term reads a term by its ID, or ErrNotFound.
func (s *Store) Term(ctx context.Context, id string) (*Term, error) {
	t := &Term{ID: id}
	var at string
	err := s.r.QueryRowContext(ctx, "SELECT concept, lang, term, latin, updated_at FROM lexicon_term WHERE id = ?", id).
		Scan(&t.Concept, &t.Lang, &t.Term, &t.Latin, &at)
	if err != nil {
		return nil, notFound(err, "term", id)
	}
	t.UpdatedAt, _ = time.Parse(time.RFC3339, at)
	return t, nil
}

// Terms lists the terms editors added, by concept, language and term.
func (s *Store) Terms(ctx context.Context) ([]Term, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT id, concept, lang, term, latin, updated_at FROM lexicon_term ORDER BY concept, lang, term")
	if err != nil {
		return nil, fmt.Errorf("content: terms: %w", err)
	}
	defer rows.Close()
	out := []Term{}
	for rows.Next() {
		var t Term
		var at string
		if err := rows.Scan(&t.ID, &t.Concept, &t.Lang, &t.Term, &t.Latin, &at); err != nil {
			return nil, err
		}
		t.UpdatedAt, _ = time.Parse(time.RFC3339, at)
		out = append(out, t)
	}
	return out, rows.Err()
}

// lexicon is the lexicon the store matches queries with: the built-in one
// plus the catalog's terms.
func (s *Store) lexicon() (*lexicon, error) {
	if l := s.lex.Load(); l != nil {
		return l, nil
	}
	return theLexicon()
}

// loadLexicon rebuilds the store's lexicon from the catalog's terms.
func (s *Store) loadLexicon(ctx context.Context) error {
	base, err := theLexicon()
	if err != nil {
		return err
	}
	terms, err := s.Terms(ctx)
	if err != nil {
		return err
	}
	s.lex.Store(base.extend(terms))
	return nil
}

// extend returns the lexicon with terms added; l is left as it is. The
// maps are copied once (their slices clipped, so that an append does not
// write into l's), then each term added as the built-in ones are.
func (l *lexicon) extend(terms []Term) *lexicon {
	if len(terms) == 0 {
		return l
	}
	n := *l
	n.keys = clipped(l.keys)
	n.stems = clipped(l.stems)
	n.known = maps.Clone(l.known)
	n.newKeys, n.newWords = []string{}, []string{}
	for _, t := range terms {
		c, ok := l.ids[t.Concept]
		if !ok {
			continue // a concept the built-in lexicon no longer has
		}
		n.addTerm(t.Term, lexHit{c, t.Lang}, t.Latin)
	}
	singles := slices.DeleteFunc(n.newKeys, func(k string) bool { return strings.Contains(k, " ") })
	n.singles = mergeSorted(l.singles, singles)
	n.words = mergeSorted(l.words, n.newWords)
	n.newKeys, n.newWords = nil, nil
	return &n
}

// clipped copies m with each slice clipped to its length.
func clipped[V any](m map[string][]V) map[string][]V {
	out := make(map[string][]V, len(m))
	for k, v := range m {
		out[k] = slices.Clip(v)
	}
	return out
}

// mergeSorted is sorted base with add merged in, once each.
func mergeSorted(base, add []string) []string {
	if len(add) == 0 {
		return base
	}
	out := slices.Concat(base, add)
	slices.Sort(out)
	return slices.Compact(out)
}

// LexiconEntry is one term of a concept.
type LexiconEntry struct {
	Term  string `json:"term"`
	Latin bool   `json:"latin,omitempty"` // a Latin spelling
	Added bool   `json:"added,omitempty"` // added by an editor (a record of the catalog)
}

// LexiconConcept is a concept of the lexicon with its terms, per language.
type LexiconConcept struct {
	ID         string                    `json:"id"`
	Labels     map[string]string         `json:"labels"` // it, en
	Categories []string                  `json:"categories"`
	Terms      map[string][]LexiconEntry `json:"terms"`
}

// Lexicon lists the lexicon's concepts, in the data's order, with their
// built-in terms and those the catalog adds.
func (s *Store) Lexicon(ctx context.Context) ([]LexiconConcept, error) {
	lex, err := theLexicon()
	if err != nil {
		return nil, err
	}
	added, err := s.Terms(ctx)
	if err != nil {
		return nil, err
	}
	out := []LexiconConcept{}
	for i := range lex.concepts {
		c := &lex.concepts[i]
		if c.id == "" {
			continue // a category standing for itself
		}
		lc := LexiconConcept{ID: c.id, Labels: map[string]string{"it": lex.label(c, "it"), "en": lex.label(c, "en")}, Categories: c.cats, Terms: map[string][]LexiconEntry{}}
		for lang, ts := range c.terms {
			for _, t := range ts {
				lc.Terms[lang] = append(lc.Terms[lang], LexiconEntry{Term: t})
			}
		}
		for lang, ts := range c.latin {
			for _, t := range ts {
				lc.Terms[lang] = append(lc.Terms[lang], LexiconEntry{Term: t, Latin: true})
			}
		}
		out = append(out, lc)
	}
	for _, t := range added {
		if i, ok := lex.ids[t.Concept]; ok {
			lc := &out[i] // concepts precede the categories standing for themselves
			lc.Terms[t.Lang] = append(lc.Terms[t.Lang], LexiconEntry{Term: t.Term, Latin: t.Latin, Added: true})
		}
	}
	return out, nil
}

// LexiconLookup says which needs term names in lang, as search understands
// it now (the catalog's terms included): the concepts and categories a
// query of it would match.
func (s *Store) LexiconLookup(ctx context.Context, term, lang string) ([]SearchMatch, error) {
	r, err := s.Find(ctx, SearchQuery{Text: term, Lang: lang, Limit: 1})
	if err != nil {
		return nil, err
	}
	return r.Matched, nil
}

package content

import (
	"context"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// MaxQueryLen bounds a search query, in characters.
const MaxQueryLen = 200

// SearchQuery is what a visitor typed, where, and in which language.
type SearchQuery struct {
	Text string
	// Lang is the visitor's language: the answer's labels are in it, and
	// when a word means different things in different languages its
	// meaning there wins. Empty: Italian.
	Lang  string
	From  orb.Point
	Limit int // 0: DefaultLimit
}

// SearchResult is the services found, best first, what the query was
// understood to ask for, and when nothing was found what else to try.
type SearchResult struct {
	Hits []Hit
	// Remote are the services found that have no place on the map
	// (reached by phone or online): no location, no distance.
	Remote      []Hit
	Matched     []SearchMatch
	Suggestions []string
}

// SearchMatch is a need the query named (a concept of the lexicon, or a
// category by its name) and a category that serves it, both labelled in
// the visitor's language.
type SearchMatch struct {
	Concept       string `json:"concept,omitempty"`
	Label         string `json:"label"`
	Category      string `json:"category"`
	CategoryLabel string `json:"category_label"`
}

// Search is Find in Italian with the hits alone.
func (s *Store) Search(ctx context.Context, q string, from orb.Point, limit int) ([]Hit, error) {
	r, err := s.Find(ctx, SearchQuery{Text: q, From: from, Limit: limit})
	if err != nil {
		return nil, err
	}
	return r.Hits, nil
}

// Find searches the catalog for what a visitor typed, in any of the
// languages and scripts Punto serves, whatever the case, accents, vowel
// marks, Arabic proclitics, spaces in Chinese or a typo or two. Services
// in the categories of the needs it names come first ("طبيب", "робота",
// "yisheng"), nearest first; then services whose text holds every word
// (as a prefix, so it works as you type), those whose name does first,
// each nearest first. Each service comes once, at its location nearest to
// From.
func (s *Store) Find(ctx context.Context, q SearchQuery) (*SearchResult, error) {
	toks, err := checkQuery(q.Text)
	if err != nil {
		return nil, err
	}
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	if q.Limit > MaxLimit {
		return nil, invalid("limit", "must be between 1 and %d", MaxLimit)
	}
	lang, _, _ := strings.Cut(q.Lang, "-")
	if lang == "" {
		lang = "it"
	}
	if err := s.waitIndex(ctx); err != nil {
		return nil, err
	}
	// After the index: a store opened in the background reads its
	// catalog's terms with it.
	lex, err := s.lexicon()
	if err != nil {
		return nil, err
	}
	if err := s.ensureWords(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	a := analyze(toks, lang, lex, s.idx.text)
	r := &SearchResult{Matched: a.matches(lex, lang), Suggestions: []string{}}
	if r.Hits, r.Remote, err = s.idx.rank(ctx, a, q.From, q.Limit); err != nil {
		return nil, err
	}
	if len(r.Hits) == 0 && len(r.Remote) == 0 {
		r.Suggestions = suggest(a, lex, s.idx.text)
	}
	return r, nil
}

// checkQuery refuses what cannot be a query, naming q, and returns its
// tokens.
func checkQuery(q string) ([]token, error) {
	switch {
	case !utf8.ValidString(q):
		return nil, invalid("q", "is not valid UTF-8 text")
	case utf8.RuneCountInString(q) > MaxQueryLen:
		return nil, invalid("q", "longer than %d characters", MaxQueryLen)
	case strings.ContainsFunc(q, unicode.IsControl):
		return nil, invalid("q", "must not contain control characters")
	case strings.ContainsFunc(q, isBidiControl):
		return nil, invalid("q", "must not contain text direction controls (U+202A-U+202E, U+2066-U+2069)")
	}
	toks := dedupeWords(tokens(q))
	if len(toks) == 0 {
		return nil, invalid("q", "needs at least one letter or digit")
	}
	for _, t := range toks {
		// A one-letter prefix matches most of a large catalog and says
		// little; a single Chinese or Japanese character is a word.
		if t.han || utf8.RuneCountInString(t.text) >= 2 {
			return toks, nil
		}
	}
	return nil, invalid("q", "type at least 2 letters")
}

// dedupeWords drops a word typed again: it asks nothing more, and costs
// a lookup. (Chinese characters stay: their order makes words.)
func dedupeWords(toks []token) []token {
	seen := map[string]bool{}
	return slices.DeleteFunc(toks, func(t token) bool {
		dup := !t.han && seen[t.text]
		seen[t.text] = true
		return dup
	})
}

// isBidiControl: embeddings, overrides and isolates can make a query
// display as something other than what it says.
func isBidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069
}

// suggest proposes, when nothing was found, the query with each word no
// service or concept knows replaced by the nearest known word (a typo more
// than matching allows), or left out.
func suggest(a *analysis, lex *lexicon, text *textIndex) []string {
	words := make([]string, len(a.toks))
	var lost []int
	for i, t := range a.toks {
		words[i] = t.text
		if !t.han && !knownForm(t.forms, lex, text) && !a.covered[i] {
			lost = append(lost, i)
		}
	}
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" && !contains(out, s) && len(out) < 3 {
			out = append(out, s)
		}
	}
	for rank := range 3 {
		alt := append([]string{}, words...)
		changed := false
		for _, i := range lost[:min(len(lost), maxCorrected)] {
			n := utf8.RuneCountInString(words[i])
			if n < 3 {
				continue
			}
			cands := nearest(words[i], min(2, 1+n/6), lex, text)
			if rank < len(cands) {
				alt[i], changed = display(cands[rank].word, lex), true
			}
		}
		if changed {
			add(strings.Join(alt, " "))
		}
	}
	if len(lost) > 0 && len(lost) < len(words) {
		kept := []string{}
		for i, w := range words {
			if !contains(kept, w) && !slicesContainsInt(lost, i) {
				kept = append(kept, w)
			}
		}
		add(strings.Join(kept, " "))
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// display is how a suggested word is shown: as the lexicon writes it.
func display(w string, lex *lexicon) string {
	if t, ok := lex.known[w]; ok {
		return t
	}
	return w
}

func slicesContainsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

package content

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// qtoken is one word of a query with the ways it may be found.
type qtoken struct {
	token
	forms []string // the word, then without proclitics, then its Indic skeleton
	known bool     // the lexicon has the word, in some term
	fixes []string // lexicon words of the same stem, or else known words a typo or two away, best first, when the word is unknown
}

// primary is the word a longer term is matched with: the word as typed,
// or, when the lexicon does not know it, its best correction.
func (t *qtoken) primary() string {
	if len(t.fixes) > 0 && !t.known {
		return t.fixes[0]
	}
	return t.text
}

// conceptSpan is a run of query tokens [from, to) naming concepts.
type conceptSpan struct {
	from, to int
	hits     []lexHit
}

// analysis is a query understood: its words, the concepts they name, and
// the categories those point at.
type analysis struct {
	toks    []qtoken
	spans   []conceptSpan
	covered []bool // token i belongs to a span
	mask    uint16 // the categories the concepts point at
}

// analyze reads a query's tokens against the lexicon and the catalog's
// words: typos corrected where a word is unknown, then the longest runs of
// words that name a concept, from the left.
func analyze(toks []token, lang string, lex *lexicon, text *textIndex) *analysis {
	a := &analysis{toks: make([]qtoken, len(toks)), covered: make([]bool, len(toks))}
	fixed := 0
	for i, t := range toks {
		q := qtoken{token: t, forms: []string{t.text}}
		_, q.known = lex.known[t.text]
		if !t.han {
			q.forms = append(q.forms, cliticForms(t.text)...)
			if sk := skeleton(t.text); sk != t.text {
				q.forms = append(q.forms, sk)
			}
			// An inflected form no term is made of alone is the lexicon's words of the
			// same stem ("работу": "работа"); the stem itself finds the
			// catalog's forms of the word as a prefix, when the word as
			// typed finds none.
			if len(lex.keys[t.text]) == 0 && len(q.forms) == 1 {
				q.fixes = lex.sameStem(t.text, lang)
				if st := bareStem(stemOf(t.text, lang)); utf8.RuneCountInString(st) > minStem && st != t.text {
					q.forms = append(q.forms, st)
				}
			}
			// Corrections cost a walk of the vocabularies each: a long
			// query of unknown words gets them for its first few.
			if fixed < maxCorrected && len(q.fixes) == 0 && !knownForm(q.forms, lex, text) {
				q.fixes = corrections(t.text, lex, text)
				fixed++
			}
		}
		a.toks[i] = q
	}
	a.spans = lex.spans(a.toks, lang)
	for _, sp := range a.spans {
		for i := sp.from; i < sp.to; i++ {
			a.covered[i] = true
		}
		for _, h := range sp.hits {
			a.mask |= lex.concepts[h.concept].mask
		}
	}
	return a
}

// maxCorrected is how many unknown words of a query are corrected.
const maxCorrected = 6

// knownForm says whether the lexicon or the catalog knows one of forms.
func knownForm(forms []string, lex *lexicon, text *textIndex) bool {
	for _, f := range forms {
		if _, ok := lex.known[f]; ok {
			return true
		}
		if _, ok := text.word(f); ok {
			return true
		}
	}
	return false
}

// correction is a known word near an unknown one.
type correction struct {
	word    string
	dist    int
	lexicon bool
	uses    int
}

// corrections are the known words closest to w within its typo allowance
// (none for words under 4 letters or with digits), the lexicon's first,
// then the catalog's most used; at most 5.
func corrections(w string, lex *lexicon, text *textIndex) []string {
	k := maxEdits(utf8.RuneCountInString(w))
	if k == 0 || strings.ContainsFunc(w, unicode.IsDigit) {
		return nil
	}
	var out []string
	for _, c := range nearest(w, k, lex, text) {
		out = append(out, c.word)
	}
	return out
}

// nearest lists the known words within k edits of w, best first: nearest,
// then the lexicon's, then the most used.
func nearest(w string, k int, lex *lexicon, text *textIndex) []correction {
	var cands []correction
	nearWords(w, k, len(lex.words), func(i int) string { return lex.words[i] }, func(i, d int) {
		cands = append(cands, correction{word: lex.words[i], dist: d, lexicon: true})
	})
	nearWords(w, k, len(text.sorted), func(i int) string { return text.wordOf(text.sorted[i]) }, func(i, d int) {
		id := text.sorted[i]
		if n := len(text.posts.get(id)); n > 0 {
			cands = append(cands, correction{word: text.wordOf(id), dist: d, uses: n})
		}
	})
	slices.SortFunc(cands, func(a, b correction) int {
		switch {
		case a.dist != b.dist:
			return a.dist - b.dist
		case a.lexicon != b.lexicon:
			if a.lexicon {
				return -1
			}
			return 1
		case a.uses != b.uses:
			return b.uses - a.uses
		}
		return strings.Compare(a.word, b.word)
	})
	cands = slices.CompactFunc(cands, func(a, b correction) bool { return a.word == b.word })
	if len(cands) > 0 {
		best := cands[0].dist
		cands = slices.DeleteFunc(cands, func(c correction) bool { return c.dist > best })
	}
	return cands[:min(len(cands), 5)]
}

// spans finds, from the left, the longest runs of tokens that name
// concepts; a last word still being typed (3 letters or more) names the
// concepts it begins, if they are few.
func (l *lexicon) spans(toks []qtoken, lang string) []conceptSpan {
	var out []conceptSpan
	for i := 0; i < len(toks); {
		if sp, ok := l.spanAt(toks, i, lang); ok {
			out = append(out, sp)
			i = sp.to
			continue
		}
		i++
	}
	last := len(toks) - 1
	if last >= 0 && (len(out) == 0 || out[len(out)-1].to <= last) {
		if hits := l.typeAhead(&toks[last], lang); len(hits) > 0 {
			out = append(out, conceptSpan{from: last, to: last + 1, hits: hits})
		}
	}
	return out
}

// spanAt is the longest run of tokens from i that names a concept.
func (l *lexicon) spanAt(toks []qtoken, i int, lang string) (conceptSpan, bool) {
	for n := min(l.maxSpan, len(toks)-i); n >= 1; n-- {
		for _, key := range spanKeys(toks[i : i+n]) {
			if hits := l.lookup(key, lang); len(hits) > 0 {
				return conceptSpan{from: i, to: i + n, hits: hits}, true
			}
		}
	}
	return conceptSpan{}, false
}

// spanKeys are the lexicon keys a run of tokens may match: its first word
// as typed, without proclitics or corrected, the others as typed or
// corrected; a Latin run also without spaces and tone numbers.
func spanKeys(ts []qtoken) []string {
	rest := make([]string, len(ts))
	for i := range ts {
		rest[i] = ts[i].primary()
	}
	var keys []string
	for _, f := range append(append([]string{}, ts[0].forms...), ts[0].fixes...) {
		rest[0] = f
		keys = append(keys, strings.Join(rest, " "))
	}
	typed, corrected := make([]string, len(ts)), false
	for i := range ts {
		typed[i] = ts[i].text
		corrected = corrected || i > 0 && ts[i].primary() != ts[i].text
	}
	if corrected {
		keys = append(keys, strings.Join(typed, " "))
	}
	// A Latin spelling, as typed: pinyin syllables are short and often
	// one letter from some other word.
	if joined := strings.Join(typed, ""); isASCII(joined) {
		keys = append(keys, compactLatin(joined))
	}
	return keys
}

// typeAhead is what a last word still being typed may name: the concepts
// of the lexicon's one-word terms it begins, when they are 3 at most.
func (l *lexicon) typeAhead(t *qtoken, lang string) []lexHit {
	if t.han || utf8.RuneCountInString(t.text) < 3 || strings.ContainsFunc(t.text, unicode.IsDigit) {
		return nil
	}
	i, _ := slices.BinarySearch(l.singles, t.text)
	var hits []lexHit
	concepts := map[int32]bool{}
	for ; i < len(l.singles) && strings.HasPrefix(l.singles[i], t.text); i++ {
		for _, h := range l.lookup(l.singles[i], lang) {
			if !concepts[h.concept] {
				concepts[h.concept] = true
				hits = append(hits, h)
			}
		}
		if len(concepts) > 3 {
			return nil
		}
	}
	return hits
}

// residual are the tokens no concept covers.
func (a *analysis) residual() []qtoken {
	var out []qtoken
	for i, t := range a.toks {
		if !a.covered[i] {
			out = append(out, t)
		}
	}
	return out
}

// matches lists the concepts the query named, each with its categories,
// labelled in lang; a category named by its own name is listed only when
// no concept already brought it.
func (a *analysis) matches(lex *lexicon, lang string) []SearchMatch {
	out := []SearchMatch{}
	seen := map[int32]bool{}
	var named []*lexConcept
	for _, sp := range a.spans {
		for _, h := range sp.hits {
			if !seen[h.concept] {
				seen[h.concept] = true
				named = append(named, &lex.concepts[h.concept])
			}
		}
	}
	// Concepts first, so that a category they bring is not listed again.
	slices.SortStableFunc(named, func(x, y *lexConcept) int { return boolInt(x.id == "") - boolInt(y.id == "") })
	cats := map[string]bool{}
	for _, c := range named {
		for _, cat := range c.cats {
			if c.id == "" && cats[cat] {
				continue
			}
			cats[cat] = true
			out = append(out, SearchMatch{Concept: c.id, Label: capitalize(lex.label(c, lang)), Category: cat, CategoryLabel: lex.categoryName(cat, lang)})
		}
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// capitalize writes a label's first letter as at the start of a sentence.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToTitle(r)) + s[n:]
}

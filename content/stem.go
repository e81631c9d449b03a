package content

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Light morphology. Russian and Ukrainian inflect nouns for case
// ("работа", "работу", "работы"; "лікар", "лікаря"), and Romanian and
// Albanian write the definite article as an ending ("medic", "medicul";
// "mjek", "mjeku"): the lexicon cannot list every form, and typo
// tolerance is the wrong tool for them (an ending costs one or two edits,
// as much as a real typo, and short words get no allowance at all). So a
// word the lexicon does not know is matched to the lexicon's words that
// share its stem: the word without its case or article ending. The
// stemmer is deliberately crude, a list of endings and the longest one
// that leaves 3 letters goes, and only ever compares a query word with
// the lexicon's or the catalog's words, never decides a meaning alone.

// stemEndings are, by stemmer, the endings stripped, in folded spelling
// (fold has made й и, ё е and ї і); longest first.
var stemEndings = sync.OnceValue(func() map[string][]string {
	raw := map[string][]string{
		// Russian and Ukrainian together: both are written in Cyrillic,
		// and visitors mix them.
		"cyr": {
			"ами", "ями", "ого", "его", "ому", "ему", "ыми", "ими", "ові", "еві",
			"ых", "их", "ую", "юю", "ая", "яя", "ое", "ее", "ые", "ие", "ый", "ий", "ой", "ей",
			"ом", "ем", "ам", "ям", "ах", "ях", "ов", "ев", "ию", "ия", "ии", "ью",
			"ою", "ею", "ів", "їв", "ій", "ім", "ої", "ої", "ти", "ть",
			"а", "я", "о", "е", "у", "ю", "ы", "и", "і", "ї", "ь", "й",
		},
		// Romanian: the enclitic article and plural endings.
		"ro": {"ului", "ilor", "elor", "lui", "ile", "ele", "ul", "le", "ii", "ei", "ea", "a", "e", "i", "u"},
		// Albanian: the definite endings of nouns.
		"sq": {"it", "in", "ve", "at", "et", "ës", "ën", "ja", "je", "ut", "un", "ë", "a", "e", "i", "u"},
	}
	out := map[string][]string{}
	for k, ends := range raw {
		var folded []string
		for _, e := range ends {
			if f := fold(e); !slices.Contains(folded, f) {
				folded = append(folded, f)
			}
		}
		slices.SortStableFunc(folded, func(a, b string) int { return utf8.RuneCountInString(b) - utf8.RuneCountInString(a) })
		out[k] = folded
	}
	return out
})

// minStem is the fewest letters a stem keeps.
const minStem = 3

// stemOf is the key a folded word's shortest stem is filed under:
// Cyrillic words whatever the language, Latin words in Romanian and
// Albanian; "" when the word has no stemmer.
func stemOf(w, lang string) string {
	if ks := stemKeys(w, lang); len(ks) > 0 {
		return ks[len(ks)-1]
	}
	return ""
}

// stemKeys are the keys of every stem a word may have: itself, and itself
// without each ending it may carry that leaves 3 letters, longest first.
// Both sides of a match are filed under all of theirs, since a crude
// stemmer cannot tell the "-ом" of "врачом" from that of "диплом": they
// meet on whichever they share ("диплом" and "диплома" on "диплом").
func stemKeys(w, lang string) []string {
	var kind string
	switch {
	case strings.ContainsFunc(w, isCyrillic):
		kind = "cyr"
	case (lang == "ro" || lang == "sq") && isLatinWord(w):
		kind = lang
	default:
		return nil
	}
	n := utf8.RuneCountInString(w)
	if n < minStem {
		return nil
	}
	out := []string{kind + ":" + w}
	for i := len(stemEndings()[kind]) - 1; i >= 0; i-- {
		e := stemEndings()[kind][i]
		if strings.HasSuffix(w, e) && n-utf8.RuneCountInString(e) >= minStem {
			if k := kind + ":" + strings.TrimSuffix(w, e); !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

// bareStem is a stem key without its stemmer's name.
func bareStem(key string) string {
	_, s, _ := strings.Cut(key, ":")
	return s
}

func isLatinWord(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) || r >= 0x0250 {
			return false
		}
	}
	return true
}

// addStem files a lexicon word under its stem.
func (l *lexicon) addStem(w, lang string) {
	for _, k := range stemKeys(w, lang) {
		if !slices.Contains(l.stems[k], w) {
			l.stems[k] = append(l.stems[k], w)
		}
	}
}

// sameStem are the lexicon's words sharing w's stem, those that are a
// term alone first, then shortest first.
func (l *lexicon) sameStem(w, lang string) []string {
	var out []string
	for _, k := range stemKeys(w, lang) {
		for _, s := range l.stems[k] {
			if s != w && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		if x, y := len(l.keys[a]) > 0, len(l.keys[b]) > 0; x != y {
			return boolInt(y) - boolInt(x)
		}
		if d := len(a) - len(b); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return out
}

package content

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// fold makes text comparable for search whatever the script's spelling
// habits, at index time and query time alike, so both sides agree:
//
//   - NFKC (compatibility forms, Arabic presentation forms, full-width
//     Latin) and lower case;
//   - accents and vowel marks dropped: "Città" = "citta", "مُسَاعَدَة" =
//     "مساعده", "ё" = "е", "ș" = "s";
//   - Arabic script: hamza carriers and alef variants (أ إ آ ٱ) are alef,
//     ta marbuta is heh, alef maqsura and Persian/Urdu yeh are yeh, keheh is
//     kaf, the heh shapes (ە ۀ ہ ھ) are heh; tatweel, ZWNJ and ZWJ go;
//     Arabic-Indic and other native digits are ASCII digits;
//   - Indic scripts keep their vowel signs and viramas (they spell the
//     word) but drop the nukta, which people often leave out.
//
// Ge'ez and Chinese are left as typed (Chinese is split into characters
// by tokens, not here).
func fold(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	if out, ok := foldSimple(s); ok {
		return out
	}
	return foldFull(s)
}

// foldFull is fold's whole chain: NFKD, the marks and invisible runes
// removed, NFC, then foldRune.
func foldFull(s string) string {
	t := folders.Get().(transform.Transformer)
	out, _, err := transform.String(t, s) // which resets t first
	folders.Put(t)
	if err != nil {
		return strings.ToLower(s)
	}
	return out
}

// folders keeps fold's transformer chains: each holds buffers of a few
// kilobytes, which a chain made per call would allocate again.
var folders = sync.Pool{New: func() any {
	return transform.Chain(norm.NFKD, runes.Remove(runes.Predicate(dropInFold)), norm.NFC, runes.Map(foldRune))
}}

// foldSimple folds s rune by rune, from what the chain makes of each
// rune on its own, when that is what the chain makes of them together:
// when no rune's decomposition could be joined by NFC to the rune before
// it or reordered with it. That is most text in any script: Latin with
// accents, Arabic with or without vowel marks, Cyrillic, Ge'ez, Chinese.
// It reports false when s needs the whole chain.
func foldSimple(s string) (string, bool) {
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		if r >= 0x10000 {
			return "", false
		}
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return "", false // not UTF-8: the chain's way
			}
		}
		v := foldRunes[r].Load()
		if v == 0 {
			v = learnRune(r)
		}
		switch v & 7 {
		case foldKeep:
			b.WriteRune(foldRune(r))
		case foldOne:
			b.WriteRune(rune(v >> 3))
		case foldMany:
			m, _ := foldMapped.Load(r)
			b.WriteString(m.(string))
		default:
			return "", false
		}
	}
	return b.String(), true
}

// foldRunes is what foldSimple knows of each rune of the Basic
// Multilingual Plane, learnt the first time it meets it: 0 (not yet
// met), or one of the fold* kinds in the low bits, with the folded rune
// above them for foldOne.
var foldRunes [0x10000]atomic.Uint32

// foldMapped holds the folds of the foldMany runes.
var foldMapped sync.Map

const (
	foldKeep  = 1 + iota // foldRune's
	foldOne              // another rune, in the bits above
	foldMany             // several runes, or none: in foldMapped
	foldChain            // the whole chain, with the runes around it
)

// learnRune works out, from the chain itself, how foldSimple folds r. A
// rune may be folded alone when its decomposition, once fold's removals
// are made, is empty or starts with a rune that NFC joins to nothing
// before it (not a combining mark, a Hangul vowel or the second half of
// a two-part Indic vowel sign).
func learnRune(r rune) uint32 {
	v := uint32(foldChain)
	str := string(r)
	kept := strings.Map(func(r rune) rune {
		if dropInFold(r) {
			return -1
		}
		return r
	}, norm.NFKD.String(str))
	first, _ := utf8.DecodeRuneInString(kept)
	p := norm.NFC.PropertiesString(string(first))
	alone := kept == "" || p.CCC() == 0 && p.BoundaryBefore() && !unicode.Is(unicode.Hangul, first)
	if alone && !unicode.Is(unicode.Hangul, r) {
		out := foldFull(str)
		switch o, n := utf8.DecodeRuneInString(out); {
		case out == string(foldRune(r)):
			v = foldKeep
		case n == len(out) && o != utf8.RuneError:
			v = uint32(o)<<3 | foldOne
		default:
			foldMapped.Store(r, out)
			v = foldMany
		}
	}
	foldRunes[r].Store(v)
	return v
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// dropInFold says which runes fold removes: combining marks (except the
// Indic ones that spell a word), tatweel, joiners and invisible
// formatting.
func dropInFold(r rune) bool {
	switch r {
	case 0x0640, 0x200B, 0x200C, 0x200D, 0x00AD, 0x200E, 0x200F, 0xFEFF:
		return true // tatweel, zero-width space and joiners, soft hyphen, marks of direction
	case 0x093C, 0x09BC, 0x0A3C, 0x0ABC, 0x0B3C, 0x0CBC:
		return true // nukta
	}
	if r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 {
		return true // bidi embeddings and isolates
	}
	return unicode.Is(unicode.Mn, r) && !isIndic(r)
}

// isIndic covers the Brahmic blocks from Devanagari to Sinhala.
func isIndic(r rune) bool { return r >= 0x0900 && r <= 0x0DFF }

// digitZeros are the zeros of the native digit runs fold maps to ASCII.
var digitZeros = []rune{0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0E50}

// foldRune lower-cases one rune and unifies the Arabic-script letters
// whose choice depends on the keyboard or the country.
func foldRune(r rune) rune {
	r = unicode.ToLower(r)
	switch r {
	case 0x0671, 0x0672, 0x0673: // alef wasla and wavy hamza forms
		return 0x0627
	case 0x0629, 0x06C3, 0x06D5, 0x06C1, 0x06BE, 0x06C0: // ta marbuta, ae, heh goal, doachashmee
		return 0x0647
	case 0x0649, 0x06CC, 0x06D2, 0x06D0: // alef maqsura, Farsi yeh, yeh barree
		return 0x064A
	case 0x06A9, 0x06AA: // keheh, swash kaf
		return 0x0643
	}
	if r >= 0x0660 && unicode.IsDigit(r) {
		for _, z := range digitZeros {
			if r >= z && r <= z+9 {
				return '0' + (r - z)
			}
		}
	}
	return r
}

// A token is one searchable unit of folded text: a word, or one Chinese
// (or Japanese kana) character, since those scripts write no spaces.
type token struct {
	text string
	han  bool
}

// tokens folds text and splits it into words: letters, digits and the
// marks that spell them; anything else separates, so no query can carry
// syntax. An apostrophe inside a Cyrillic word (Ukrainian "здоров'я") is
// dropped rather than splitting it; elsewhere it splits ("l'impiego").
func tokens(s string) []token {
	return appendTokens(nil, fold(s))
}

// appendTokens splits already folded text.
func appendTokens(out []token, f string) []token {
	start := -1
	var prev rune
	flush := func(end int) {
		if start >= 0 {
			out = appendWord(out, f[start:end])
			start = -1
		}
	}
	for i, r := range f {
		switch {
		case isWordRune(r):
			if start < 0 {
				start = i
			}
		case isApostrophe(r) && start >= 0 && isCyrillic(prev) && isCyrillic(nextRune(f, i)):
			// kept inside the word; removed by appendWord
		default:
			flush(i)
		}
		prev = r
	}
	flush(len(f))
	return out
}

func nextRune(s string, i int) rune {
	_, n := utf8.DecodeRuneInString(s[i:])
	r, _ := utf8.DecodeRuneInString(s[i+n:])
	return r
}

// appendWord adds one word, its apostrophes removed, each Han or kana
// character a token of its own.
func appendWord(out []token, w string) []token {
	if strings.ContainsFunc(w, isApostrophe) {
		w = strings.Map(func(r rune) rune {
			if isApostrophe(r) {
				return -1
			}
			return r
		}, w)
	}
	if !strings.ContainsFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) {
		return out // marks alone spell nothing
	}
	if !strings.ContainsFunc(w, isHan) {
		return append(out, token{text: w})
	}
	start := -1
	for i, r := range w {
		if isHan(r) {
			if start >= 0 {
				out = append(out, token{text: w[start:i]})
				start = -1
			}
			out = append(out, token{text: string(r), han: true})
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, token{text: w[start:]})
	}
	return out
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mc, r) || unicode.Is(unicode.Mn, r)
}

func isApostrophe(r rune) bool { return r == '\'' || r == 0x2019 || r == 0x02BC }

func isCyrillic(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }

// isHan covers the scripts written without spaces between words.
func isHan(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}

// isArabicScript covers Arabic, Persian and Urdu letters.
func isArabicScript(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return r >= 0x0600 && r <= 0x06FF
}

// Arabic proclitics: a conjunction (و، ف), then a preposition (ب، ك، ل),
// then the article (ال; after ل it is written لل). They are glued to the
// word, so "بالطبيب" is "with the doctor".
var (
	arConj = []string{"و", "ف"}
	arPrep = []string{"ب", "ك", "ل"}
)

// cliticForms are the shorter forms of an Arabic-script word with its
// proclitics stripped, longest strip last; the word itself is not among
// them. A stem must keep 2 letters after an article, 3 after a single
// letter, so that "بيت" stays whole.
func cliticForms(w string) []string {
	if !isArabicScript(w) {
		return nil
	}
	var out []string
	add := func(stem string, article bool) {
		n := utf8.RuneCountInString(stem)
		if stem != w && (n >= 3 || article && n >= 2) && !contains(out, stem) {
			out = append(out, stem)
		}
	}
	for _, c := range append([]string{""}, arConj...) {
		rest, ok := strings.CutPrefix(w, c)
		if !ok {
			continue
		}
		add(rest, false)
		if s, ok := strings.CutPrefix(rest, "ال"); ok {
			add(s, true)
		}
		if s, ok := strings.CutPrefix(rest, "لل"); ok {
			add(s, true)
		}
		for _, p := range arPrep {
			if s, ok := strings.CutPrefix(rest, p); ok {
				add(s, false)
				if a, ok := strings.CutPrefix(s, "ال"); ok {
					add(a, true)
				}
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// skeleton is an Indic word without its vowel signs and viramas: how
// catalogs written before fold kept them spelled it, so a word typed in
// full still finds text indexed then.
func skeleton(w string) string {
	if !strings.ContainsFunc(w, isIndic) {
		return w
	}
	return strings.Map(func(r rune) rune {
		if isIndic(r) && (unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)) {
			return -1
		}
		return r
	}, w)
}

// compactLatin is a Latin spelling with its spaces and tone numbers gone:
// pinyin is typed "yi sheng", "yisheng" or "yi1sheng1" (tone marks are
// already folded away). Digits stay in other words: Arabizi writes ع as 3.
func compactLatin(w string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return -1
		}
		return r
	}, w)
}

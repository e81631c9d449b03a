package content

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// fold makes text comparable for search whatever the case, accents or
// vowel marks: it decomposes, drops every combining mark (Latin accents,
// Arabic harakat, Devanagari/Bengali signs are kept where they are letters),
// lower-cases and recomposes. "Città", "CITTA" and "citta" fold alike, and
// so do "مُسَاعَدَة" and "مساعدة".
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// searchTerms splits a query into folded words. Anything that is not a
// letter or digit separates words, so no query can inject FTS5 syntax.
func searchTerms(q string) []string {
	return strings.FieldsFunc(fold(q), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.Is(unicode.Mc, r)
	})
}

// ftsQuery turns words into an FTS5 query where every word must match as a
// prefix: type-ahead finds "mediazione" from "medi".
func ftsQuery(terms []string) string {
	var b strings.Builder
	for i, t := range terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(t, `"`, `""`))
		b.WriteString(`"*`)
	}
	return b.String()
}

package content

import (
	"slices"
	"strings"
)

// FallbackLangs are tried, in order, after the languages the visitor
// reads.
var FallbackLangs = []string{"en", "it"}

// Localized is a text in the locale it was served in, which may differ from
// the asked one when the fallback chain was used.
type Localized struct {
	Text string `json:"text"`
	Lang string `json:"lang"`
}

// Pick chooses the text for prefs, the languages the visitor reads in
// order: one tag ("ti", "pt-BR") or a comma-separated priority list, the
// visitor's own language and then a second one they chose ("ti,en", as
// Prefs writes it). Each is tried as an exact tag and then as its base
// language ("pt-BR" → "pt"); then English, then Italian, then any locale
// present (lowest tag first, so the choice is stable). An empty Text
// gives the zero Localized.
func (t Text) Pick(prefs string) Localized {
	for _, l := range fallbackChain(prefs) {
		if v := t[l]; v != "" {
			return Localized{Text: v, Lang: l}
		}
	}
	keys := make([]string, 0, len(t))
	for k, v := range t {
		if v != "" {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return Localized{}
	}
	slices.Sort(keys)
	return Localized{Text: t[keys[0]], Lang: keys[0]}
}

// Prefs writes the priority list Pick reads: the visitor's language, then
// the second language they read, if any and not the same.
func Prefs(lang, second string) string {
	if second == "" || BaseLang(second) == BaseLang(lang) {
		return lang
	}
	return lang + "," + second
}

// PrimaryLang is the visitor's own language of a priority list.
func PrimaryLang(prefs string) string {
	first, _, _ := strings.Cut(prefs, ",")
	return first
}

// BaseLang is the base language of a tag or of a priority list's first
// tag: "pt-BR" → "pt", "ti,en" → "ti".
func BaseLang(prefs string) string {
	base, _, _ := strings.Cut(PrimaryLang(prefs), "-")
	return base
}

func fallbackChain(prefs string) []string {
	chain := make([]string, 0, 6)
	add := func(l string) {
		if l != "" && !slices.Contains(chain, l) {
			chain = append(chain, l)
		}
	}
	for _, lang := range strings.Split(prefs, ",") {
		lang = strings.TrimSpace(lang)
		add(lang)
		if base, _, ok := strings.Cut(lang, "-"); ok {
			add(base)
		}
	}
	for _, l := range FallbackLangs {
		add(l)
	}
	return chain
}

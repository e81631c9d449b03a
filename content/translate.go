package content

import (
	"slices"
	"strings"
)

// FallbackLangs are tried, in order, after the asked locale.
var FallbackLangs = []string{"en", "it"}

// Localized is a text in the locale it was served in, which may differ from
// the asked one when the fallback chain was used.
type Localized struct {
	Text string `json:"text"`
	Lang string `json:"lang"`
}

// Pick chooses the text for lang: the exact tag, its base language
// ("pt-BR" → "pt"), then English, then Italian, then any locale present
// (lowest tag first, so the choice is stable). An empty Text gives the zero
// Localized.
func (t Text) Pick(lang string) Localized {
	for _, l := range fallbackChain(lang) {
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

func fallbackChain(lang string) []string {
	chain := make([]string, 0, 4)
	if lang != "" {
		chain = append(chain, lang)
		if base, _, ok := strings.Cut(lang, "-"); ok {
			chain = append(chain, base)
		}
	}
	for _, l := range FallbackLangs {
		if !slices.Contains(chain, l) {
			chain = append(chain, l)
		}
	}
	return chain
}

package kiosk

import (
	"fmt"
	"io/fs"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/locales"
	"golang.org/x/text/language"
)

// Messages are the UI strings of every language in locales/.
type Messages struct {
	bundle *i18n.Bundle
}

// LoadMessages reads every go-i18n file in locales/; a broken file fails
// start-up rather than a request.
func LoadMessages() (*Messages, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	entries, err := fs.ReadDir(locales.FS, ".")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if _, err := b.LoadMessageFileFS(locales.FS, e.Name()); err != nil {
			return nil, fmt.Errorf("kiosk: locale %s: %w", e.Name(), err)
		}
	}
	return &Messages{bundle: b}, nil
}

// Localize renders message id in lang, falling back to English then
// Italian, and says which locale it used.
func (m *Messages) Localize(lang, id string, count ...int) content.Localized {
	l := i18n.NewLocalizer(m.bundle, lang, "en", "it")
	cfg := &i18n.LocalizeConfig{MessageID: id}
	if len(count) > 0 {
		cfg.PluralCount = count[0]
		cfg.TemplateData = map[string]int{"Count": count[0]}
	}
	s, tag, err := l.LocalizeWithTag(cfg)
	if err != nil || s == "" {
		return content.Localized{Text: id, Lang: "und"}
	}
	return content.Localized{Text: s, Lang: tag.String()}
}

package kiosk

import (
	"fmt"
	"io/fs"
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/locales"
	"golang.org/x/text/language"
)

// Messages are the UI strings of every language in locales/.
type Messages struct {
	bundle *i18n.Bundle
	raw    map[string]map[string]*i18n.Message // tag → id → message
	tags   []string
	// plain remembers Localize's answers without a count, by the
	// language asked for (if it has a locale; else "") and id: a result
	// list labels each row, and a go-i18n localizer parses its tags
	// anew each time (an eighth of a nearby answer's CPU).
	plain sync.Map
}

// plainKey is a key of Messages.plain.
type plainKey struct{ tag, id string }

// LoadMessages reads every go-i18n file in locales/; a broken file fails
// start-up rather than a request.
func LoadMessages() (*Messages, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	entries, err := fs.ReadDir(locales.FS, ".")
	if err != nil {
		return nil, err
	}
	m := &Messages{bundle: b, raw: map[string]map[string]*i18n.Message{}}
	for _, e := range entries {
		mf, err := b.LoadMessageFileFS(locales.FS, e.Name())
		if err != nil {
			return nil, fmt.Errorf("kiosk: locale %s: %w", e.Name(), err)
		}
		tag := mf.Tag.String()
		m.tags = append(m.tags, tag)
		m.raw[tag] = map[string]*i18n.Message{}
		for _, msg := range mf.Messages {
			m.raw[tag][msg.ID] = msg
		}
	}
	return m, nil
}

// Localize renders message id in lang, falling back to English then
// Italian message by message, and says which locale it used.
func (m *Messages) Localize(lang, id string, count ...int) content.Localized {
	if len(count) > 0 {
		return m.localize(baseTag(lang), id, count...)
	}
	key := plainKey{baseTag(lang), id}
	if _, ok := m.raw[key.tag]; !ok {
		key.tag = "" // any language without a locale answers the same: bounded
	}
	if v, ok := m.plain.Load(key); ok {
		return v.(content.Localized)
	}
	out := m.localize(key.tag, id)
	m.plain.Store(key, out)
	return out
}

// localize is Localize, first in the locale first (if there is one).
func (m *Messages) localize(first, id string, count ...int) content.Localized {
	cfg := &i18n.LocalizeConfig{MessageID: id}
	if len(count) > 0 {
		cfg.PluralCount = count[0]
		cfg.TemplateData = map[string]int{"Count": count[0]}
	}
	for _, tag := range []string{first, "en", "it"} {
		if _, ok := m.raw[tag][id]; !ok {
			continue
		}
		if s, err := i18n.NewLocalizer(m.bundle, tag).Localize(cfg); err == nil && s != "" {
			return content.Localized{Text: s, Lang: tag}
		}
	}
	return content.Localized{Text: id, Lang: "und"}
}

// Catalog returns every UI message for lang as the browser needs it: its
// ICU text ("Closes at {time}", "{count, plural, one {…} other {…}}"),
// which the toolkit renders (assets/web/lib/toolkit.js); a go-i18n plural
// table, which locales/ no longer holds, as its CLDR forms. A message
// missing in lang comes from English.
func (m *Messages) Catalog(lang string) map[string]any {
	out := map[string]any{}
	for _, tag := range []string{"en", baseTag(lang)} {
		for id, msg := range m.raw[tag] {
			plural := msg.Zero != "" || msg.One != "" || msg.Two != "" || msg.Few != "" || msg.Many != ""
			if !plural {
				out[id] = msg.Other
				continue
			}
			forms := map[string]string{"other": msg.Other}
			for k, v := range map[string]string{"zero": msg.Zero, "one": msg.One, "two": msg.Two, "few": msg.Few, "many": msg.Many} {
				if v != "" {
					forms[k] = v
				}
			}
			out[id] = forms
		}
	}
	return out
}

// Has reports whether lang (or its base language) has a message file.
func (m *Messages) Has(lang string) bool { _, ok := m.raw[baseTag(lang)]; return ok }

// baseTag is the base language of a tag, or of a priority list's first
// tag ("ti,en" → "ti").
func baseTag(lang string) string { return content.BaseLang(lang) }

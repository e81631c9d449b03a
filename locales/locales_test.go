package locales_test

import (
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/punto-totem/punto/locales"
	"golang.org/x/text/language"
)

// TestEveryLocaleHasEveryKey fails when a language lacks a message that
// English has, or a plural form its CLDR rules need: each message must come
// out in the language itself, never through the fallback.
func TestEveryLocaleHasEveryKey(t *testing.T) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	var ids []string
	plural := map[string]bool{}
	for _, tag := range locales.Tags() {
		mf, err := b.LoadMessageFileFS(locales.FS, tag+".toml")
		if err != nil {
			t.Fatalf("%s: %v", tag, err)
		}
		if tag == "en" {
			for _, m := range mf.Messages {
				ids = append(ids, m.ID)
				plural[m.ID] = m.One != "" || m.Few != "" || m.Many != ""
			}
		}
	}
	if len(ids) == 0 {
		t.Fatal("en.toml has no messages")
	}
	want := []string{"it", "en", "fr", "es", "ar", "ur", "fa", "bn", "zh", "uk", "ru", "ro", "sq", "pa", "ti"}
	for _, tag := range want {
		if !strings.Contains(" "+strings.Join(locales.Tags(), " ")+" ", " "+tag+" ") {
			t.Errorf("no message file for %s", tag)
		}
	}
	for _, tag := range locales.Tags() {
		l := i18n.NewLocalizer(b, tag)
		for _, id := range ids {
			counts := []int{-1}
			if plural[id] {
				counts = []int{0, 1, 2, 3, 5, 11, 21, 100, 1000000}
			}
			for _, n := range counts {
				// Every placeholder the messages use, so none renders "<no value>".
				data := map[string]any{"Time": "09:00", "Day": "x", "Name": "x", "Meters": 850, "Km": "1.2"}
				cfg := &i18n.LocalizeConfig{MessageID: id, TemplateData: data}
				if n >= 0 {
					cfg.PluralCount = n
					data["Count"] = n
				}
				s, got, err := l.LocalizeWithTag(cfg)
				if err != nil || s == "" || got.String() != tag || strings.Contains(s, "<no value>") {
					t.Errorf("%s: %s (count %d): %q from %s, %v", tag, id, n, s, got, err)
				}
			}
		}
	}
}

package kiosk

import (
	"testing"

	"github.com/punto-totem/punto/content"
)

// TestLocalizeRemembers: Localize's remembered answers are those it
// renders afresh, in every locale, for a language without a locale (from
// English) and for a message nobody has.
func TestLocalizeRemembers(t *testing.T) {
	t.Parallel()
	m, err := LoadMessages()
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"direction.n", "relative.left", "category.health", "holiday.natale", "ui.scan_hint", "no.such.message"}
	for _, lang := range append(append([]string{}, m.tags...), "xx", "", "ar-EG,en;q=0.8") {
		for _, id := range ids {
			want := m.localize(baseTag(lang), id)
			for range 2 { // the second from memory
				if got := m.Localize(lang, id); got != want {
					t.Fatalf("Localize(%q, %q) = %+v, want %+v", lang, id, got, want)
				}
			}
		}
	}
	if got := m.Localize("xx", "ui.scan_hint"); got.Lang != "en" {
		t.Fatalf("a language without a locale: %+v", got)
	}
	if got := m.Localize("it", "no.such.message"); got != (content.Localized{Text: "no.such.message", Lang: "und"}) {
		t.Fatalf("a message nobody has: %+v", got)
	}
}

package content

import "testing"

// TestPickSecond: a second language the visitor reads comes before the
// fixed chain (English, Italian).
func TestPickSecond(t *testing.T) {
	both := Text{"it": "Ciao", "en": "Hello", "fr": "Salut", "ti": "ሰላም"}
	for _, c := range []struct {
		prefs string
		want  Localized
	}{
		{Prefs("zh", "fr"), Localized{"Salut", "fr"}},
		{Prefs("ti", "fr"), Localized{"ሰላም", "ti"}},
		{Prefs("zh", "ru"), Localized{"Hello", "en"}},
		{Prefs("zh", "fr-CA"), Localized{"Salut", "fr"}},
		{Prefs("zh", "it"), Localized{"Ciao", "it"}},
		{"zh, fr", Localized{"Salut", "fr"}},
	} {
		if got := both.Pick(c.prefs); got != c.want {
			t.Errorf("Pick(%q) = %+v, want %+v", c.prefs, got, c.want)
		}
	}
	if Prefs("ti", "ti") != "ti" || Prefs("pt-BR", "pt") != "pt-BR" || Prefs("ti", "") != "ti" {
		t.Error("Prefs")
	}
	if PrimaryLang("ti,en") != "ti" || BaseLang("pt-BR,en") != "pt" || BaseLang("ar") != "ar" {
		t.Error("PrimaryLang or BaseLang")
	}
}

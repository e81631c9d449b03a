package content

import (
	"io/fs"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// Spellings that people type for the same word fold alike, in every script.
func TestFoldUnifiesSpellings(t *testing.T) {
	same := [][]string{
		{"Città", "CITTA", "citta"},
		{"ｍｅｄｉｃｏ", "Medico"},                     // full-width Latin (NFKC)
		{"أحمد", "إحمد", "آحمد", "ٱحمد", "احمد"}, // alef with hamza, madda, wasla
		{"مُسَاعَدَة", "مساعدة", "مساعده"},       // harakat, ta marbuta
		{"مستشفى", "مستشفي"},                     // alef maqsura
		{"طبـــيب", "طبيب", "ﻃﺒﻴﺐ"},              // tatweel, presentation forms
		{"مسؤول", "مسوول"},                       // hamza on waw
		{"کتاب", "كتاب"},                         // keheh
		{"خانهٔ", "خانه", "خانۀ"},                // Persian heh with hamza
		{"پزشکی", "پزشكي"},                       // Farsi yeh, keheh
		{"می\u200cخواهم", "میخواهم"},             // ZWNJ
		{"ہسپتال", "هسپتال"},                     // heh goal (Urdu)
		{"بھائی", "بهائی", "بهائي"},              // heh doachashmee
		{"Жильё", "жилье"},                       // ё
		{"şcoală", "școală", "scoala"},           // cedilla and comma below
		{"shtëpi", "shtepi"},                     // Albanian ë
		{"yīshēng", "yisheng"},                   // pinyin tone marks
		{"٦٠١٢١", "۶۰۱۲۱", "60121"},              // Arabic-Indic and Persian digits
		{"ड़", "ड़", "ड"},                        // Devanagari nukta, precomposed or not
		{"ਖ਼ਬਰ", "ਖਬਰ"},                          // Gurmukhi nukta
		{"abc\u202edef", "abcdef"},               // bidi override
		{"ሓኪም", "ሓኪም"},                           // Ge'ez as typed
	}
	for _, group := range same {
		for _, s := range group[1:] {
			if fold(s) != fold(group[0]) {
				t.Errorf("fold(%q) = %q, fold(%q) = %q", s, fold(s), group[0], fold(group[0]))
			}
		}
	}
	// Indic vowel signs and viramas spell the word: they stay.
	if got := fold("डॉक्टर"); got != "डॉक्टर" {
		t.Errorf("fold(डॉक्टर) = %q", got)
	}
	if got := fold("ডাক্তার"); got != "ডাক্তার" {
		t.Errorf("fold(ডাক্তার) = %q", got)
	}
}

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Permesso di Soggiorno!", []string{"permesso", "di", "soggiorno"}},
		{"l'impiego", []string{"l", "impiego"}},
		{"здоров'я здоров’я здоровʼя", []string{"здоровя", "здоровя", "здоровя"}},
		{"我要看医生", []string{"我", "要", "看", "医", "生"}},
		{"CPIA 2024医院", []string{"cpia", "2024", "医", "院"}},
		{"\u0301 \u093e", nil}, // marks alone
		{`" OR 1=1 --`, []string{"or", "1", "1"}},
		{"NEAR(a b)", []string{"near", "a", "b"}},
	}
	for _, tt := range tests {
		var got []string
		for _, tok := range tokens(tt.in) {
			got = append(got, tok.text)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("tokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCliticForms(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"الطبيب", []string{"طبيب"}},
		{"والطبيب", []string{"الطبيب", "طبيب"}},
		{"بالطبيب", []string{"الطبيب", "طبيب"}},
		{"فالمستشفى", []string{"المستشفي", "مستشفي"}},
		{"كالبيت", []string{"البيت", "بيت"}},
		{"للعمل", []string{"لعمل", "عمل"}},
		{"وطبيب", []string{"طبيب"}},
		{"بيت", nil}, // a stem of 2 letters after ب is not a word
		{"doctor", nil},
	}
	for _, tt := range tests {
		got := cliticForms(fold(tt.in))
		for _, w := range tt.want {
			if !slices.Contains(got, fold(w)) {
				t.Errorf("cliticForms(%q) = %q, want %q among them", tt.in, got, w)
			}
		}
		if tt.want == nil && got != nil {
			t.Errorf("cliticForms(%q) = %q, want none", tt.in, got)
		}
		if slices.Contains(got, fold(tt.in)) {
			t.Errorf("cliticForms(%q) holds the word itself", tt.in)
		}
	}
	if got := compactLatin("yi1sheng1"); got != "yisheng" {
		t.Errorf("compactLatin = %q", got)
	}
	if got := skeleton(fold("डॉक्टर")); got != "डकटर" {
		t.Errorf("skeleton = %q", got)
	}
}

// TestFoldSimpleIsTheChain: fold's rune-by-rune way gives what the whole
// chain gives: for every rune it takes, between letters and before a
// mark or vowel that joins the rune before it; for random runs of such
// runes; and for the lexicon's words.
func TestFoldSimpleIsTheChain(t *testing.T) {
	t.Parallel()
	same := func(s string) bool {
		t.Helper()
		got, ok := foldSimple(s)
		if ok && got != foldFull(s) {
			t.Errorf("%+q: %+q by rune, %+q by the chain", s, got, foldFull(s))
		}
		return ok
	}
	var taken []rune
	for r := rune(0x80); r < 0x10000; r++ {
		for _, around := range [][2]string{{"a", "b"}, {"\u0627", "\u064e"}, {"e", "\u0301"}, {"\u1100", "\u1161"}, {"\u0b47", "\u0b3e"}} {
			if same(around[0] + string(r) + around[1]) {
				taken = append(taken, r)
			}
		}
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range 1 + rnd.IntN(4) {
			b.WriteRune(taken[rnd.IntN(len(taken))])
		}
		same(b.String())
	}
	simple := 0
	for _, s := range lexiconTexts(t) {
		if !isASCII(s) && same(s) {
			simple++
		}
	}
	if simple == 0 {
		t.Error("no word of the lexicon took the rune-by-rune way")
	}
}

// FuzzFold: fold is the whole chain on any input, valid UTF-8 or not.
func FuzzFold(f *testing.F) {
	for _, s := range []string{"Città", "مُسَاعَدَة", "ሓኪም", "我要看医生", "ड़", "\xff\xfe", "e\u0301", "\u1100\u1161"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := fold(s), foldFull(s); !isASCII(s) && got != want {
			t.Errorf("fold(%q) = %q, the chain gives %q", s, got, want)
		}
	})
}

// lexiconTexts are the lexicon's words in every language, as written.
func lexiconTexts(t testing.TB) []string {
	t.Helper()
	var out []string
	err := fs.WalkDir(lexiconFiles, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		var f lexiconFile
		if _, err := toml.DecodeFS(lexiconFiles, name, &f); err != nil {
			return err
		}
		for _, c := range f.Concept {
			for _, words := range c.Terms {
				out = append(out, words...)
			}
			for _, words := range c.Latin {
				out = append(out, words...)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

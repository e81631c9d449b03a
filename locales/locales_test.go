package locales_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/punto-totem/punto/locales"
	"golang.org/x/text/language"
)

// TestEveryLocaleHasEveryKey fails when a language lacks a message that
// English has, names other placeholders than English, or lacks a plural
// form its CLDR rules need: each message must come out in the language
// itself, never through the fallback.
func TestEveryLocaleHasEveryKey(t *testing.T) {
	want := []string{"it", "en", "fr", "es", "ar", "ur", "fa", "bn", "zh", "uk", "ru", "ro", "sq", "pa", "ti"}
	for _, tag := range want {
		if !strings.Contains(" "+strings.Join(locales.Tags(), " ")+" ", " "+tag+" ") {
			t.Errorf("no message file for %s", tag)
		}
	}
	tables, err := locales.Load(locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables["en"]) == 0 {
		t.Fatal("en.toml has no messages")
	}
	for _, err := range locales.Check(tables, "en") {
		t.Error(err)
	}
	// The node itself localizes some messages (category names for the
	// JSON-LD and the calendar): go-i18n must give them as written.
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	for _, tag := range locales.Tags() {
		if _, err := b.LoadMessageFileFS(locales.FS, tag+".toml"); err != nil {
			t.Fatalf("%s: %v", tag, err)
		}
	}
	for _, tag := range locales.Tags() {
		l := i18n.NewLocalizer(b, tag)
		for id, msg := range tables[tag] {
			s, got, err := l.LocalizeWithTag(&i18n.LocalizeConfig{MessageID: id})
			if err != nil || s != msg || got.String() != tag {
				t.Errorf("%s: %s: %q from %s, %v", tag, id, s, got, err)
			}
		}
	}
}

// TestEditorLocales: the editor's words are complete in Italian and
// English, with the same placeholders and the plural forms each needs.
func TestEditorLocales(t *testing.T) {
	tables, err := locales.Editor()
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 2 || len(tables["it"]) < 400 {
		t.Fatalf("editor messages: %d languages, %d in Italian", len(tables), len(tables["it"]))
	}
	for _, err := range locales.Check(tables, "it") {
		t.Error(err)
	}
}

// TestCheckFindsProblems: the checks catch what they are for.
func TestCheckFindsProblems(t *testing.T) {
	for _, tt := range []struct {
		name   string
		tables map[string]map[string]string
		want   string
	}{
		{"missing key", map[string]map[string]string{"it": {"a": "x", "b": "y"}, "en": {"a": "x"}}, "en: b is missing"},
		{"extra key", map[string]map[string]string{"it": {"a": "x"}, "en": {"a": "x", "b": "y"}}, "en: b is not in it"},
		{"placeholder", map[string]map[string]string{"it": {"a": "ciao {name}"}, "en": {"a": "hello {nome}"}}, "names [nome], it names [name]"},
		{"plural form", map[string]map[string]string{"it": {"a": "{n} voci"}, "ru": {"a": "{n, plural, one {# x} other {# y}}"}}, `plural n for 2`},
		{"no other", map[string]map[string]string{"it": {"a": "{n, plural, one {# voce}}"}}, "no other form"},
		{"template", map[string]map[string]string{"it": {"a": "{{.Count}} voci"}}, "go-i18n template"},
		{"unclosed", map[string]map[string]string{"it": {"a": "{n, plural, one {# voce} other {# voci}"}}, "not closed"},
		{"stray brace", map[string]map[string]string{"it": {"a": "a } b"}}, "unmatched"},
		{"select", map[string]map[string]string{"it": {"a": "{g, select, m {a} other {b}}"}}, "only {g}"},
	} {
		errs := locales.Check(tt.tables, "it")
		var all []string
		for _, e := range errs {
			all = append(all, e.Error())
		}
		if !strings.Contains(strings.Join(all, "\n"), tt.want) {
			t.Errorf("%s: got %q, want %q", tt.name, all, tt.want)
		}
	}
	p, err := locales.Parse("Raggiunge {n, plural, one {# totem} other {# totem ({list})}}: {list}")
	if err != nil || !p.Args["n"] || p.Args["list"] != false || len(p.Plurals) != 1 || p.Plurals[0].Forms["other"] != "# totem ({list})" {
		t.Errorf("parse: %+v, %v", p, err)
	}
}

// TestScriptsUseKnownMessages: every message the browser code names
// literally exists: t("id") in the public app, t("id") in the editor
// and pt("id") (the public app's words in the editor's preview). A call
// that passes an object literal passes every argument the message names.
func TestScriptsUseKnownMessages(t *testing.T) {
	kiosk, err := locales.Load(locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	editor, err := locales.Editor()
	if err != nil {
		t.Fatal(err)
	}
	call := regexp.MustCompile(`\b(p?t)\("([A-Za-z0-9_.]+)"(?:,\s*\{([^}]*)\})?`)
	key := regexp.MustCompile(`^\s*([A-Za-z_]\w*)\s*(?::|$)`)
	calls := 0
	for _, tt := range []struct {
		glob           string
		tTable, pTable map[string]string
	}{{"../assets/web/*.js", kiosk["en"], nil}, {"../assets/web/editor/*.js", editor["it"], kiosk["en"]}} {
		files, _ := filepath.Glob(tt.glob)
		if len(files) == 0 {
			t.Fatalf("no %s", tt.glob)
		}
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range call.FindAllStringSubmatch(string(src), -1) {
				table := tt.tTable
				if m[1] == "pt" {
					table = tt.pTable
				}
				if table == nil {
					continue
				}
				calls++
				msg, ok := table[m[2]]
				if !ok {
					t.Errorf("%s: %s(%q): no such message", filepath.Base(f), m[1], m[2])
					continue
				}
				if m[3] == "" || strings.Contains(m[3], "`") {
					continue // no object, or one this regexp cannot read
				}
				passed := map[string]bool{}
				for _, part := range strings.Split(m[3], ",") {
					if k := key.FindStringSubmatch(part); k != nil {
						passed[k[1]] = true
					}
				}
				p, _ := locales.Parse(msg)
				for arg := range p.Args {
					if !passed[arg] {
						t.Errorf("%s: %s(%q, {%s}) does not pass {%s}", filepath.Base(f), m[1], m[2], strings.TrimSpace(m[3]), arg)
					}
				}
			}
		}
	}
	if calls < 300 {
		t.Errorf("only %d calls found", calls)
	}
}

// TestInformationTilesDistinct: the home screen's two information tiles,
// the "information and orientation" category and the practical guides,
// read differently in every language (in Arabic they once read the same).
func TestInformationTilesDistinct(t *testing.T) {
	tables, err := locales.Load(locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range locales.Tags() {
		a, b := tables[tag]["category.info"], tables[tag]["ui.information"]
		if a == "" || b == "" || strings.Contains(a, b) || strings.Contains(b, a) || strings.Fields(a)[0] == strings.Fields(b)[0] {
			t.Errorf("%s: %q and %q", tag, a, b)
		}
	}
}

package content

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// demoLanguages are the languages of the screens (editorial.UILanguages,
// which content may not import).
var demoLanguages = []string{"it", "en", "fr", "es", "ar", "ur", "fa", "bn", "pa", "zh", "uk", "ru", "ro", "sq", "ti"}

// TestDemoInEveryLanguage: every text of the demo catalog, the services,
// their organizations, locations, phones and closures, the territories,
// the alert and the pages, is written in all 15 languages of the
// screens; the placeholders and the demo marks survive translation; a
// review mark names a language of the screens.
func TestDemoInEveryLanguage(t *testing.T) {
	cat, err := DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, tx Text) { t.Helper(); checkDemoText(t, what, tx) }
	for _, s := range cat.Services {
		for _, tx := range []Text{s.Name, s.Description, s.Eligibility} {
			check(s.ID, tx)
		}
		for _, d := range s.Documents {
			check(s.ID+" document", d)
		}
		for _, p := range s.Phones {
			check(s.ID+" phone", p.Description)
		}
		for _, ex := range s.Hours.Exceptions {
			check(s.ID+" closure", ex.Note)
		}
		for _, l := range s.Locations {
			check(s.ID+" accessibility", l.Accessibility)
		}
		for l, v := range s.Name {
			if !strings.HasSuffix(v, "(demo)") && !strings.HasSuffix(v, "(démo)") && !strings.HasSuffix(v, "(تجريبي)") {
				t.Errorf("%s (%s): not marked as demo: %q", s.ID, l, v)
			}
		}
	}
	for _, o := range cat.Organizations {
		check(o.ID, o.Name)
	}
	for _, tr := range cat.Territories {
		check(tr.ID, tr.Name)
	}
	for _, a := range cat.Alerts {
		check(a.ID, a.Text)
	}
	for _, p := range cat.Pages {
		check(p.ID+" title", p.Title)
		check(p.ID+" body", p.Body)
	}
	checkReviewMarks(t)
	// The screens find the demo in every language: no fallback.
	s := openDemo(t)
	v, err := s.ServiceView(context.Background(), "ancona-info-0", "ti", DemoTotem, time.Date(2026, 11, 23, 10, 0, 0, 0, Rome))
	if err != nil {
		t.Fatal(err)
	}
	if v.Name.Lang != "ti" || v.Description.Lang != "ti" || v.Organization.Name.Lang != "ti" || v.Documents[0].Lang != "ti" {
		t.Errorf("ancona-info-0 in Tigrinya: %+v", v)
	}
}

// checkDemoText fails unless tx, if any, is in every language of the
// screens, with no placeholder left.
func checkDemoText(t *testing.T, what string, tx Text) {
	t.Helper()
	if len(tx) == 0 {
		return
	}
	for _, l := range demoLanguages {
		if strings.TrimSpace(tx[l]) == "" {
			t.Errorf("%s: no %s", what, l)
		}
	}
	for l, v := range tx {
		if strings.Contains(v, "{") {
			t.Errorf("%s (%s): a placeholder is left: %q", what, l, v)
		}
	}
}

// checkReviewMarks: a template's review mark names a language of the
// screens.
func checkReviewMarks(t *testing.T) {
	t.Helper()
	var d demoData
	if err := json.Unmarshal(demoJSON, &d); err != nil {
		t.Fatal(err)
	}
	for i, tpl := range d.Templates {
		for l := range tpl.Review {
			if !slices.Contains(demoLanguages, l) {
				t.Errorf("templates[%d]: review names %q", i, l)
			}
		}
	}
}

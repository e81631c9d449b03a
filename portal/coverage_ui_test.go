package portal

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/fleet"
	"github.com/punto-totem/punto/internal/browsertest"
)

// euiHalfTranslated is a desk in Ancona written in Italian and English
// only, which the totem there saw opened 9 times yesterday.
const euiHalfTranslated = "ancona-desk-it-en"

func euiCoverageServer(t *testing.T) string {
	t.Helper()
	st := euiStore(t)
	ctx := context.Background()
	svc := content.Service{
		ID: euiHalfTranslated, OrganizationID: "org-ats-11-ancona", Status: content.StatusActive,
		Name:        content.Text{"it": "Sportello a metà (demo)", "en": "Half-translated desk (demo)"},
		Description: content.Text{"it": "Solo in italiano e in inglese.", "en": "In Italian and English only."},
		Categories:  []string{"info"}, Languages: []string{"it", "en"},
		Locations: []content.Location{{ID: "loc-" + euiHalfTranslated, Address: "Via dei Tigli 3 (demo)", Comune: "Ancona", Province: "AN",
			Region: "Marche", Point: orb.Point{13.5153, 43.6169}}},
	}
	if err := st.Write(ctx, func(b *content.Batch) error { return b.PutService(&svc) }); err != nil {
		t.Fatal(err)
	}
	fl := fleetOf(t, st)
	if _, err := fl.AddTotem(ctx, "totem-ancona", "Municipio di Ancona", orb.Point{13.5153, 43.6169}); err != nil {
		t.Fatal(err)
	}
	hour := fleet.NeedsHour(time.Now().Add(-24 * time.Hour))
	if err := fl.RecordNeeds(ctx, "totem-ancona", []fleet.NeedsCount{{Hour: hour, Event: fleet.NeedService, Value: euiHalfTranslated, N: 9}}); err != nil {
		t.Fatal(err)
	}
	pub := &euiPublisher{st: st}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return euiListen(t, st, func(app *fiber.App) error {
		return Mount(app, Config{Editorial: edOf(t, st, nil), Totems: fleetOf(t, st), Publisher: pub, Log: log})
	})
}

// TestEditorUICoverage: an editor opens the translation coverage screen
// and sees their territory's row, each language's share, and the desk
// missing Tigrinya that visitors opened most; publishing it names the
// languages it lacks. On a phone the table scrolls in its own box.
func TestEditorUICoverage(t *testing.T) {
	t.Parallel()
	base := euiCoverageServer(t)
	ctx := euiBrowser(t, 1280, 900)
	euiLogin(t, ctx, base, euiEditor, euiEditorPass)
	euiMust(t, ctx, browsertest.Click(`nav a[data-route="coverage"]`), browsertest.Visible(".coverage-table"))
	rows := euiEval[[]string](t, ctx, `[...document.querySelectorAll(".coverage-table tbody tr")].map((r) => r.dataset.territory)`)
	if len(rows) != 2 || rows[0] != "" || rows[1] != "ats-11-ancona" {
		t.Errorf("rows %q, want every service and Ancona's only", rows)
	}
	if n := euiEval[int](t, ctx, `document.querySelectorAll(".coverage-table thead th[data-lang]").length`); n != 15 {
		t.Errorf("%d language columns", n)
	}
	if it := euiEval[string](t, ctx, `document.querySelector('tr[data-territory="ats-11-ancona"] td[data-lang="it"] .pct').textContent`); it != "100%" {
		t.Errorf("Italian in Ancona: %q", it)
	}
	euiMust(t, ctx, chromedp.SetValue("#coverage-lang", "ti", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("#coverage-lang").dispatchEvent(new Event("change"))`, nil))
	euiWait(t, ctx, "the desk missing Tigrinya", `!!document.querySelector('#coverage-missing li[data-id="`+euiHalfTranslated+`"]')`)
	if first := euiEval[string](t, ctx, `document.querySelector("#coverage-missing li").dataset.id`); first != euiHalfTranslated {
		t.Errorf("most viewed missing Tigrinya: %s first", first)
	}
	euiShot(t, ctx, "coverage")
	euiAxe(t, ctx, "coverage")

	// Publishing the desk says which languages it lacks, and publishes.
	euiMust(t, ctx, browsertest.Click(`#coverage-missing li[data-id="`+euiHalfTranslated+`"] a`),
		browsertest.Visible("#publish"), browsertest.Click("#publish"),
		browsertest.Visible(`#publish-warnings li[data-id="`+euiHalfTranslated+`"]`))
	warned := euiEval[string](t, ctx, `document.querySelector("#publish-warnings").textContent`)
	if !strings.Contains(warned, "13") || !strings.Contains(warned, "tigrino") {
		t.Errorf("publish warning: %q", warned)
	}
	euiShot(t, ctx, "publish-warnings")
	euiAxe(t, ctx, "publish warnings")

	phone := euiBrowser(t, 390, 844)
	euiLogin(t, phone, base, euiEditor, euiEditorPass)
	euiMust(t, phone, chromedp.Navigate(base+"/editor#/coverage"), browsertest.Visible(".coverage-table"))
	euiNoSidewaysScroll(t, phone, "coverage on a phone")
	euiShot(t, phone, "coverage-phone")
	euiAxe(t, phone, "coverage on a phone")
}

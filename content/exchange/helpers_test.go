package exchange

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/internal/testenv"
)

// openDemo opens a fresh copy of the demo catalog.
// openDemo opens a fresh copy of the demo catalog, built once per test
// binary.
func openDemo(t *testing.T) *content.Store {
	t.Helper()
	return testenv.DemoStore(t)
}

func TestMain(m *testing.M) { testenv.Main(m) }

var testLangs = []string{"it", "en", "fr", "ar", "ur", "ti"}

// demoHours are the weekly hours of the demo catalog's services.
func demoHours(t *testing.T) []content.Schedule {
	t.Helper()
	cat, err := content.DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	var out []content.Schedule
	for _, s := range cat.Services {
		if len(s.Hours.Weekly) > 0 {
			out = append(out, content.Schedule{Weekly: s.Hours.Weekly})
		}
	}
	return out
}

// randomService builds a random but valid service around a centre; many
// services share locations, so shared buildings occur.
func randomService(r *rand.Rand, i int, centre orb.Point, hours []content.Schedule, locs []content.Location) content.Service {
	svc := content.Service{
		ID:     fmt.Sprintf("svc-%05d", i),
		Status: []content.Status{content.StatusActive, content.StatusActive, content.StatusActive, content.StatusTemporarilyClosed, content.StatusWithdrawn}[r.IntN(5)],
		Name:   content.Text{"it": fmt.Sprintf("Servizio %d", i), "en": fmt.Sprintf("Service %d", i)},
	}
	for range 1 + r.IntN(2) {
		svc.Categories = append(svc.Categories, content.Categories[r.IntN(len(content.Categories))].ID)
	}
	for range r.IntN(3) {
		svc.Languages = append(svc.Languages, testLangs[r.IntN(len(testLangs))])
	}
	svc.Hours = hours[r.IntN(len(hours))]
	svc.OpenOnHolidays = r.IntN(4) == 0
	if r.IntN(5) == 0 {
		svc.Hours.Exceptions = []content.Exception{{Date: "2026-11-23", Closed: true}}
	}
	seen := map[string]bool{}
	for range 1 + r.IntN(2) {
		l := content.Location{ID: fmt.Sprintf("loc-%05d-%d", i, len(svc.Locations)), Comune: "Test",
			Point: orb.Point{centre[0] + (r.Float64()-0.5)*0.6, centre[1] + (r.Float64()-0.5)*0.4}}
		if len(locs) > 0 && r.IntN(3) == 0 {
			l = locs[r.IntN(len(locs))]
		}
		if !seen[l.ID] {
			seen[l.ID] = true
			svc.Locations = append(svc.Locations, l)
		}
	}
	return svc
}

package content

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/internal/testenv/demofile"
)

// openTest opens a new catalog file in a temporary folder.
func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openDemo opens a fresh copy of the demo catalog.
// demo is the demo catalog, built once for this test binary and copied
// for each test (testenv serves the other packages the same way; it
// imports content, so content's own tests keep their master here).
var demo = demofile.New("demo", CreateDemo)

func openDemo(t *testing.T) *Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "demo.db")
	demo.Copy(t, path)
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var testLangs = []string{"it", "en", "fr", "ar", "ur", "ti"}

// randomService builds a random but valid service around a centre; many
// services share points and locations, so ties and shared buildings occur.
func randomService(r *rand.Rand, i int, centre orb.Point, locs []Location) Service {
	svc := Service{
		ID:     fmt.Sprintf("svc-%05d", i),
		Status: []Status{StatusActive, StatusActive, StatusActive, StatusTemporarilyClosed, StatusWithdrawn}[r.IntN(5)],
		Name:   Text{"it": fmt.Sprintf("Servizio %d", i), "en": fmt.Sprintf("Service %d", i)},
	}
	for range 1 + r.IntN(2) {
		svc.Categories = append(svc.Categories, Categories[r.IntN(len(Categories))].ID)
	}
	for range r.IntN(3) {
		svc.Languages = append(svc.Languages, testLangs[r.IntN(len(testLangs))])
	}
	sched := generatedSchedules[r.IntN(len(generatedSchedules))]
	svc.Hours = demoSchedules[sched]
	svc.OpenOnHolidays = r.IntN(4) == 0
	if r.IntN(5) == 0 {
		svc.Hours.Exceptions = []Exception{{Date: "2026-11-23", Closed: true}}
	}
	for range 1 + r.IntN(2) {
		if len(locs) > 0 && r.IntN(3) == 0 {
			svc.Locations = append(svc.Locations, locs[r.IntN(len(locs))])
			continue
		}
		p := orb.Point{centre[0] + (r.Float64()-0.5)*0.6, centre[1] + (r.Float64()-0.5)*0.4}
		if r.IntN(10) == 0 {
			p = centre // exact ties with the query point
		}
		svc.Locations = append(svc.Locations, Location{ID: fmt.Sprintf("loc-%05d-%d", i, len(svc.Locations)), Comune: "Test", Point: p})
	}
	seen := map[string]bool{}
	uniq := svc.Locations[:0]
	for _, l := range svc.Locations {
		if !seen[l.ID] {
			seen[l.ID] = true
			uniq = append(uniq, l)
		}
	}
	svc.Locations = uniq
	return svc
}

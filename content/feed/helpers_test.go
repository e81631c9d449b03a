package feed

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/internal/sqlitedb"
	"github.com/punto-totem/punto/internal/testenv"
)

// openTest opens a new catalog file in a temporary folder.
func openTest(t *testing.T) *content.Store {
	t.Helper()
	s, err := content.Open(context.Background(), filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openDemo opens a fresh copy of the demo catalog.
func openDemo(t *testing.T) *content.Store {
	t.Helper()
	return testenv.DemoStore(t)
}

// writer opens a connection of the test's own on a catalog's file, for
// checks the store does not offer.
func writer(t *testing.T, s *content.Store) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", sqlitedb.DSN(s.Path(), false, false))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// randomService builds a random but valid service around a centre, with
// one or two locations of its own.
func randomService(r *rand.Rand, i int, centre orb.Point) content.Service {
	statuses := []content.Status{content.StatusActive, content.StatusActive, content.StatusActive, content.StatusTemporarilyClosed, content.StatusWithdrawn}
	svc := content.Service{
		ID:     fmt.Sprintf("svc-%05d", i),
		Status: statuses[r.IntN(len(statuses))],
		Name:   content.Text{"it": fmt.Sprintf("Servizio %d", i), "en": fmt.Sprintf("Service %d", i)},
	}
	for range 1 + r.IntN(2) {
		svc.Categories = append(svc.Categories, content.Categories[r.IntN(len(content.Categories))].ID)
	}
	for j := range 1 + r.IntN(2) {
		p := orb.Point{centre[0] + (r.Float64()-0.5)*0.6, centre[1] + (r.Float64()-0.5)*0.4}
		svc.Locations = append(svc.Locations, content.Location{ID: fmt.Sprintf("loc-%05d-%d", i, j), Comune: "Test", Point: p})
	}
	return svc
}

func serviceChange(t *testing.T, s *content.Service) content.Change {
	t.Helper()
	doc, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return content.Change{Kind: content.KindService, ID: s.ID, Op: content.OpPut, Doc: doc}
}

func digest(t *testing.T, s *content.Store) string {
	t.Helper()
	d, err := s.Digest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

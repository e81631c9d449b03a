package content

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/geo"
)

// scanRow is one service at a location read straight from the file.
type scanRow struct {
	hit Hit
	svc *Service
}

// scanAll reads every service at a location, with its whole service,
// without the index: the input of the brute-force reference.
func scanAll(t *testing.T, s *Store) []scanRow {
	t.Helper()
	ctx := context.Background()
	rows, err := s.r.QueryContext(ctx, `SELECT sal.service_id, l.id, l.geom FROM service_at_location sal
		JOIN location l ON l.id = sal.location_id`)
	if err != nil {
		t.Fatal(err)
	}
	var all []scanRow
	for rows.Next() {
		var r scanRow
		var g geo.Blob
		if err := rows.Scan(&r.hit.ServiceID, &r.hit.LocationID, &g); err != nil {
			t.Fatal(err)
		}
		r.hit.Point = g.Geometry.(orb.Point)
		all = append(all, r)
	}
	rows.Close()
	svcs := map[string]*Service{}
	for i := range all {
		id := all[i].hit.ServiceID
		if svcs[id] == nil {
			svc, err := s.Service(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			svcs[id] = svc
		}
		all[i].svc = svcs[id]
	}
	return all
}

// bruteForce answers a nearby query by checking every row: the reference
// that the index and the R*Tree path must equal.
func bruteForce(t *testing.T, all []scanRow, q NearbyQuery) []Hit {
	t.Helper()
	if err := q.Normalize(); err != nil {
		t.Fatal(err)
	}
	var out []Hit
	for _, r := range all {
		h, svc := r.hit, r.svc
		h.DistanceM = geo.Distance(q.Center, h.Point)
		if svc.Status == StatusWithdrawn || h.DistanceM > q.RadiusM {
			continue
		}
		if q.Category != "" && !slices.Contains(svc.Categories, q.Category) {
			continue
		}
		if q.Speaks != "" && !slices.Contains(svc.Languages, q.Speaks) {
			continue
		}
		if q.OpenNow && (svc.Status != StatusActive || !compileHours(svc.Hours, svc.OpenOnHolidays).openAt(q.At)) {
			continue
		}
		out = append(out, h)
	}
	slices.SortFunc(out, compareHits)
	return out[:min(len(out), q.Limit)]
}

func randomQuery(r *rand.Rand, centre orb.Point) NearbyQuery {
	q := NearbyQuery{
		Center:  orb.Point{centre[0] + (r.Float64()-0.5)*0.5, centre[1] + (r.Float64()-0.5)*0.3},
		RadiusM: []float64{500, 5000, 15000, 40000, MaxRadiusM}[r.IntN(5)],
		Limit:   1 + r.IntN(30),
		At:      time.Date(2026, 11, 16+r.IntN(14), r.IntN(24), r.IntN(60), 0, 0, Rome),
	}
	if r.IntN(8) == 0 {
		q.Center = centre
	}
	if r.IntN(2) == 0 {
		q.Category = Categories[r.IntN(len(Categories))].ID
	}
	if r.IntN(3) == 0 {
		q.Speaks = testLangs[r.IntN(len(testLangs))]
	}
	q.OpenNow = r.IntN(3) == 0
	return q
}

func sameHits(t *testing.T, what string, q NearbyQuery, got, want []Hit) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d hits, want %d (query %+v)", what, len(got), len(want), q)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: hit %d = %+v, want %+v (query %+v)", what, i, got[i], want[i], q)
		}
	}
}

// TestNearbyEqualsBruteForce is the property test: on random catalogs, with
// random filters, the in-memory index and the R*Tree query both give
// exactly what a full scan gives, also after random edits.
func TestNearbyEqualsBruteForce(t *testing.T) {
	ctx := context.Background()
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 99))
			s := openTest(t)
			centre := orb.Point{12.4 + r.Float64(), 42.8 + r.Float64()}
			var locs []Location
			var svcs []Service
			err := s.Write(ctx, func(b *Batch) error {
				for i := range 400 {
					svc := randomService(r, i, centre, locs)
					locs = append(locs, svc.Locations...)
					svcs = append(svcs, svc)
					if err := b.PutService(&svc); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			check := func(round int) {
				all := scanAll(t, s)
				for range 80 {
					q := randomQuery(r, centre)
					want := bruteForce(t, all, q)
					got, err := s.NearbyHits(context.Background(), q)
					if err != nil {
						t.Fatal(err)
					}
					sameHits(t, fmt.Sprintf("round %d index", round), q, got, want)
					viaSQL, err := s.NearbySQL(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					sameHits(t, fmt.Sprintf("round %d r*tree", round), q, viaSQL, want)
				}
			}
			check(0)
			// Edit: move shared locations, withdraw and re-categorise
			// services, one write at a time, as an editor would.
			for i := range 40 {
				svc := svcs[r.IntN(len(svcs))]
				switch i % 3 {
				case 0:
					svc.Locations[0].Point = orb.Point{centre[0] + (r.Float64()-0.5)*0.6, centre[1] + (r.Float64()-0.5)*0.4}
				case 1:
					svc.Status = []Status{StatusActive, StatusWithdrawn, StatusTemporarilyClosed}[r.IntN(3)]
				case 2:
					svc.Categories = []string{Categories[r.IntN(len(Categories))].ID}
					svc.Languages = []string{testLangs[r.IntN(len(testLangs))]}
				}
				if err := s.PutService(ctx, &svc); err != nil {
					t.Fatal(err)
				}
			}
			check(1)
		})
	}
}

func TestNearbyQueryValidation(t *testing.T) {
	s := openTest(t)
	tests := []struct {
		name  string
		q     NearbyQuery
		field string
	}{
		{"latitude out of range", NearbyQuery{Center: orb.Point{13, 91}}, "point"},
		{"longitude out of range", NearbyQuery{Center: orb.Point{181, 43}}, "point"},
		{"negative radius", NearbyQuery{Center: orb.Point{13, 43}, RadiusM: -1}, "radius_m"},
		{"huge radius", NearbyQuery{Center: orb.Point{13, 43}, RadiusM: MaxRadiusM + 1}, "radius_m"},
		{"limit too large", NearbyQuery{Center: orb.Point{13, 43}, Limit: MaxLimit + 1}, "limit"},
		{"negative limit", NearbyQuery{Center: orb.Point{13, 43}, Limit: -3}, "limit"},
		{"unknown category", NearbyQuery{Center: orb.Point{13, 43}, Category: "pizza"}, "category"},
		{"bad language", NearbyQuery{Center: orb.Point{13, 43}, Speaks: "Arabic"}, "speaks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.NearbyHits(context.Background(), tt.q)
			ve, ok := err.(*ValidationError)
			if !ok || ve.Field != tt.field {
				t.Fatalf("err = %v, want a validation error on %s", err, tt.field)
			}
		})
	}
}

func TestInBound(t *testing.T) {
	s := openDemo(t)
	b := orb.Bound{Min: orb.Point{13.45, 43.55}, Max: orb.Point{13.60, 43.65}} // Ancona
	hits, err := s.InBoundSQL(context.Background(), b, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 {
		t.Fatal("no services in Ancona's box")
	}
	for _, h := range hits {
		if !b.Contains(h.Point) {
			t.Errorf("%s at %v is outside the box", h.ServiceID, h.Point)
		}
	}
	// Every service of the index inside the box is there.
	all, _ := s.NearbyHits(context.Background(), NearbyQuery{Center: DemoTotem, RadiusM: 30000, Limit: MaxLimit})
	n := 0
	for _, h := range all {
		if b.Contains(h.Point) {
			n++
		}
	}
	if n != len(hits) {
		t.Errorf("box holds %d hits, the index finds %d inside it", len(hits), n)
	}
	if _, err := s.InBoundSQL(context.Background(), orb.Bound{Min: orb.Point{14, 43}, Max: orb.Point{13, 44}}, 0); err == nil {
		t.Error("an inverted box: want an error")
	}
	// The index answers the same, whole or cut at a limit.
	for _, limit := range []int{0, 1, 7} {
		fromIndex, err := s.Within(context.Background(), b, limit)
		if err != nil {
			t.Fatal(err)
		}
		want := hits
		if limit > 0 {
			want = hits[:limit]
		}
		sameHits(t, fmt.Sprint("within limit ", limit), NearbyQuery{}, fromIndex, want)
	}
}

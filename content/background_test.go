package content

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

// TestOpenBackground: a store opened in the background answers nearby,
// within and summaries from the file while its index builds, the same as
// a store with its index; search and writes wait for the index, then
// everything answers from memory.
func TestOpenBackground(t *testing.T) {
	t.Parallel()
	ref := openDemo(t)
	ctx := context.Background()
	gate := make(chan struct{})
	s, err := openBackground(ctx, ref.Path(), gate)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if st := s.IndexState(); !strings.HasPrefix(st, "building") || s.IndexErr() != nil {
		t.Fatalf("before the build: %q %v", st, s.IndexErr())
	}
	at := time.Date(2026, 11, 23, 10, 30, 0, 0, Rome)
	check := func(when string) {
		t.Helper()
		for i, q := range []NearbyQuery{
			{Center: DemoTotem, At: at}, {Center: DemoTotem, Category: "health", RadiusM: 50000, At: at},
			{Center: orb.Point{12.39, 43.11}, OpenNow: true, Limit: 50, At: at}, {Center: orb.Point{13.0, 43.3}, Speaks: "ar", At: at},
		} {
			got, err := s.NearbyHits(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := ref.NearbyHits(ctx, q)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s, nearby %d:\n got %v\nwant %v", when, i, got, want)
			}
			gs, err := s.Summaries(ctx, got, "ar,en", q.Center, at)
			if err != nil {
				t.Fatal(err)
			}
			ws, _ := ref.Summaries(ctx, want, "ar,en", q.Center, at)
			if !reflect.DeepEqual(gs, ws) {
				t.Fatalf("%s, summaries %d differ", when, i)
			}
		}
		b := orb.Bound{Min: orb.Point{12, 42.5}, Max: orb.Point{14, 44}}
		got, err := s.Within(ctx, b, 40)
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := ref.Within(ctx, b, 40); !reflect.DeepEqual(got, want) || len(got) != 40 {
			t.Fatalf("%s, within: %d hits, %d wanted", when, len(got), len(want))
		}
		// What reads the territories (alerts, the territory a point is
		// in) answers from the first moment too.
		gt, err := s.TerritoriesAt(ctx, DemoTotem)
		if err != nil {
			t.Fatal(err)
		}
		if wt, _ := ref.TerritoriesAt(ctx, DemoTotem); !reflect.DeepEqual(gt, wt) || len(gt) == 0 {
			t.Fatalf("%s, territories: %v, want %v", when, gt, wt)
		}
		ga, err := s.ActiveAlerts(ctx, DemoTotem, "t1", at)
		if err != nil {
			t.Fatal(err)
		}
		if wa, _ := ref.ActiveAlerts(ctx, DemoTotem, "t1", at); !reflect.DeepEqual(ga, wa) {
			t.Fatalf("%s, alerts: %v, want %v", when, ga, wa)
		}
	}
	check("while building")
	// A search waits for the index, as far as its context lets it.
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := s.Find(short, SearchQuery{Text: "medico", Lang: "it", From: DemoTotem}); err == nil {
		t.Fatal("a search answered without the index")
	}
	// A write waits for the build, then reaches the index.
	written := make(chan error, 1)
	go func() {
		svc := Service{ID: "during-build", Name: Text{"it": "Sportello nuovo"}, Categories: []string{"info"},
			Locations: []Location{{ID: "during-build-loc", Comune: "Ancona", Address: "Via Nuova 1", Point: DemoTotem}}}
		written <- s.Write(ctx, func(b *Batch) error { return b.PutService(&svc) })
	}()
	close(gate)
	if err := s.waitIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-written; err != nil {
		t.Fatal(err)
	}
	if st := s.IndexState(); !strings.HasPrefix(st, "in memory") {
		t.Fatalf("after the build: %q", st)
	}
	hits, _ := s.NearbyHits(ctx, NearbyQuery{Center: DemoTotem, Limit: 1})
	if len(hits) != 1 || hits[0].ServiceID != "during-build" {
		t.Fatalf("the write made while building is not in the index: %v", hits)
	}
	if err := ref.reload(ctx); err != nil { // ref sees the same file again
		t.Fatal(err)
	}
	check("once built")
	if res, err := s.Find(ctx, SearchQuery{Text: "sportello nuovo", Lang: "it", From: DemoTotem}); err != nil || len(res.Hits) == 0 {
		t.Fatalf("search once built: %v %v", res, err)
	}
}

package content

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

func TestPackedTextPicksAsText(t *testing.T) {
	t.Parallel()
	texts := []Text{
		{}, {"it": "Uno"}, {"en": "One", "it": "Uno"}, {"ar": "واحد", "fr": "Un", "it": ""},
		{"pt-BR": "Um", "zh": "一"}, {"ti": "ሓደ", "uk": "Один", "en": ""},
	}
	for _, tx := range texts {
		var pairs [][2]string
		for l, v := range tx {
			pairs = append(pairs, [2]string{l, v})
		}
		p := packText(pairs)
		for _, prefs := range []string{"it", "en", "ar", "ar,en", "ti,fr", "pt-BR", "pt", "zh-TW", "uk,ti", "xx"} {
			if got, want := p.pick(fallbackChain(prefs)), tx.Pick(prefs); got != want {
				t.Errorf("%v in %s: packed gives %v, Text %v", tx, prefs, got, want)
			}
		}
	}
}

// TestSummariesInStepWithSQL applies 1,000 random changes as the feed
// does (Batch.Apply of each change's document, several per write), and
// checks after each write that the in-memory summaries of every service
// equal those read from the file.
func TestSummariesInStepWithSQL(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(14, 14))
	centre := orb.Point{13.5, 43.6}
	comuni := []string{"Ancona", "Jesi", "Fabriano", "Osimo", "Senigallia"}
	var locs []Location // a pool of shared locations, edited as they are reused
	all := orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}
	at := time.Date(2026, 11, 23, 10, 30, 0, 0, Rome)
	langs := []string{"it", "en", "fr", "ar", "ti", "zh", "pt-BR"}
	const changes, perWrite = 1000, 50
	for w := range changes / perWrite {
		err := s.Write(ctx, func(b *Batch) error {
			for k := range perWrite {
				i := r.IntN(300) // services come back: puts replace, withdraw and restore
				svc := randomService(r, i, centre, locs)
				svc.Name = Text{}
				for range 1 + r.IntN(4) {
					svc.Name[langs[r.IntN(len(langs))]] = fmt.Sprintf("Servizio %d.%d.%d", i, w, k)
				}
				svc.Name["it"] = fmt.Sprintf("Servizio %d", i)
				for j := range svc.Locations {
					l := &svc.Locations[j]
					l.Address = fmt.Sprintf("Via %d, %d", r.IntN(50), w)
					l.Comune = comuni[r.IntN(len(comuni))]
					if r.IntN(4) == 0 {
						l.Point = orb.Point{l.Point[0] + 0.001, l.Point[1]}
					}
					locs = append(locs, *l)
				}
				doc, err := json.Marshal(svc)
				if err != nil {
					return err
				}
				if err := b.Apply(&Change{Kind: KindService, ID: svc.ID, Op: OpPut, Doc: doc}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		hits, err := s.Within(ctx, all, 0)
		if err != nil {
			t.Fatal(err)
		}
		lang := langs[w%len(langs)] + ",en"
		mem, err := s.Summaries(ctx, hits, lang, centre, at)
		if err != nil {
			t.Fatal(err)
		}
		fromSQL, err := s.summariesSQL(ctx, hits, lang, centre, at)
		if err != nil {
			t.Fatal(err)
		}
		if len(mem) != len(hits) {
			t.Fatalf("write %d: %d summaries for %d hits", w, len(mem), len(hits))
		}
		for i := range mem {
			if !reflect.DeepEqual(mem[i], fromSQL[i]) {
				t.Fatalf("after write %d, %s at %s:\nmemory %+v\nSQL    %+v", w, hits[i].ServiceID, hits[i].LocationID, mem[i], fromSQL[i])
			}
		}
		// Nearby's one-step answer: the summaries of its hits.
		for _, cat := range []string{"", Categories[w%len(Categories)].ID} {
			q := NearbyQuery{Center: orb.Point{centre[0] + r.Float64()*0.2 - 0.1, centre[1] + r.Float64()*0.2 - 0.1}, RadiusM: 15000, Limit: 10, Category: cat, At: at}
			got, err := s.NearbySummaries(ctx, q, lang)
			if err != nil {
				t.Fatal(err)
			}
			hits, err := s.NearbyHits(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			want, err := s.summariesSQL(ctx, hits, lang, q.Center, at)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 && w > 0 || !reflect.DeepEqual(got, want) {
				t.Fatalf("after write %d, nearby %+v:\none step %+v\nSQL      %+v", w, q, got, want)
			}
		}
	}
}

// TestCachedStats: the counts a health check serves follow every write
// and agree with counting now.
func TestCachedStats(t *testing.T) {
	t.Parallel()
	s := openDemo(t)
	ctx := context.Background()
	st, err := s.CachedStats(ctx)
	if want, _ := s.Stats(ctx); err != nil || st != want || st.Services == 0 {
		t.Fatalf("cached %+v (%v), counted %+v", st, err, want)
	}
	svc := Service{ID: "new-one", Name: Text{"it": "Nuovo"}, Categories: []string{"info"},
		Locations: []Location{{ID: "new-loc", Comune: "Ancona", Point: orb.Point{13.5, 43.6}}}}
	if err := s.Write(ctx, func(b *Batch) error { return b.PutService(&svc) }); err != nil {
		t.Fatal(err)
	}
	want := Stats{Services: st.Services + 1, Locations: st.Locations + 1, Territories: st.Territories}
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, _ := s.CachedStats(ctx)
		if got == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("cached %+v, want %+v", got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := s.IndexState(); got != fmt.Sprintf("in memory: %d services at %d points", want.Services, len(s.idx.entries)-len(s.idx.free)) {
		t.Errorf("IndexState %q", got)
	}
}

// TestReadInfo: catalog info's SQL counts agree with the index's.
func TestReadInfo(t *testing.T) {
	t.Parallel()
	s := openDemo(t)
	ctx := context.Background()
	in, err := ReadInfo(ctx, s.Path())
	if err != nil {
		t.Fatal(err)
	}
	st, _ := s.Stats(ctx)
	if in.Stats != st || in.Source != "demo" || !reflect.DeepEqual(in.Categories, s.CategoryCounts()) {
		t.Errorf("info %+v, index %+v %v", in, st, s.CategoryCounts())
	}
}

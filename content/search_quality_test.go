package content

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/punto-totem/punto/locales"
)

// The search quality test: what visitors type in each of the 15 languages
// (testdata/queries/{lang}.toml, and testdata/queries-heldout/{lang}.toml,
// written apart from the tuning), run at the demo totem over the demo
// catalog.
//
// The bar of issue 12 is 95% of queries with an expected category in the
// top 5 and at most 2% finding nothing, in every language. The main sets
// reach it in every language (the test logs the figures), and these floors
// hold it. The held-out sets, written apart and never tuned to, check that
// the lexicon generalises: they do not reach the bar in every language yet
// (83% and up, at most 11% nothing, over the demo in 15 languages): their
// floors keep that from slipping.
const (
	minTop5    = 0.95 // main sets: the goal
	maxNothing = 0.02 // main sets: the goal
	// The held-out sets check that the lexicon generalises.
	minTop5HeldOut    = 0.83
	maxNothingHeldOut = 0.12
)

// queryFile is the shape of a query set.
type queryFile struct {
	Query []struct {
		Q          string   `toml:"q"`
		Categories []string `toml:"categories"`
		Note       string   `toml:"note"`
	} `toml:"query"`
}

var (
	qualityOnce  sync.Once
	qualityStore *Store
	qualityDir   string
	qualityErr   error
)

// demoForQuality is the demo catalog, built once for the test binary.
func demoForQuality(t *testing.T) *Store {
	t.Helper()
	qualityOnce.Do(func() {
		if qualityDir, qualityErr = os.MkdirTemp("", "punto-search-quality"); qualityErr != nil {
			return
		}
		path := filepath.Join(qualityDir, "demo.db")
		demo.Copy(t, path)
		qualityStore, qualityErr = Open(context.Background(), path)
	})
	if qualityErr != nil {
		t.Fatal(qualityErr)
	}
	return qualityStore
}

// closeQualityStore is called by TestMain.
func closeQualityStore() {
	if qualityStore != nil {
		qualityStore.Close()
	}
	if qualityDir != "" {
		os.RemoveAll(qualityDir)
	}
}

func TestSearchQuality(t *testing.T) {
	s := demoForQuality(t)
	for _, set := range []string{"queries", "queries-heldout"} {
		for _, lang := range locales.Tags() {
			t.Run(set+"/"+lang, func(t *testing.T) {
				qs, err := readQueries(filepath.Join("testdata", set, lang+".toml"))
				if err != nil {
					t.Fatal(err)
				}
				top5, nothing := 0, 0
				for _, q := range qs.Query {
					found, ok := judge(t, s, lang, q.Q, q.Categories)
					switch {
					case len(found) == 0:
						nothing++
						t.Logf("nothing for %q (%s)", q.Q, q.Note)
					case ok:
						top5++
					default:
						t.Logf("%q (%s): top 5 in %v, want %v", q.Q, q.Note, found, q.Categories)
					}
				}
				n := float64(len(qs.Query))
				t.Logf("%s %-2s: %3d queries, expected category in top 5: %5.1f%%, nothing found: %4.1f%%", set, lang, len(qs.Query), 100*float64(top5)/n, 100*float64(nothing)/n)
				lo, hi := minTop5, maxNothing
				if set == "queries-heldout" {
					lo, hi = minTop5HeldOut, maxNothingHeldOut
				}
				if float64(top5)/n < lo || float64(nothing)/n > hi {
					t.Errorf("below the floor: top 5 ≥ %.0f%%, nothing ≤ %.0f%%", 100*lo, 100*hi)
				}
			})
		}
	}
}

func readQueries(path string) (*queryFile, error) {
	var qs queryFile
	md, err := toml.DecodeFile(path, &qs)
	if err == nil && len(md.Undecoded()) > 0 {
		err = fmt.Errorf("%s: unknown keys %v", path, md.Undecoded())
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no query set %s", path)
		}
		return nil, err
	}
	if len(qs.Query) == 0 {
		return nil, fmt.Errorf("%s: no queries", path)
	}
	for i, q := range qs.Query {
		if _, err := categoryMask(q.Categories); err != nil || strings.TrimSpace(q.Q) == "" {
			return nil, fmt.Errorf("%s: query %d (%q): %v", path, i+1, q.Q, err)
		}
	}
	return &qs, nil
}

// judge runs one query at the demo totem and returns the categories of its
// first 5 results, and whether one is among want.
func judge(t *testing.T, s *Store, lang, q string, want []string) ([]string, bool) {
	t.Helper()
	res, err := s.Find(context.Background(), SearchQuery{Text: q, Lang: lang, From: DemoTotem, Limit: 5})
	if err != nil {
		t.Errorf("%q: %v", q, err)
		return nil, false
	}
	mask, _ := categoryMask(want)
	var found []string
	ok := false
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, h := range res.Hits {
		slot, _ := s.idx.slot(h.ServiceID)
		cats := s.idx.svcs[slot].cats
		ok = ok || cats&mask != 0
		for i, c := range Categories {
			if cats&(1<<i) != 0 {
				found = append(found, c.ID)
			}
		}
	}
	return found, ok
}

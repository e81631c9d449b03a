package content

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
)

// A batch that settles as it goes (every 3 records here) keeps no
// per-record bookkeeping, yet every search row is right at commit: a
// location written again after the batch settled (a new name) rebuilds
// the rows of the services written at it before, both into a new file
// and into an open catalog, whose index is then reloaded whole.
func TestBatchSettles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	shared := func(name string) Location {
		return Location{ID: "shared", Name: Text{"it": name}, Comune: "Ancona", Address: "Via Roma 1", Point: DemoTotem}
	}
	fill := func(prefix, first, later string) func(*Batch) error {
		return func(b *Batch) error {
			b.settleAt = 3
			for i := range 12 {
				loc := Location{ID: fmt.Sprintf("%s-loc-%d", prefix, i), Comune: "Ancona", Address: "Via Po 2", Point: DemoTotem}
				switch i {
				case 0:
					loc = shared(first)
				case 10:
					loc = shared(later) // long after the batch settled
				case 3, 4:
					// Written twice between two settles, never again.
					loc = Location{ID: prefix + "-twice", Name: Text{"it": []string{"Casa Ulivo", "Casa Mandorlo"}[i-3]}, Comune: "Ancona", Address: "Via Po 3", Point: DemoTotem}
				}
				svc := Service{ID: fmt.Sprintf("%s-%02d", prefix, i), Name: Text{"it": "Sportello"}, Categories: []string{"info"}, Locations: []Location{loc}}
				if err := b.PutService(&svc); err != nil {
					return err
				}
			}
			if !b.settled || len(b.services) >= 3 || len(b.locWritten) >= 6 {
				return fmt.Errorf("the batch did not settle: %d services, %d locations held", len(b.services), len(b.locWritten))
			}
			return nil
		}
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "settle.db")
	if err := Create(ctx, path, fill("new", "Casa Vecchia", "Casa Girasole")); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	search := func(q string) []string {
		t.Helper()
		hits, err := s.Search(ctx, q, DemoTotem, 50)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range hits {
			ids = append(ids, h.ServiceID)
		}
		slices.Sort(ids)
		return ids
	}
	if got := search("girasole"); !slices.Equal(got, []string{"new-00", "new-10"}) {
		t.Errorf("new file: girasole finds %v", got)
	}
	if got := search("vecchia"); len(got) != 0 {
		t.Errorf("new file: the old name still finds %v", got)
	}
	if got, old := search("mandorlo"), search("ulivo"); !slices.Equal(got, []string{"new-03", "new-04"}) || len(old) != 0 {
		t.Errorf("new file: mandorlo finds %v, ulivo %v", got, old)
	}
	// Into the open catalog: the same, and the index follows.
	if err := s.Write(ctx, fill("old", "Casa Girasole", "Casa Tulipano")); err != nil {
		t.Fatal(err)
	}
	if got := search("tulipano"); !slices.Equal(got, []string{"new-00", "new-10", "old-00", "old-10"}) {
		t.Errorf("open catalog: tulipano finds %v", got)
	}
	if got := search("girasole"); len(got) != 0 {
		t.Errorf("open catalog: the old name still finds %v", got)
	}
	if n := len(search("sportello")); n != 24 {
		t.Errorf("open catalog: %d services found, 24 written", n)
	}
}

package content

import (
	"context"
	"slices"
	"testing"
)

// In a bulk batch (Batch.Bulk, as exchange.Import writes more than 1,000
// services), a location written again later in the batch (a shared
// building renamed or readdressed by a later record) rebuilds the search
// rows of the services written earlier at it, as a batch that is not bulk
// does: in a new file and in an open catalog, with the batch settling in
// between or not.
func TestBulkSharedLocationRewritten(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, c := range []struct {
		name     string
		fresh    bool
		settleAt int
	}{{"new file", true, 0}, {"open catalog", false, 0}, {"new file, settling", true, 1}, {"open catalog, settling", false, 1}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := openTest(t)
			loc := Location{ID: "loc-shared", Comune: "Ancona", Address: "Via Vecchia 1", Point: DemoTotem}
			err := s.write(ctx, c.fresh, func(b *Batch) error {
				b.Bulk()
				b.settleAt = c.settleAt
				for _, id := range []string{"svc-a", "svc-b"} {
					svc := Service{ID: id, Name: Text{"it": "Sportello " + id}, Categories: []string{"info"}, Locations: []Location{loc}}
					if err := b.PutService(&svc); err != nil {
						return err
					}
					loc.Address = "Via Zanzibar 2" // the second service readdresses the building
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for q, want := range map[string][]string{"zanzibar": {"svc-a", "svc-b"}, "vecchia": {}} {
				hits, err := s.Search(ctx, q, DemoTotem, 10)
				if err != nil {
					t.Fatal(err)
				}
				got := []string{}
				for _, h := range hits {
					got = append(got, h.ServiceID)
				}
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Errorf("search %q: %v, want %v", q, got, want)
				}
			}
		})
	}
}

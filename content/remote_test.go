package content

import (
	"context"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

// TestRemoteServices: a service with no place on the map (a phone line,
// an online service, an address given without coordinates) is stored
// with a NULL geometry and no spatial index entry, is never a nearby
// result, comes in the remote list that passes the same filters, and
// search finds it; given a point again, it is back on the map.
func TestRemoteServices(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openDemo(t)
	var notNull int
	if err := s.r.QueryRowContext(ctx, `SELECT "notnull" FROM pragma_table_info('location') WHERE name = 'geom'`).Scan(&notNull); err != nil || notNull != 0 {
		t.Fatalf("location.geom notnull = %d (%v), want nullable", notNull, err)
	}
	ancona := orb.Point{13.5189, 43.6158}
	phone := Service{
		ID: "linea-zebrafono", Status: StatusActive, Categories: []string{"legal"}, Languages: []string{"ar"},
		Name:   Text{"it": "Linea zebrafono consulenza", "en": "Zebraphone advice line"},
		Phones: []Phone{{Number: "+39 071 000 0000"}},
	}
	unplaced := Service{
		ID: "sportello-zebrafono", Status: StatusActive, Categories: []string{"health"},
		Name:      Text{"it": "Sportello zebrafono"},
		URL:       "https://example.org/",
		Locations: []Location{{ID: "loc-zebra", Address: "Via Senza Numero", NoPoint: true}},
	}
	nowhere := Service{ID: "nowhere", Status: StatusActive, Categories: []string{"legal"}, Name: Text{"it": "Nessun luogo"}}
	if err := s.PutService(ctx, &nowhere); err == nil {
		t.Fatal("a service with no location and no way to reach it was accepted")
	}
	for _, svc := range []*Service{&phone, &unplaced} {
		if err := s.PutService(ctx, svc); err != nil {
			t.Fatal(err)
		}
	}
	var geom []byte
	var inTree int
	if err := s.r.QueryRowContext(ctx, "SELECT geom, (SELECT count(*) FROM idx_location_geom WHERE pkid = location.pk) FROM location WHERE id = 'loc-zebra'").Scan(&geom, &inTree); err != nil {
		t.Fatal(err)
	}
	if geom != nil || inTree != 0 {
		t.Fatalf("geom %x, %d index entries; want NULL and none", geom, inTree)
	}
	got, err := s.Service(ctx, "sportello-zebrafono")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Locations) != 1 || !got.Locations[0].NoPoint || got.Locations[0].Address != "Via Senza Numero" || !got.Remote() {
		t.Fatalf("read back %+v", got.Locations)
	}

	q := NearbyQuery{Center: ancona, RadiusM: MaxRadiusM, Limit: MaxLimit}
	hits, err := s.NearbyHits(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	sqlHits, err := s.NearbySQL(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range append(hits, sqlHits...) {
		if h.ServiceID == phone.ID || h.ServiceID == unplaced.ID {
			t.Fatalf("remote service %s among nearby hits", h.ServiceID)
		}
	}
	remoteIDs := func(q NearbyQuery) []string {
		t.Helper()
		hs, err := s.RemoteHits(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range hs {
			ids = append(ids, h.ServiceID)
		}
		return ids
	}
	if ids := remoteIDs(q); !slices.Contains(ids, phone.ID) || !slices.Contains(ids, unplaced.ID) {
		t.Fatalf("remote %v", ids)
	}
	if ids := remoteIDs(NearbyQuery{Center: ancona, Category: "health"}); slices.Contains(ids, phone.ID) || !slices.Contains(ids, unplaced.ID) {
		t.Fatalf("remote health %v", ids)
	}
	if ids := remoteIDs(NearbyQuery{Center: ancona, Speaks: "ar"}); !slices.Contains(ids, phone.ID) || slices.Contains(ids, unplaced.ID) {
		t.Fatalf("remote speaking ar %v", ids)
	}
	res, err := s.Find(ctx, SearchQuery{Text: "zebrafono", From: ancona})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 0 || len(res.Remote) != 2 {
		t.Fatalf("search: hits %v remote %v", res.Hits, res.Remote)
	}
	sums, err := s.Summaries(ctx, res.Remote, "en", ancona, q.At)
	if err != nil {
		t.Fatal(err)
	}
	if sums[0].ID != phone.ID || sums[0].Name.Text != "Zebraphone advice line" || sums[0].LocationID != "" || sums[0].DistanceM != 0 {
		t.Fatalf("remote summary %+v", sums[0])
	}

	// On the map again.
	unplaced.Locations[0] = Location{ID: "loc-zebra", Address: "Via Senza Numero 1", Comune: "Ancona", PostalCode: "60121", Point: ancona}
	if err := s.PutService(ctx, &unplaced); err != nil {
		t.Fatal(err)
	}
	if ids := remoteIDs(q); slices.Contains(ids, unplaced.ID) {
		t.Fatalf("placed service still remote: %v", ids)
	}
	if hits, err = s.NearbySQL(ctx, NearbyQuery{Center: ancona, RadiusM: 10}); err != nil || len(hits) == 0 {
		t.Fatalf("placed again: %v %v", hits, err)
	}
}

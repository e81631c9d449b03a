package feed

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/content"
)

// A service's channels and a territory's closure travel in the feed: the
// replica holds the same records, closes the in-person desk and puts the
// phone desk first while the closure holds, and forgets it once ended.
func TestChannelsAndClosureReplicate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	portal, replica := openTest(t), openTest(t)
	doc := func(v any) json.RawMessage {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	square := orb.MultiPolygon{{{{13, 43}, {14, 43}, {14, 44}, {13, 44}, {13, 43}}}}
	ter := content.TerritoryDoc{Territory: content.Territory{ID: "ats-x", Kind: "ambito", Name: content.Text{"it": "Ambito X"}}, Shape: square}
	week := content.Schedule{Weekly: []content.Slot{{Weekday: 1, Opens: "09:00", Closes: "13:00"}, {Weekday: 3, Opens: "14:00", Closes: "17:00"}}}
	svc := content.Service{
		ID: "desk", Name: content.Text{"it": "Sportello", "ar": "مكتب"}, Categories: []string{"info"}, Hours: week,
		Locations: []content.Location{{ID: "desk-loc", Address: "Via Roma 1", Comune: "Ancona", Point: orb.Point{13.5, 43.6}}},
		Channels: []content.Channel{
			{ID: "counter", Kind: content.ChannelInPerson, LocationID: "desk-loc", Languages: []string{"it"}, Hours: week},
			{ID: "line", Kind: content.ChannelPhone, Phone: "+39 071 000 0000", Languages: []string{"ar", "it"}, Hours: week},
		},
	}
	monday := time.Date(2026, 12, 7, 10, 0, 0, 0, content.Rome)
	cl := content.Closure{ID: "lockdown", Territory: "ats-x", StartsOn: "2026-12-07", EndsOn: "2026-12-20"}
	// An unknown territory is refused, naming the field.
	bad := cl
	bad.Territory = "ats-nowhere"
	_, err := Publish(ctx, portal, "test", []content.Change{{Kind: content.KindClosure, ID: bad.ID, Op: content.OpPut, Doc: doc(bad)}}, nil)
	var ve *content.ValidationError
	if !errors.As(err, &ve) || ve.Field != "changes[0].territory" {
		t.Fatalf("closure of an unknown territory: %v", err)
	}
	b1, err := Publish(ctx, portal, "test", []content.Change{
		{Kind: content.KindTerritory, ID: ter.ID, Op: content.OpPut, Doc: doc(ter)},
		{Kind: content.KindService, ID: svc.ID, Op: content.OpPut, Doc: doc(svc)},
		{Kind: content.KindClosure, ID: cl.ID, Op: content.OpPut, Doc: doc(cl)},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a := AffectedBy(b1.Last, [][]byte{b1.Body}); !a.Alerts || !a.Other {
		t.Fatalf("a closure must redraw the screens: %+v", a)
	}
	if _, err := ApplyBatches(ctx, replica, [][]byte{b1.Body}); err != nil {
		t.Fatal(err)
	}
	if digest(t, portal) != digest(t, replica) {
		t.Fatal("the replica differs from the portal")
	}
	got, err := replica.Service(ctx, "desk")
	if err != nil || len(got.Channels) != 2 || got.Channels[1].Phone != "+39 071 000 0000" || len(got.Channels[1].Hours.Weekly) != 2 {
		t.Fatalf("channels on the replica: %+v %v", got, err)
	}
	v, err := replica.ServiceView(ctx, "desk", "ar", orb.Point{13.5, 43.6}, monday)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Channels) != 2 || v.Channels[0].Kind != content.ChannelPhone || !v.Channels[0].Open.Open ||
		!v.Channels[1].Closed || v.Channels[1].Open.Open || v.Channels[1].Closure != "lockdown" {
		t.Fatalf("during the closure: %+v", v.Channels)
	}
	if v.Closure != "lockdown" || v.Open.Open {
		t.Errorf("the service during the closure: closure %q, open %+v", v.Closure, v.Open)
	}
	// Results show the desk closed, and open-now leaves it out.
	q := content.NearbyQuery{Center: orb.Point{13.5, 43.6}, At: monday}
	hits, err := replica.NearbyHits(ctx, q)
	if err != nil || len(hits) != 1 {
		t.Fatalf("nearby: %+v %v", hits, err)
	}
	if sums, err := replica.Summaries(ctx, hits, "it", q.Center, monday); err != nil || sums[0].Open.Open {
		t.Errorf("the desk in results during the closure: %+v %v", sums, err)
	}
	q.OpenNow = true
	for name, near := range map[string]func(context.Context, content.NearbyQuery) ([]content.Hit, error){"index": replica.NearbyHits, "SQL": replica.NearbySQL} {
		if hits, err := near(ctx, q); err != nil || len(hits) != 0 {
			t.Errorf("open now (%s) during the closure: %+v %v", name, hits, err)
		}
	}
	here, err := replica.ClosureAt(ctx, orb.Point{13.4, 43.5}, "ar", monday)
	if err != nil || here == nil || len(here.Desks) != 1 || here.Desks[0].Phone != "+39 071 000 0000" || here.Desks[0].Name.Lang != "ar" {
		t.Fatalf("closure at a screen of the territory: %+v %v", here, err)
	}
	if away, err := replica.ClosureAt(ctx, orb.Point{12.4, 43.1}, "ar", monday); err != nil || away != nil {
		t.Fatalf("closure outside the territory: %+v %v", away, err)
	}
	if after, err := replica.ClosureAt(ctx, orb.Point{13.4, 43.5}, "ar", monday.AddDate(0, 0, 14)); err != nil || after != nil {
		t.Fatalf("closure after its last day: %+v %v", after, err)
	}
	// Ending it.
	b2, err := Publish(ctx, portal, "test", []content.Change{{Kind: content.KindClosure, ID: cl.ID, Op: content.OpDelete}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ApplyBatches(ctx, replica, [][]byte{b2.Body}); err != nil {
		t.Fatal(err)
	}
	if here, err := replica.ClosureAt(ctx, orb.Point{13.4, 43.5}, "ar", monday); err != nil || here != nil {
		t.Fatalf("closure once ended: %+v %v", here, err)
	}
	if v, err := replica.ServiceView(ctx, "desk", "it", orb.Point{13.5, 43.6}, monday); err != nil || v.Channels[0].Kind != content.ChannelInPerson || v.Channels[0].Closed ||
		!v.Channels[0].Open.Open || v.Closure != "" || !v.Open.Open {
		t.Fatalf("after the closure: %+v %v", v, err)
	}
	if hits, err := replica.NearbyHits(ctx, q); err != nil || len(hits) != 1 {
		t.Errorf("open now after the closure: %+v %v", hits, err)
	}
}

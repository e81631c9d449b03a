package content

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

// box is a closed rectangular ring around a point, as GeoJSON.
func box(c orb.Point, d float64) string {
	ring := [][2]float64{{c[0] - d, c[1] - d}, {c[0] + d, c[1] - d}, {c[0] + d, c[1] + d}, {c[0] - d, c[1] + d}, {c[0] - d, c[1] - d}}
	b, _ := json.Marshal(map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ring}})
	return string(b)
}

func TestAlertArea(t *testing.T) {
	ctx := context.Background()
	s := openDemo(t)
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	perugia := orb.Point{12.3908, 43.1107}
	a := Alert{ID: "around-ancona", Text: Text{"it": "solo qui"}, StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour),
		TargetKind: "area", Target: box(DemoTotem, 0.05)}
	if err := s.Write(ctx, func(b *Batch) error { return b.PutAlert(&a) }); err != nil {
		t.Fatal(err)
	}
	reaches := func(pos orb.Point) bool {
		as, err := s.ActiveAlerts(ctx, pos, "", now)
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(as, func(x Alert) bool { return x.ID == "around-ancona" })
	}
	if !reaches(DemoTotem) {
		t.Error("a totem inside the area does not get its alert")
	}
	if reaches(perugia) {
		t.Error("a totem outside the area gets its alert")
	}
	got, err := s.Alert(ctx, "around-ancona")
	if err != nil || got.TargetKind != "area" || !strings.Contains(got.Target, `"MultiPolygon"`) {
		t.Fatalf("stored alert: %+v %v", got, err)
	}

	for _, c := range []struct{ name, target, reason string }{
		{"not JSON", "{", "not a GeoJSON"},
		{"a point", `{"type":"Point","coordinates":[13.5,43.6]}`, "Polygon or MultiPolygon"},
		{"open ring", `{"type":"Polygon","coordinates":[[[13,43],[14,43],[14,44],[13,44]]]}`, "closed"},
		{"two corners", `{"type":"Polygon","coordinates":[[[13,43],[14,43],[13,43]]]}`, "closed"},
		{"outside the world", `{"type":"Polygon","coordinates":[[[13,43],[14,43],[14,95],[13,43]]]}`, "ring 0"},
		{"flat", `{"type":"Polygon","coordinates":[[[13,43],[14,43],[15,43],[13,43]]]}`, "no area"},
		{"too large", `{"type":"Polygon","coordinates":[[` + strings.Repeat("[13,43],", 9000) + `[13,43]]]}`, "larger than"},
	} {
		t.Run(c.name, func(t *testing.T) {
			bad := Alert{ID: "bad", Text: Text{"it": "x"}, StartsAt: now, EndsAt: now.Add(time.Hour), TargetKind: "area", Target: c.target}
			err := s.Write(ctx, func(b *Batch) error { return b.PutAlert(&bad) })
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != "target" || !strings.Contains(ve.Reason, c.reason) {
				t.Fatalf("got %v, want a target error saying %q", err, c.reason)
			}
		})
	}
	if _, err := s.Alert(ctx, "bad"); !errors.Is(err, ErrNotFound) {
		t.Error("a refused alert was written")
	}
}

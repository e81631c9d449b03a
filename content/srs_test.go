package content

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
)

// The catalog carries the coordinate systems used in Italy, and the
// SpatiaLite CLI transforms its points into each: Web Mercator to the
// metre, the others to somewhere inside Italy's projected extents.
func TestSpatialiteTransformsItalianSystems(t *testing.T) {
	t.Parallel()
	bin := needTool(t, "spatialite", "spatialite-bin")
	s := openDemo(t)
	srids := []int{4326, 3857, 32632, 32633, 3003, 3004, 6706, 6707, 6708, 25832, 25833}
	var cols []string
	for _, srid := range srids {
		cols = append(cols, fmt.Sprintf("X(ST_Transform(geom, %[1]d)) || ' ' || Y(ST_Transform(geom, %[1]d))", srid))
	}
	out := runTool(t, bin, s.Path(), "SELECT X(geom), Y(geom), "+strings.Join(cols, ", ")+" FROM location WHERE id = (SELECT min(id) FROM location);")
	cells := strings.Split(strings.TrimSpace(out), "|")
	if len(cells) != 2+len(srids) {
		t.Fatalf("spatialite: %q", out)
	}
	lon, _ := strconv.ParseFloat(cells[0], 64)
	lat, _ := strconv.ParseFloat(cells[1], 64)
	for i, srid := range srids {
		var x, y float64
		if _, err := fmt.Sscan(cells[2+i], &x, &y); err != nil {
			t.Errorf("EPSG:%d: %q is no point", srid, cells[2+i])
			continue
		}
		switch srid {
		case 4326, 6706:
			if math.Abs(x-lon) > 1e-4 || math.Abs(y-lat) > 1e-4 {
				t.Errorf("EPSG:%d: %v %v, want %v %v", srid, x, y, lon, lat)
			}
		case 3857:
			const r = 6378137.0
			wantX := r * lon * math.Pi / 180
			wantY := r * math.Log(math.Tan(math.Pi/4+lat*math.Pi/360))
			if math.Abs(x-wantX) > 1 || math.Abs(y-wantY) > 1 {
				t.Errorf("EPSG:3857: %v %v, want %v %v", x, y, wantX, wantY)
			}
		default: // projected in metres: northings of central Italy
			if y < 4.5e6 || y > 5.2e6 {
				t.Errorf("EPSG:%d: %v %v is not in Italy", srid, x, y)
			}
		}
	}
}

package geo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/tidwall/rtree"
)

// boundSlack keeps node lower bounds strictly below the exact distance of
// every point inside, whatever the rounding of the trigonometry.
const boundSlack = 1e-6 // metres

// PointIndex is an in-memory R-tree of points, each known by a uint32 key
// (dense keys keep it small: it holds a slice indexed by key). It answers
// nearest-first walks by great-circle distance and box queries. It is not
// safe for concurrent writes; callers guard it.
//
// The walk orders points by the haversine term hav(θ) = sin²(θ/2), a
// monotone function of the great-circle angle θ that a point's unit vector
// gives without trigonometry (|u−v|² = 4·hav θ); the distance each point is
// reported at is then the exact Distance.
type PointIndex struct {
	tr   rtree.RTreeG[uint32]
	unit [][3]float64 // unit vector of each key's point
}

func unitVector(p orb.Point) [3]float64 {
	lon, lat := deg2rad(p[0]), deg2rad(p[1])
	return [3]float64{math.Cos(lat) * math.Cos(lon), math.Cos(lat) * math.Sin(lon), math.Sin(lat)}
}

// hav is sin²(θ/2) for the angle θ of an arc of meters on the earth.
func hav(meters float64) float64 {
	s := math.Sin(math.Min(meters/orb.EarthRadius, math.Pi) / 2)
	return s * s
}

// Insert adds key at p. A key has one point: inserting it again elsewhere
// needs a Delete first.
func (x *PointIndex) Insert(key uint32, p orb.Point) {
	if int(key) >= len(x.unit) {
		x.unit = append(x.unit, make([][3]float64, int(key)+1-len(x.unit))...)
	}
	x.unit[key] = unitVector(p)
	x.tr.Insert([2]float64(p), [2]float64(p), key)
}

// Delete removes key at p; it does nothing if that pair is absent.
func (x *PointIndex) Delete(key uint32, p orb.Point) {
	x.tr.Delete([2]float64(p), [2]float64(p), key)
}

// Len is the number of indexed points.
func (x *PointIndex) Len() int { return x.tr.Len() }

// Nearby calls visit for every indexed point within maxMeters of center, in
// ascending great-circle distance, until visit returns false. Points at
// equal distance come in no particular order.
func (x *PointIndex) Nearby(center orb.Point, maxMeters float64, visit func(key uint32, p orb.Point, meters float64) bool) {
	c := unitVector(center)
	// A hair of slack on the cut-off: the exact distance decides below.
	limit := hav(maxMeters + boundSlack)
	x.tr.Nearby(
		func(min, max [2]float64, key uint32, item bool) float64 {
			if item {
				u := &x.unit[key]
				dx, dy, dz := u[0]-c[0], u[1]-c[1], u[2]-c[2]
				return (dx*dx + dy*dy + dz*dz) / 4
			}
			return hav(math.Max(0, MinDistance(center, orb.Bound{Min: orb.Point(min), Max: orb.Point(max)})-boundSlack))
		},
		func(min, _ [2]float64, key uint32, h float64) bool {
			if h > limit {
				return false
			}
			p := orb.Point(min)
			d := Distance(center, p)
			if d > maxMeters {
				return true
			}
			return visit(key, p, d)
		},
	)
}

// InBound calls visit for every indexed point inside b (edges included)
// until visit returns false.
func (x *PointIndex) InBound(b orb.Bound, visit func(key uint32, p orb.Point) bool) {
	x.tr.Search([2]float64(b.Min), [2]float64(b.Max), func(min, _ [2]float64, key uint32) bool {
		return visit(key, orb.Point(min))
	})
}

// Area is a polygonal region, such as a territory, known by a string ID.
type Area struct {
	ID    string
	Shape orb.MultiPolygon
}

// AreaIndex finds which areas hold a point. It is built once and then only
// read, so it is safe for concurrent use.
type AreaIndex struct {
	areas []Area
	tr    rtree.RTreeG[int]
}

// NewAreaIndex indexes areas by their bounding boxes.
func NewAreaIndex(areas []Area) *AreaIndex {
	x := &AreaIndex{areas: areas}
	for i, a := range areas {
		b := a.Shape.Bound()
		x.tr.Insert([2]float64(b.Min), [2]float64(b.Max), i)
	}
	return x
}

// At returns the IDs of the areas that contain p (boundary included), in
// the order they were given.
func (x *AreaIndex) At(p orb.Point) []string {
	var hits []int
	x.tr.Search([2]float64(p), [2]float64(p), func(_, _ [2]float64, i int) bool {
		if planar.MultiPolygonContains(x.areas[i].Shape, p) {
			hits = append(hits, i)
		}
		return true
	})
	slices.Sort(hits)
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = x.areas[h].ID
	}
	return ids
}

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

// PointIndex is an in-memory R-tree of points, each known by a uint32 key.
// It answers nearest-first walks by exact great-circle distance and box
// queries. It is not safe for concurrent writes; callers guard it.
type PointIndex struct {
	tr rtree.RTreeG[uint32]
}

// Insert adds key at p. The same key may be inserted at several points.
func (x *PointIndex) Insert(key uint32, p orb.Point) {
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
	x.tr.Nearby(
		func(min, max [2]float64, _ uint32, item bool) float64 {
			if item {
				return Distance(center, orb.Point(min))
			}
			return math.Max(0, MinDistance(center, orb.Bound{Min: orb.Point(min), Max: orb.Point(max)})-boundSlack)
		},
		func(min, _ [2]float64, key uint32, d float64) bool {
			if d > maxMeters {
				return false
			}
			return visit(key, orb.Point(min), d)
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

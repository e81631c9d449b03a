package geo

import (
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/tidwall/rtree"
)

// boundSlack keeps lower bounds strictly below the exact distance of every
// point they bound, whatever the rounding of the trigonometry.
const boundSlack = 1e-6 // metres

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
// the order they were given. A nil index holds no areas.
func (x *AreaIndex) At(p orb.Point) []string {
	if x == nil {
		return nil
	}
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

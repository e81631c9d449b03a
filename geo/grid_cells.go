package geo

import (
	"cmp"
	"slices"
)

// A PointIndex keeps its cells in two forms. Compact packs every point in
// one array, cell after cell in row order over the occupied range, with
// each cell's start in a dense table: finding a cell is an array index,
// not a hash look-up (a map was a sixth of a nearby request's CPU on a
// million points), and a cell costs 4 bytes rather than a map entry. A
// cell changed after that moves into the map with a slice of its own and
// is marked moved; so are cells outside the packed range. Where the
// occupied range would need far more cells than there are points (a few
// points spread over the globe), everything stays in the map.

// packed is the packed form.
type packed struct {
	pts    []gridPoint
	start  []uint32 // cell c's points are pts[start[c]:start[c+1]]
	moved  []uint64 // bit c: cell c lives in the map now
	i0, j0 int32    // the packed range's first cell
	w, h   int32    // its width (in i) and height (in j)
}

// denseCells is how many cells a packed range may have for n points.
func denseCells(n int) int64 { return max(4*int64(n), 1<<16) }

// packedCell is the number of cell (i, j) in the packed range, if it is
// there and has not moved.
func (x *PointIndex) packedCell(i, j int32) (int, bool) {
	di, dj := i-x.pk.i0, j-x.pk.j0
	if uint32(di) >= uint32(x.pk.w) || uint32(dj) >= uint32(x.pk.h) {
		return 0, false
	}
	c := int(di)*int(x.pk.h) + int(dj)
	if x.pk.moved != nil && x.pk.moved[c/64]&(1<<(c%64)) != 0 {
		return 0, false
	}
	return c, true
}

// cellPoints is the points of cell (i, j); the caller must not append to
// them.
func (x *PointIndex) cellPoints(i, j int32) []gridPoint {
	if c, ok := x.packedCell(i, j); ok {
		a, b := x.pk.start[c], x.pk.start[c+1]
		return x.pk.pts[a:b:b]
	}
	if len(x.cells) == 0 {
		return nil
	}
	return x.cells[cellKey(i, j)]
}

// detach moves cell (i, j) into the map, if it is packed, before a
// change; the packed slice keeps no spare room, so an append copies it.
func (x *PointIndex) detach(i, j int32) {
	c, ok := x.packedCell(i, j)
	if !ok {
		return
	}
	if x.pk.moved == nil {
		x.pk.moved = make([]uint64, (len(x.pk.start)-1+63)/64)
	}
	x.pk.moved[c/64] |= 1 << (c % 64)
	if a, b := x.pk.start[c], x.pk.start[c+1]; b > a {
		x.cells[cellKey(i, j)] = slices.Clone(x.pk.pts[a:b])
	}
}

// eachCell calls fn with every non-empty cell's points until fn returns
// false.
func (x *PointIndex) eachCell(fn func([]gridPoint) bool) {
	for c := 0; c+1 < len(x.pk.start); c++ {
		if x.pk.moved != nil && x.pk.moved[c/64]&(1<<(c%64)) != 0 {
			continue
		}
		if a, b := x.pk.start[c], x.pk.start[c+1]; b > a && !fn(x.pk.pts[a:b:b]) {
			return
		}
	}
	for _, c := range x.cells {
		if !fn(c) {
			return
		}
	}
}

// eachPacked calls fn with every non-empty packed cell that has not
// moved, in row order.
func (x *PointIndex) eachPacked(fn func(i, j int32, pts []gridPoint)) {
	for c := 0; c+1 < len(x.pk.start); c++ {
		if x.pk.moved != nil && x.pk.moved[c/64]&(1<<(c%64)) != 0 {
			continue
		}
		if a, b := x.pk.start[c], x.pk.start[c+1]; b > a {
			fn(x.pk.i0+int32(c/int(x.pk.h)), x.pk.j0+int32(c%int(x.pk.h)), x.pk.pts[a:b:b])
		}
	}
}

// keyedCell is a non-empty cell and its points.
type keyedCell struct {
	i, j int32
	pts  []gridPoint
}

// sortedCells is every non-empty cell in row order: i, then j.
func (x *PointIndex) sortedCells() []keyedCell {
	out := make([]keyedCell, 0, len(x.cells))
	x.eachPacked(func(i, j int32, pts []gridPoint) { out = append(out, keyedCell{i, j, pts}) })
	for k, c := range x.cells {
		out = append(out, keyedCell{int32(k >> 32), int32(uint32(k)), c})
	}
	slices.SortFunc(out, func(a, b keyedCell) int { return cmp.Or(cmp.Compare(a.i, b.i), cmp.Compare(a.j, b.j)) })
	return out
}

// pack lays out cells (in row order, n points in all) packed over the
// occupied range, or in the map when that range is too sparse. The
// points are copied into one allocation unless pts already holds them in
// that order.
func (x *PointIndex) pack(cells []keyedCell, n int, pts []gridPoint) {
	x.pk, x.cells = packed{}, map[int64][]gridPoint{}
	if pts == nil {
		pts = make([]gridPoint, 0, n)
		for _, c := range cells {
			pts = append(pts, c.pts...)
		}
	}
	w, h := int64(x.maxI)-int64(x.minI)+1, int64(x.maxJ)-int64(x.minJ)+1
	if len(cells) == 0 || w*h > denseCells(n) {
		at := 0
		for _, c := range cells {
			x.cells[cellKey(c.i, c.j)] = pts[at : at+len(c.pts) : at+len(c.pts)]
			at += len(c.pts)
		}
		return
	}
	x.pk = packed{pts: pts, start: make([]uint32, w*h+1), i0: x.minI, j0: x.minJ, w: int32(w), h: int32(h)}
	at, next := uint32(0), 0 // points placed, next cell number to start
	for _, c := range cells {
		cn := int(c.i-x.minI)*int(h) + int(c.j-x.minJ)
		for ; next <= cn; next++ {
			x.pk.start[next] = at
		}
		at += uint32(len(c.pts))
	}
	for ; next < len(x.pk.start); next++ {
		x.pk.start[next] = at
	}
}

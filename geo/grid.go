package geo

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"unsafe"

	"github.com/paulmach/orb"
)

// DefaultCellDeg is the grid cell size a PointIndex uses unless told.
const DefaultCellDeg = 0.01

// PointIndex is an in-memory grid of points, each known by a uint32 key.
// It answers nearest-first walks by exact great-circle distance and box
// queries, and takes inserts and deletes at any time. It is not safe for
// concurrent writes; callers guard it.
//
// Points are bucketed in square lon/lat cells. A walk explores rings of
// cells around the query point and hands out a point once nothing outside
// the explored block can be nearer. Points are ordered by the haversine
// term hav(θ) = sin²(θ/2), a monotone function of the great-circle angle
// that a point's unit vector gives without trigonometry (|u−v|² = 4·hav θ);
// the distance each point is reported at is the exact Distance.
//
// Each point may carry tags, a set of up to 16 the caller numbers (content
// tags a service's point with its categories): a walk can keep to the
// points with any of some tags, so one grid serves every such filter
// without a copy of its points per tag.
type PointIndex struct {
	cell  float64               // cell size in degrees
	cells map[int64][]gridPoint // cells not packed (grid_cells.go)
	pk    packed
	n     int
	// occupied cell range, for stopping a walk once it covers every point
	minI, maxI, minJ, maxJ int32
}

type gridPoint struct {
	u    [3]float64
	p    orb.Point
	key  uint32
	tags uint16 // in what was padding
}

// NewPointIndex makes an index with cells of cellDeg degrees: about the
// spacing of points where they are densest works well.
func NewPointIndex(cellDeg float64) *PointIndex {
	x := &PointIndex{}
	x.init(cellDeg)
	return x
}

func (x *PointIndex) init(cellDeg float64) {
	if cellDeg <= 0 || math.IsNaN(cellDeg) {
		cellDeg = DefaultCellDeg
	}
	x.cell = cellDeg
	x.cells = map[int64][]gridPoint{}
	x.minI, x.minJ = math.MaxInt32, math.MaxInt32
	x.maxI, x.maxJ = math.MinInt32, math.MinInt32
}

func unitVector(p orb.Point) [3]float64 {
	lon, lat := deg2rad(p[0]), deg2rad(p[1])
	return [3]float64{math.Cos(lat) * math.Cos(lon), math.Cos(lat) * math.Sin(lon), math.Sin(lat)}
}

// hav is sin²(θ/2) for the angle θ of an arc of meters on the earth.
func hav(meters float64) float64 {
	s := math.Sin(math.Min(math.Max(meters, 0)/orb.EarthRadius, math.Pi) / 2)
	return s * s
}

func (x *PointIndex) cellOf(p orb.Point) (int32, int32) {
	return int32(math.Floor(p[0] / x.cell)), int32(math.Floor(p[1] / x.cell))
}

func cellKey(i, j int32) int64 { return int64(i)<<32 | int64(uint32(j)) }

// Insert adds key at p, with no tags. The same key may stand at several
// points.
func (x *PointIndex) Insert(key uint32, p orb.Point) { x.InsertTagged(key, p, 0) }

// InsertTagged adds key at p with tags (bit i: tag i).
func (x *PointIndex) InsertTagged(key uint32, p orb.Point, tags uint16) {
	if x.cells == nil {
		x.init(DefaultCellDeg)
	}
	i, j := x.cellOf(p)
	k := cellKey(i, j)
	x.detach(i, j)
	x.cells[k] = append(x.cells[k], gridPoint{u: unitVector(p), p: p, key: key, tags: tags})
	x.n++
	x.minI, x.maxI = min(x.minI, i), max(x.maxI, i)
	x.minJ, x.maxJ = min(x.minJ, j), max(x.maxJ, j)
}

// Delete removes key at p; it does nothing if that pair is absent.
func (x *PointIndex) Delete(key uint32, p orb.Point) {
	if x.cells == nil {
		return
	}
	i, j := x.cellOf(p)
	k := cellKey(i, j)
	c := x.cellPoints(i, j)
	for n := range c {
		if c[n].key != key || c[n].p != p {
			continue
		}
		x.detach(i, j)
		c = x.cells[k]
		c[n] = c[len(c)-1]
		c = c[:len(c)-1]
		x.n--
		if len(c) == 0 {
			delete(x.cells, k)
		} else {
			x.cells[k] = c
		}
		return
	}
}

// Compact packs every cell's points into one allocation without spare
// capacity, in the dense layout of grid_cells.go. After a bulk load the
// cells' slices, grown by doubling, keep a third or more of their memory
// unused, in as many small allocations as cells; a later change to a cell
// gives that cell its own slice again.
func (x *PointIndex) Compact() {
	if x.cells == nil {
		return
	}
	x.pack(x.sortedCells(), x.n, nil)
}

// WriteTo writes the index in the form ReadPointIndex reads: the cell
// size, the occupied range, each cell's key and number of points in row
// order, then every point as it is held in memory (this build's layout
// and byte order: a cache, not an exchange format).
func (x *PointIndex) WriteTo(w io.Writer) (int64, error) {
	cells := x.sortedCells()
	head := binary.LittleEndian.AppendUint64(nil, math.Float64bits(x.cell))
	for _, v := range []int32{x.minI, x.maxI, x.minJ, x.maxJ} {
		head = binary.LittleEndian.AppendUint32(head, uint32(v))
	}
	head = binary.LittleEndian.AppendUint64(head, uint64(x.n))
	head = binary.LittleEndian.AppendUint64(head, uint64(len(cells)))
	for _, c := range cells {
		head = binary.LittleEndian.AppendUint64(head, uint64(cellKey(c.i, c.j)))
		head = binary.LittleEndian.AppendUint32(head, uint32(len(c.pts)))
	}
	total := int64(0)
	n, err := w.Write(head)
	total += int64(n)
	for _, kc := range cells {
		if err != nil {
			break
		}
		c := kc.pts
		n, err = w.Write(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(c))), len(c)*int(unsafe.Sizeof(gridPoint{}))))
		total += int64(n)
	}
	return total, err
}

// ErrBadIndex is ReadPointIndex's answer to data it cannot have written.
var ErrBadIndex = errors.New("geo: not a point index")

// ReadPointIndex reads what WriteTo wrote, its points in one allocation.
// limit bounds the bytes it may read, and every key must be below
// maxKey.
func ReadPointIndex(r io.Reader, limit int64, maxKey uint32) (*PointIndex, error) {
	var head [40]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadIndex, err)
	}
	x := &PointIndex{cell: math.Float64frombits(binary.LittleEndian.Uint64(head[:]))}
	x.minI, x.maxI = int32(binary.LittleEndian.Uint32(head[8:])), int32(binary.LittleEndian.Uint32(head[12:]))
	x.minJ, x.maxJ = int32(binary.LittleEndian.Uint32(head[16:])), int32(binary.LittleEndian.Uint32(head[20:]))
	n, cells := binary.LittleEndian.Uint64(head[24:]), binary.LittleEndian.Uint64(head[32:])
	size := uint64(unsafe.Sizeof(gridPoint{}))
	if !(x.cell > 0) || cells > n || n > uint64(limit)/size || cells > uint64(limit)/12 {
		return nil, fmt.Errorf("%w: %d points in %d cells", ErrBadIndex, n, cells)
	}
	list := make([]byte, 12*cells)
	if _, err := io.ReadFull(r, list); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadIndex, err)
	}
	pts := make([]gridPoint, n)
	if _, err := io.ReadFull(r, unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(pts))), len(pts)*int(size))); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadIndex, err)
	}
	x.n = int(n)
	kcs := make([]keyedCell, cells)
	at := uint64(0)
	for i := range kcs {
		k := int64(binary.LittleEndian.Uint64(list[12*i:]))
		c := uint64(binary.LittleEndian.Uint32(list[12*i+8:]))
		kc := keyedCell{i: int32(k >> 32), j: int32(uint32(k))}
		// In row order, each once, inside the occupied range.
		if c == 0 || at+c > n || kc.i < x.minI || kc.i > x.maxI || kc.j < x.minJ || kc.j > x.maxJ ||
			i > 0 && cmp.Or(cmp.Compare(kcs[i-1].i, kc.i), cmp.Compare(kcs[i-1].j, kc.j)) >= 0 {
			return nil, fmt.Errorf("%w: cell %d", ErrBadIndex, k)
		}
		kc.pts = pts[at : at+c : at+c]
		kcs[i] = kc
		at += c
	}
	if at != n {
		return nil, fmt.Errorf("%w: %d points in cells, %d in all", ErrBadIndex, at, n)
	}
	x.pack(kcs, x.n, pts)
	for _, p := range pts {
		if p.key >= maxKey {
			return nil, fmt.Errorf("%w: key %d", ErrBadIndex, p.key)
		}
	}
	return x, nil
}

// Len is the number of indexed points.
func (x *PointIndex) Len() int { return x.n }

// candidate is a point found by a walk, waiting for its turn.
type candidate struct {
	h   float64
	key uint32
	p   orb.Point
}

// heap is a binary min-heap of candidates by h.
type heap []candidate

// heapPool recycles walk buffers: a walk in a dense town collects hundreds
// of candidates.
var heapPool = sync.Pool{New: func() any { h := make(heap, 0, 256); return &h }}

func (q *heap) push(c candidate) {
	*q = append(*q, c)
	h := *q
	for i := len(h) - 1; i > 0; {
		parent := (i - 1) / 2
		if h[parent].h <= h[i].h {
			break
		}
		h[parent], h[i] = h[i], h[parent]
		i = parent
	}
}

func (q *heap) pop() candidate {
	h := *q
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h) && h[l].h < h[m].h {
			m = l
		}
		if r < len(h) && h[r].h < h[m].h {
			m = r
		}
		if m == i {
			break
		}
		h[m], h[i] = h[i], h[m]
		i = m
	}
	*q = h
	return top
}

// outside is a lower bound of the distance from p, inside the block of
// cells [i0, i1] × [j0, j1], to any point outside it.
func (x *PointIndex) outside(p orb.Point, i0, i1, j0, j1 int32) float64 {
	lonMin, lonMax := float64(i0)*x.cell, float64(i1+1)*x.cell
	latMin, latMax := float64(j0)*x.cell, float64(j1+1)*x.cell
	lat := deg2rad(p[1])
	// North and south: any point beyond a parallel is at least the
	// latitude gap away.
	d := math.Min(deg2rad(latMax-p[1]), deg2rad(p[1]-latMin))
	// East and west: the distance to the meridian's great circle.
	for _, dl := range []float64{lonMax - p[0], p[0] - lonMin} {
		if dl >= 90 {
			continue
		}
		d = math.Min(d, math.Asin(math.Cos(lat)*math.Sin(deg2rad(dl))))
	}
	return math.Max(0, d*orb.EarthRadius-boundSlack)
}

// Nearby calls visit for every indexed point within maxMeters of center, in
// ascending great-circle distance, until visit returns false. Points at
// equal distance come in no particular order.
func (x *PointIndex) Nearby(center orb.Point, maxMeters float64, visit func(key uint32, p orb.Point, meters float64) bool) {
	x.NearbyTagged(center, maxMeters, 0, visit)
}

// NearbyTagged is Nearby over the points with any of tags (0: every
// point).
func (x *PointIndex) NearbyTagged(center orb.Point, maxMeters float64, tags uint16, visit func(key uint32, p orb.Point, meters float64) bool) {
	if x.n == 0 {
		return
	}
	c := unitVector(center)
	limit := hav(maxMeters + boundSlack)
	ci, cj := x.cellOf(center)
	qp := heapPool.Get().(*heap)
	q := (*qp)[:0]
	defer func() { *qp = q[:0]; heapPool.Put(qp) }()
	for r := int32(0); ; r++ {
		i0, i1, j0, j1 := ci-r, ci+r, cj-r, cj+r
		// Add the ring of cells at Chebyshev distance r.
		for i := i0; i <= i1; i++ {
			if i < x.minI || i > x.maxI {
				continue
			}
			step := i1 - i0
			if i == i0 || i == i1 {
				step = 1
			}
			for j := j0; j <= j1; j += max(step, 1) {
				if j < x.minJ || j > x.maxJ {
					continue
				}
				cl := x.cellPoints(i, j)
				for k := range cl {
					g := &cl[k]
					if tags != 0 && g.tags&tags == 0 {
						continue
					}
					dx, dy, dz := g.u[0]-c[0], g.u[1]-c[1], g.u[2]-c[2]
					if h := (dx*dx + dy*dy + dz*dz) / 4; h <= limit {
						q.push(candidate{h: h, key: g.key, p: g.p})
					}
				}
			}
		}
		covered := i0 <= x.minI && i1 >= x.maxI && j0 <= x.minJ && j1 >= x.maxJ
		bound := math.Inf(1)
		if !covered {
			bound = hav(x.outside(center, i0, i1, j0, j1))
		}
		for len(q) > 0 && q[0].h <= bound {
			g := q.pop()
			d := Distance(center, g.p)
			if d > maxMeters {
				continue
			}
			if !visit(g.key, g.p, d) {
				return
			}
		}
		if covered || bound > limit {
			return
		}
	}
}

// InBound calls visit for every indexed point inside b (edges included)
// until visit returns false.
func (x *PointIndex) InBound(b orb.Bound, visit func(key uint32, p orb.Point) bool) {
	if x.n == 0 {
		return
	}
	i0, j0 := x.cellOf(b.Min)
	i1, j1 := x.cellOf(b.Max)
	i0, i1 = max(i0, x.minI), min(i1, x.maxI)
	j0, j1 = max(j0, x.minJ), min(j1, x.maxJ)
	each := func(c []gridPoint) bool {
		for _, g := range c {
			if b.Contains(g.p) && !visit(g.key, g.p) {
				return false
			}
		}
		return true
	}
	if i1 < i0 || j1 < j0 {
		return
	}
	if int64(i1-i0+1)*int64(j1-j0+1) > int64(x.n) { // more cells than points
		x.eachCell(each)
		return
	}
	for i := i0; i <= i1; i++ {
		for j := j0; j <= j1; j++ {
			if !each(x.cellPoints(i, j)) {
				return
			}
		}
	}
}

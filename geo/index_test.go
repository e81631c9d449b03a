package geo

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

func TestPointIndexNearbyMatchesBruteForce(t *testing.T) {
	for _, cell := range []float64{0.002, 0.01, 0.3, 5} {
		t.Run(fmt.Sprint("cell=", cell), func(t *testing.T) { testNearby(t, NewPointIndex(cell), false) })
		// Compacted after most inserts: the rest, and the deletes, then
		// change cells that share one allocation.
		t.Run(fmt.Sprint("compacted cell=", cell), func(t *testing.T) { testNearby(t, NewPointIndex(cell), true) })
	}
}

func testNearby(t *testing.T, x *PointIndex, compact bool) {
	r := rand.New(rand.NewPCG(7, 11))
	pts := make([]orb.Point, 5000)
	tags := make([]uint16, len(pts)) // one or two of 13, as content tags categories
	for i := range pts {
		pts[i] = orb.Point{12 + r.Float64()*2, 42.5 + r.Float64()*1.5}
		if i >= 4000 { // past the packed range too, once compacted
			pts[i] = orb.Point{11.7 + r.Float64()*2.6, 42.2 + r.Float64()*2.1}
		}
		if compact && i == 4000 {
			x.Compact()
		}
		tags[i] = 1<<r.IntN(13) | uint16(r.IntN(2))<<r.IntN(13)
		x.InsertTagged(uint32(i), pts[i], tags[i])
	}
	// Delete a few so deletes are exercised too.
	deleted := map[uint32]bool{}
	for i := 0; i < 500; i += 3 {
		x.Delete(uint32(i), pts[i])
		deleted[uint32(i)] = true
	}
	type hit struct {
		key uint32
		d   float64
	}
	if x.Len() != len(pts)-len(deleted) {
		t.Fatalf("Len = %d, want %d", x.Len(), len(pts)-len(deleted))
	}
	for q := range 400 {
		c := orb.Point{11.8 + r.Float64()*2.4, 42.3 + r.Float64()*1.9}
		radius := 1000 + r.Float64()*40000
		var mask uint16 // every other query keeps to some tags
		if q%2 == 1 {
			a, b := r.IntN(13), r.IntN(13)
			mask = 1<<a | 1<<b
		}
		var got []hit
		x.NearbyTagged(c, radius, mask, func(k uint32, _ orb.Point, d float64) bool {
			got = append(got, hit{k, d})
			return len(got) < 25
		})
		var want []hit
		for i, p := range pts {
			if d := Distance(c, p); d <= radius && !deleted[uint32(i)] && (mask == 0 || tags[i]&mask != 0) {
				want = append(want, hit{uint32(i), d})
			}
		}
		slices.SortFunc(want, func(a, b hit) int { return cmp.Compare(a.d, b.d) })
		want = want[:min(25, len(want))]
		if len(got) != len(want) {
			t.Fatalf("query %d: %d hits, want %d", q, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("query %d hit %d: %+v, want %+v", q, i, got[i], want[i])
			}
		}
	}
}

func TestAreaIndex(t *testing.T) {
	sq := func(x0, y0, s float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x0, y0}, {x0 + s, y0}, {x0 + s, y0 + s}, {x0, y0 + s}, {x0, y0}}}}
	}
	x := NewAreaIndex([]Area{{"a", sq(0, 0, 10)}, {"b", sq(5, 5, 10)}, {"c", sq(20, 20, 1)}})
	for _, c := range []struct {
		p    orb.Point
		want []string
	}{
		{orb.Point{1, 1}, []string{"a"}},
		{orb.Point{6, 6}, []string{"a", "b"}},
		{orb.Point{12, 12}, []string{"b"}},
		{orb.Point{30, 30}, []string{}},
	} {
		if got := x.At(c.p); !slices.Equal(got, c.want) {
			t.Errorf("At(%v) = %v, want %v", c.p, got, c.want)
		}
	}
}

func TestPointIndexInBound(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	x := NewPointIndex(0.05)
	pts := make([]orb.Point, 2000)
	for i := range pts {
		pts[i] = orb.Point{12 + r.Float64()*2, 42 + r.Float64()*2}
		x.Insert(uint32(i), pts[i])
	}
	for _, b := range []orb.Bound{
		{Min: orb.Point{12.5, 42.5}, Max: orb.Point{13, 43}},
		{Min: orb.Point{0, 0}, Max: orb.Point{50, 50}},
		{Min: orb.Point{20, 20}, Max: orb.Point{21, 21}},
	} {
		got := map[uint32]bool{}
		x.InBound(b, func(k uint32, _ orb.Point) bool { got[k] = true; return true })
		n := 0
		for i, p := range pts {
			if b.Contains(p) {
				n++
				if !got[uint32(i)] {
					t.Fatalf("%v: missed %d", b, i)
				}
			}
		}
		if n != len(got) {
			t.Errorf("%v: %d found, want %d", b, len(got), n)
		}
	}
}

// TestPointIndexWriteRead: an index read back answers as the one written,
// takes inserts and deletes, and what it could not have written is
// refused.
func TestPointIndexWriteRead(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	x := NewPointIndex(0.05)
	pts := make([]orb.Point, 3000)
	for i := range pts {
		pts[i] = orb.Point{12 + r.Float64()*2, 42.5 + r.Float64()*1.5}
		x.Insert(uint32(i), pts[i])
	}
	x.Compact()
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	y, err := ReadPointIndex(bytes.NewReader(data), int64(len(data)), uint32(len(pts)))
	if err != nil {
		t.Fatal(err)
	}
	// The same changes to both, then the same answers.
	for i := 0; i < 300; i += 7 {
		x.Delete(uint32(i), pts[i])
		y.Delete(uint32(i), pts[i])
		p := orb.Point{12 + r.Float64()*2, 42.5 + r.Float64()*1.5}
		x.Insert(uint32(i), p)
		y.Insert(uint32(i), p)
	}
	if x.Len() != y.Len() {
		t.Fatalf("Len %d, read back %d", x.Len(), y.Len())
	}
	type hit struct {
		key uint32
		d   float64
	}
	walk := func(z *PointIndex, c orb.Point) []hit {
		var out []hit
		z.Nearby(c, 30000, func(k uint32, _ orb.Point, d float64) bool {
			out = append(out, hit{k, d})
			return len(out) < 30
		})
		return out
	}
	for range 100 {
		c := orb.Point{11.8 + r.Float64()*2.4, 42.3 + r.Float64()*1.9}
		if got, want := walk(y, c), walk(x, c); !slices.Equal(got, want) || len(want) == 0 {
			t.Fatalf("near %v: %v, want %v", c, got, want)
		}
	}
	// The first two cells' entries (key and count, 12 bytes each, after
	// the 40-byte head) swapped; the first cell moved past the range.
	swapped := slices.Clone(data)
	copy(swapped[40:52], data[52:64])
	copy(swapped[52:64], data[40:52])
	outside := slices.Clone(data)
	outside[44]-- // the high half of the first key: its i
	for _, c := range []struct {
		name   string
		data   []byte
		maxKey uint32
	}{
		{"truncated", data[:len(data)-10], uint32(len(pts))},
		{"header only", data[:40], uint32(len(pts))},
		{"empty", nil, uint32(len(pts))},
		{"a key out of range", data, uint32(len(pts) - 1)},
		{"counts past the end", append(append([]byte{}, data[:24]...), bytes.Repeat([]byte{0xff}, 16)...), uint32(len(pts))},
		{"cells out of order", swapped, uint32(len(pts))},
		{"a cell outside the range", outside, uint32(len(pts))},
	} {
		if _, err := ReadPointIndex(bytes.NewReader(c.data), int64(len(c.data)), c.maxKey); !errors.Is(err, ErrBadIndex) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

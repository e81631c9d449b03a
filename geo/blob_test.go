package geo

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func TestBlobRoundTrip(t *testing.T) {
	square := orb.Ring{{12, 42}, {13, 42}, {13, 43}, {12, 43}, {12, 42}}
	hole := orb.Ring{{12.2, 42.2}, {12.2, 42.4}, {12.4, 42.4}, {12.4, 42.2}, {12.2, 42.2}}
	tests := []struct {
		name string
		geom orb.Geometry
	}{
		{"point", orb.Point{13.5189, 43.6158}},
		{"negative point", orb.Point{-70.25, -33.5}},
		{"linestring", orb.LineString{{13, 43}, {13.5, 43.5}, {14, 43.25}}},
		{"polygon", orb.Polygon{square}},
		{"polygon with hole", orb.Polygon{square, hole}},
		{"multipoint", orb.MultiPoint{{1, 2}, {3, 4}}},
		{"multilinestring", orb.MultiLineString{{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}, {9, 10}}}},
		{"multipolygon", orb.MultiPolygon{{square}, {{{14, 44}, {15, 44}, {15, 45}, {14, 45}, {14, 44}}}}},
		{"collection", orb.Collection{orb.Point{1, 2}, orb.LineString{{0, 0}, {1, 1}}, orb.Polygon{square}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blob, err := EncodeBlob(tt.geom, SRID)
			if err != nil {
				t.Fatal(err)
			}
			got, srid, err := DecodeBlob(blob)
			if err != nil {
				t.Fatal(err)
			}
			if srid != SRID {
				t.Errorf("srid = %d, want %d", srid, SRID)
			}
			if !orb.Equal(got, tt.geom) {
				t.Errorf("round trip = %v, want %v", got, tt.geom)
			}
			// The MBR in the header is the geometry's bound.
			var b Blob
			if err := b.Scan(blob); err != nil {
				t.Fatal(err)
			}
			want := tt.geom.Bound()
			if mbr := blobMBR(blob); mbr != want {
				t.Errorf("mbr = %v, want %v", mbr, want)
			}
		})
	}
}

func blobMBR(b []byte) orb.Bound {
	f := func(off int) float64 {
		var u uint64
		for i := 7; i >= 0; i-- {
			u = u<<8 | uint64(b[off+i])
		}
		return math.Float64frombits(u)
	}
	return orb.Bound{Min: orb.Point{f(6), f(14)}, Max: orb.Point{f(22), f(30)}}
}

func TestBlobBigEndian(t *testing.T) {
	// POINT(1 2), SRID 4326, written big-endian by hand.
	blob := []byte{0x00, 0x00, 0x00, 0x00, 0x10, 0xE6}
	be := func(v float64) []byte {
		u := math.Float64bits(v)
		out := make([]byte, 8)
		for i := range 8 {
			out[i] = byte(u >> (56 - 8*i))
		}
		return out
	}
	for _, v := range []float64{1, 2, 1, 2} {
		blob = append(blob, be(v)...)
	}
	blob = append(blob, 0x7C, 0, 0, 0, 1)
	blob = append(blob, be(1)...)
	blob = append(blob, be(2)...)
	blob = append(blob, 0xFE)
	g, srid, err := DecodeBlob(blob)
	if err != nil {
		t.Fatal(err)
	}
	if srid != 4326 || g != (orb.Point{1, 2}) {
		t.Errorf("got %v srid %d", g, srid)
	}
}

func TestBlobErrors(t *testing.T) {
	good, _ := EncodeBlob(orb.LineString{{1, 2}, {3, 4}}, SRID)
	truncated := append([]byte{}, good[:len(good)-9]...)
	truncated = append(truncated, blobEnd)
	hugeCount := append([]byte{}, good...)
	hugeCount[43], hugeCount[44], hugeCount[45], hugeCount[46] = 0xFF, 0xFF, 0xFF, 0x7F
	badClass := append([]byte{}, good...)
	badClass[39] = 99
	trailing := append(append([]byte{}, good[:len(good)-1]...), 0, blobEnd)
	tests := []struct {
		name string
		blob []byte
		want error
	}{
		{"empty", nil, ErrBlobTooShort},
		{"wkb not spatialite", []byte("\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf0?\x00\x00\x00\x00\x00\x00\x00@0123456789012345678901234567"), ErrBlobMarker},
		{"truncated", truncated, ErrBlobTooShort},
		{"huge count", hugeCount, ErrBlobTooShort},
		{"unknown class", badClass, ErrBlobClass},
		{"trailing bytes", trailing, ErrBlobTrailing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := DecodeBlob(tt.blob)
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := EncodeBlob(orb.Polygon{}, SRID); !errors.Is(err, ErrEmptyGeometry) {
		t.Errorf("empty polygon: err = %v", err)
	}
	var b Blob
	if err := b.Scan("POINT(1 2)"); err == nil {
		t.Error("scanning a string: want an error")
	}
}

func TestDecodeBlobRefusesNonFinite(t *testing.T) {
	t.Parallel()
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		b, err := EncodeBlob(orb.Point{1, 2}, SRID)
		if err != nil {
			t.Fatal(err)
		}
		// The point's X follows the header (39 bytes) and the class (4).
		binary.LittleEndian.PutUint64(b[43:], math.Float64bits(v))
		if _, _, err := DecodeBlob(b); !errors.Is(err, ErrNonFinite) {
			t.Errorf("%v: err = %v", v, err)
		}
	}
}

func FuzzDecodeBlob(f *testing.F) {
	for _, g := range []orb.Geometry{orb.Point{1, 2}, orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}}} {
		b, _ := EncodeBlob(g, SRID)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g, srid, err := DecodeBlob(data)
		if err != nil {
			return
		}
		if !finite(g) {
			t.Fatalf("decoded a non-finite coordinate: %v", g)
		}
		again, err := EncodeBlob(g, srid)
		if err != nil {
			return // e.g. an empty collection decodes but is not stored
		}
		if g2, _, err := DecodeBlob(again); err != nil || !orb.Equal(g, g2) {
			t.Fatalf("re-encode changed %v: %v %v", g, g2, err)
		}
	})
}

// finite reports whether every coordinate of g is a finite number.
func finite(g orb.Geometry) bool {
	points := func(ps []orb.Point) bool {
		for _, p := range ps {
			for _, v := range p {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return false
				}
			}
		}
		return true
	}
	switch g := g.(type) {
	case orb.Point:
		return points([]orb.Point{g})
	case orb.MultiPoint:
		return points(g)
	case orb.LineString:
		return points(g)
	case orb.Ring:
		return points(g)
	case orb.MultiLineString:
		for _, l := range g {
			if !finite(l) {
				return false
			}
		}
	case orb.Polygon:
		for _, r := range g {
			if !finite(r) {
				return false
			}
		}
	case orb.MultiPolygon:
		for _, p := range g {
			if !finite(p) {
				return false
			}
		}
	case orb.Collection:
		for _, x := range g {
			if !finite(x) {
				return false
			}
		}
	}
	return true
}

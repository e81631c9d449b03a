package geo

import (
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// SRID is the spatial reference every Punto geometry is stored in: WGS84
// longitude/latitude (EPSG:4326).
const SRID = 4326

// SpatiaLite blob markers and class types, as in SpatiaLite's
// gaiaFromSpatiaLiteBlobWkb (gg_wkb.c).
const (
	blobStart  = 0x00
	blobMBREnd = 0x7C
	blobEntity = 0x69
	blobEnd    = 0xFE

	littleEndian = 0x01
	bigEndian    = 0x00

	classPoint              = 1
	classLineString         = 2
	classPolygon            = 3
	classMultiPoint         = 4
	classMultiLineString    = 5
	classMultiPolygon       = 6
	classGeometryCollection = 7

	headerLen = 43 // start, endian, srid, mbr, mbr-end, class
)

// Errors returned by the blob codec.
var (
	ErrBlobTooShort   = errors.New("geo: spatialite blob too short")
	ErrBlobMarker     = errors.New("geo: not a spatialite blob (bad marker)")
	ErrBlobClass      = errors.New("geo: unsupported spatialite geometry class")
	ErrBlobTrailing   = errors.New("geo: spatialite blob has trailing bytes")
	ErrEmptyGeometry  = errors.New("geo: empty geometry cannot be stored")
	ErrUnsupportedGeo = errors.New("geo: unsupported geometry type")
	ErrNonFinite      = errors.New("geo: coordinate is NaN or infinite")
)

// EncodeBlob writes g in SpatiaLite's internal BLOB geometry format
// (little-endian, with its MBR), the form SpatiaLite, GDAL and QGIS read
// from a geometry column.
func EncodeBlob(g orb.Geometry, srid int) ([]byte, error) {
	if g == nil || isEmpty(g) {
		return nil, ErrEmptyGeometry
	}
	class, err := classOf(g)
	if err != nil {
		return nil, err
	}
	b := g.Bound()
	buf := make([]byte, 0, headerLen+bodyLen(g)+1)
	buf = append(buf, blobStart, littleEndian)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(int32(srid)))
	for _, v := range [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
	}
	buf = append(buf, blobMBREnd)
	buf = binary.LittleEndian.AppendUint32(buf, class)
	buf = appendBody(buf, g)
	return append(buf, blobEnd), nil
}

// DecodeBlob reads a SpatiaLite BLOB geometry (either byte order, 2D) and
// returns it with its SRID.
func DecodeBlob(data []byte) (orb.Geometry, int, error) {
	if len(data) < headerLen+1 {
		return nil, 0, ErrBlobTooShort
	}
	if data[0] != blobStart || data[38] != blobMBREnd || data[len(data)-1] != blobEnd {
		return nil, 0, ErrBlobMarker
	}
	var order binary.ByteOrder
	switch data[1] {
	case littleEndian:
		order = binary.LittleEndian
	case bigEndian:
		order = binary.BigEndian
	default:
		return nil, 0, ErrBlobMarker
	}
	r := &reader{data: data[:len(data)-1], pos: 39, order: order}
	srid := int(int32(order.Uint32(data[2:6])))
	class := r.u32()
	g := r.geometry(class, true)
	if r.err != nil {
		return nil, 0, r.err
	}
	if r.pos != len(r.data) {
		return nil, 0, ErrBlobTrailing
	}
	return g, srid, nil
}

// Blob is a geometry column value: it scans from and stores as a SpatiaLite
// blob, so it can be passed straight to database/sql.
type Blob struct {
	Geometry orb.Geometry
	SRID     int
}

// Scan implements sql.Scanner. A NULL column (a location with no point)
// scans as a nil Geometry.
func (b *Blob) Scan(src any) error {
	if src == nil {
		b.Geometry, b.SRID = nil, 0
		return nil
	}
	data, ok := src.([]byte)
	if !ok {
		return fmt.Errorf("geo: cannot scan %T into a geometry", src)
	}
	g, srid, err := DecodeBlob(data)
	if err != nil {
		return err
	}
	b.Geometry, b.SRID = g, srid
	return nil
}

// Value implements driver.Valuer.
func (b Blob) Value() (driver.Value, error) {
	srid := b.SRID
	if srid == 0 {
		srid = SRID
	}
	return EncodeBlob(b.Geometry, srid)
}

func classOf(g orb.Geometry) (uint32, error) {
	switch g.(type) {
	case orb.Point:
		return classPoint, nil
	case orb.LineString:
		return classLineString, nil
	case orb.Polygon:
		return classPolygon, nil
	case orb.MultiPoint:
		return classMultiPoint, nil
	case orb.MultiLineString:
		return classMultiLineString, nil
	case orb.MultiPolygon:
		return classMultiPolygon, nil
	case orb.Collection:
		return classGeometryCollection, nil
	}
	return 0, fmt.Errorf("%w: %T", ErrUnsupportedGeo, g)
}

func isEmpty(g orb.Geometry) bool {
	switch g := g.(type) {
	case orb.Point:
		return false
	case orb.LineString:
		return len(g) == 0
	case orb.Polygon:
		return len(g) == 0
	case orb.MultiPoint:
		return len(g) == 0
	case orb.MultiLineString:
		return len(g) == 0
	case orb.MultiPolygon:
		return len(g) == 0
	case orb.Collection:
		return len(g) == 0
	}
	return false
}

func bodyLen(g orb.Geometry) int {
	switch g := g.(type) {
	case orb.Point:
		return 16
	case orb.LineString:
		return 4 + 16*len(g)
	case orb.Polygon:
		n := 4
		for _, r := range g {
			n += 4 + 16*len(r)
		}
		return n
	case orb.MultiPoint:
		return 4 + 21*len(g)
	case orb.MultiLineString:
		n := 4
		for _, l := range g {
			n += 5 + bodyLen(l)
		}
		return n
	case orb.MultiPolygon:
		n := 4
		for _, p := range g {
			n += 5 + bodyLen(p)
		}
		return n
	case orb.Collection:
		n := 4
		for _, c := range g {
			n += 5 + bodyLen(c)
		}
		return n
	}
	return 0
}

func appendPoints(buf []byte, pts []orb.Point) []byte {
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(pts)))
	for _, p := range pts {
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(p[0]))
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(p[1]))
	}
	return buf
}

func appendEntity(buf []byte, g orb.Geometry) []byte {
	class, _ := classOf(g)
	buf = append(buf, blobEntity)
	buf = binary.LittleEndian.AppendUint32(buf, class)
	return appendBody(buf, g)
}

func appendBody(buf []byte, g orb.Geometry) []byte {
	switch g := g.(type) {
	case orb.Point:
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(g[0]))
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(g[1]))
	case orb.LineString:
		buf = appendPoints(buf, g)
	case orb.Polygon:
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(g)))
		for _, r := range g {
			buf = appendPoints(buf, r)
		}
	case orb.MultiPoint:
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(g)))
		for _, p := range g {
			buf = appendEntity(buf, p)
		}
	case orb.MultiLineString:
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(g)))
		for _, l := range g {
			buf = appendEntity(buf, l)
		}
	case orb.MultiPolygon:
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(g)))
		for _, p := range g {
			buf = appendEntity(buf, p)
		}
	case orb.Collection:
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(g)))
		for _, c := range g {
			buf = appendEntity(buf, c)
		}
	}
	return buf
}

// reader decodes a blob body; the first error sticks and stops decoding.
type reader struct {
	data  []byte
	pos   int
	order binary.ByteOrder
	err   error
}

func (r *reader) need(n int) bool {
	if r.err != nil {
		return false
	}
	if n < 0 || r.pos+n > len(r.data) {
		r.err = ErrBlobTooShort
		return false
	}
	return true
}

func (r *reader) u32() uint32 {
	if !r.need(4) {
		return 0
	}
	v := r.order.Uint32(r.data[r.pos:])
	r.pos += 4
	return v
}

func (r *reader) f64() float64 {
	if !r.need(8) {
		return 0
	}
	v := math.Float64frombits(r.order.Uint64(r.data[r.pos:]))
	r.pos += 8
	if math.IsNaN(v) || math.IsInf(v, 0) {
		// Every comparison with NaN is false: it would pass any bounds
		// check and poison distances and indexes.
		r.err = ErrNonFinite
		return 0
	}
	return v
}

// count reads an element count and checks that at least minSize bytes per
// element remain, so a corrupt count cannot make us allocate gigabytes.
func (r *reader) count(minSize int) int {
	n := int(r.u32())
	if r.err == nil && n*minSize > len(r.data)-r.pos {
		r.err = ErrBlobTooShort
		return 0
	}
	return n
}

func (r *reader) point() orb.Point { return orb.Point{r.f64(), r.f64()} }

func (r *reader) points() []orb.Point {
	n := r.count(16)
	pts := make([]orb.Point, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		pts = append(pts, r.point())
	}
	return pts
}

func (r *reader) polygon() orb.Polygon {
	n := r.count(4)
	p := make(orb.Polygon, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		p = append(p, orb.Ring(r.points()))
	}
	return p
}

// entity reads one member of a collection: the 0x69 marker, its class and
// its body. want is the class a typed collection requires (0: any simple one).
func (r *reader) entity(want uint32) orb.Geometry {
	if !r.need(1) {
		return nil
	}
	if r.data[r.pos] != blobEntity {
		r.err = ErrBlobMarker
		return nil
	}
	r.pos++
	class := r.u32()
	if want != 0 && class != want {
		r.err = fmt.Errorf("%w: class %d inside a collection of %d", ErrBlobClass, class, want)
		return nil
	}
	return r.geometry(class, false)
}

func (r *reader) geometry(class uint32, top bool) orb.Geometry {
	if r.err != nil {
		return nil
	}
	switch class {
	case classPoint:
		return r.point()
	case classLineString:
		return orb.LineString(r.points())
	case classPolygon:
		return r.polygon()
	}
	if !top {
		// SpatiaLite collections hold only simple geometries.
		r.err = fmt.Errorf("%w: nested class %d", ErrBlobClass, class)
		return nil
	}
	switch class {
	case classMultiPoint:
		n := r.count(21)
		mp := make(orb.MultiPoint, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			p, _ := r.entity(classPoint).(orb.Point)
			mp = append(mp, p)
		}
		return mp
	case classMultiLineString:
		n := r.count(9)
		ml := make(orb.MultiLineString, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			l, _ := r.entity(classLineString).(orb.LineString)
			ml = append(ml, l)
		}
		return ml
	case classMultiPolygon:
		n := r.count(9)
		mp := make(orb.MultiPolygon, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			p, _ := r.entity(classPolygon).(orb.Polygon)
			mp = append(mp, p)
		}
		return mp
	case classGeometryCollection:
		n := r.count(9)
		c := make(orb.Collection, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			c = append(c, r.entity(0))
		}
		return c
	}
	r.err = fmt.Errorf("%w: class %d (only 2D XY geometries are read)", ErrBlobClass, class)
	return nil
}

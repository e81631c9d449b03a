package geo

import (
	"math"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// WalkingSpeedKmh is the pace walking times assume: 4.5 km/h, a calm pace
// that suits older people, children and people carrying bags.
const WalkingSpeedKmh = 4.5

// RouteFactor scales a straight-line distance to an estimated walking route:
// streets are rarely straight. 1.25 is a common urban detour index.
const RouteFactor = 1.25

// Distance is the great-circle distance between two lon/lat points, in metres.
func Distance(a, b orb.Point) float64 { return orbgeo.DistanceHaversine(a, b) }

// WalkingMinutes estimates the minutes needed to walk a straight-line
// distance in metres at WalkingSpeedKmh along streets (RouteFactor), rounded
// up to a whole minute; a destination within a minute's walk takes 1.
func WalkingMinutes(meters float64) int {
	if meters <= 0 {
		return 0
	}
	perMinute := WalkingSpeedKmh * 1000 / 60
	m := int(math.Ceil(meters * RouteFactor / perMinute))
	return max(m, 1)
}

// Compass is one of the eight compass points, as a stable key for
// translation ("north", "north-east", …).
type Compass string

// The eight compass points, clockwise from north.
const (
	North     Compass = "north"
	NorthEast Compass = "north-east"
	East      Compass = "east"
	SouthEast Compass = "south-east"
	South     Compass = "south"
	SouthWest Compass = "south-west"
	West      Compass = "west"
	NorthWest Compass = "north-west"
)

var compassPoints = [8]Compass{North, NorthEast, East, SouthEast, South, SouthWest, West, NorthWest}

// Bearing is the initial bearing from one point to another, in degrees
// clockwise from north, in [0, 360).
func Bearing(from, to orb.Point) float64 {
	b := math.Mod(orbgeo.Bearing(from, to)+360, 360)
	if b >= 360 { // -0.0000001 + 360 rounds to 360
		b = 0
	}
	return b
}

// Direction names the compass point nearest to a bearing in degrees.
func Direction(bearing float64) Compass {
	b := math.Mod(math.Mod(bearing, 360)+360, 360)
	return compassPoints[int(math.Floor((b+22.5)/45))%8]
}

// BoundAround is the smallest lon/lat box holding every point within meters
// of center (a spherical cap), clamped at the poles. A box that would cross
// the antimeridian widens to all longitudes.
func BoundAround(center orb.Point, meters float64) orb.Bound {
	b := orbgeo.NewBoundAroundPoint(center, meters)
	if b.Min[0] > b.Max[0] || b.Min[0] < -180 || b.Max[0] > 180 {
		b.Min[0], b.Max[0] = -180, 180
	}
	return b
}

// MinDistance is the exact great-circle distance from p to the nearest point
// of the lon/lat rectangle b (0 when p is inside). It assumes b does not
// cross the antimeridian, and is a lower bound for every point in b, which
// is what a nearest-neighbour search needs.
func MinDistance(p orb.Point, b orb.Bound) float64 {
	lon, lat := p[0], p[1]
	if lon >= b.Min[0] && lon <= b.Max[0] {
		// Straight north or south along the meridian.
		switch {
		case lat > b.Max[1]:
			return deg2rad(lat-b.Max[1]) * orb.EarthRadius
		case lat < b.Min[1]:
			return deg2rad(b.Min[1]-lat) * orb.EarthRadius
		}
		return 0
	}
	// Otherwise the nearest point lies on the nearer meridian edge: for a
	// fixed latitude, distance grows with the longitude difference.
	edge := b.Min[0]
	if dw, de := angleDiff(lon, b.Min[0]), angleDiff(lon, b.Max[0]); de < dw {
		edge = b.Max[0]
	}
	dLon := deg2rad(angleDiff(lon, edge))
	if dLon >= math.Pi/2 {
		// Beyond a quarter turn the foot formula fails; any point of b is
		// at least the latitude gap away, a valid (if loose) lower bound.
		gap := math.Max(0, math.Max(b.Min[1]-lat, lat-b.Max[1]))
		return deg2rad(gap) * orb.EarthRadius
	}
	// Latitude of the foot of the perpendicular from p to the meridian.
	foot := rad2deg(math.Atan(math.Tan(deg2rad(lat)) / math.Cos(dLon)))
	foot = math.Max(b.Min[1], math.Min(b.Max[1], foot))
	return Distance(p, orb.Point{edge, foot})
}

func angleDiff(a, b float64) float64 {
	d := math.Abs(a - b)
	if d > 180 {
		d = 360 - d
	}
	return d
}

func deg2rad(d float64) float64 { return d * math.Pi / 180 }
func rad2deg(r float64) float64 { return r * 180 / math.Pi }

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

func deg2rad(d float64) float64 { return d * math.Pi / 180 }

// Relative is where a bearing lies for someone facing a known direction,
// as a stable key for translation: a totem that knows which way its
// visitors look says "to your left" rather than "west".
type Relative string

// The four sides, each a quarter centred on it.
const (
	Ahead  Relative = "ahead"
	Right  Relative = "right"
	Behind Relative = "behind"
	Left   Relative = "left"
)

// RelativeTo names the side on which bearing lies for someone looking
// along facing (both in degrees clockwise from north).
func RelativeTo(bearing, facing float64) Relative {
	d := math.Mod(math.Mod(bearing-facing, 360)+360, 360)
	return [4]Relative{Ahead, Right, Behind, Left}[int(math.Floor(math.Mod(d+45, 360)/90))%4]
}

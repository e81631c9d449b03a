package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func TestDirection(t *testing.T) {
	ancona := orb.Point{13.5189, 43.6158}
	tests := []struct {
		name string
		to   orb.Point
		want Compass
	}{
		{"north", orb.Point{13.5189, 43.7}, North},
		{"south", orb.Point{13.5189, 43.5}, South},
		{"east", orb.Point{13.6, 43.6158}, East},
		{"west", orb.Point{13.4, 43.6158}, West},
		{"north-east", orb.Point{13.6, 43.675}, NorthEast},
		{"south-west (Jesi)", orb.Point{13.2437, 43.5226}, SouthWest},
		{"Macerata is south", orb.Point{13.4532, 43.3003}, South},
		{"Falconara is west-north-west", orb.Point{13.3975, 43.6297}, West},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Direction(Bearing(ancona, tt.to)); got != tt.want {
				t.Errorf("Direction = %s (bearing %.1f), want %s", got, Bearing(ancona, tt.to), tt.want)
			}
		})
	}
	for _, c := range []struct {
		deg  float64
		want Compass
	}{{0, North}, {22.4, North}, {22.6, NorthEast}, {359.9, North}, {-45, NorthWest}, {180, South}, {720 + 90, East}} {
		if got := Direction(c.deg); got != c.want {
			t.Errorf("Direction(%v) = %s, want %s", c.deg, got, c.want)
		}
	}
}

func TestWalkingMinutes(t *testing.T) {
	for _, c := range []struct {
		m    float64
		want int
	}{{0, 0}, {1, 1}, {60, 1}, {600, 10}, {3600, 60}, {1000, 17}} {
		if got := WalkingMinutes(c.m); got != c.want {
			t.Errorf("WalkingMinutes(%v) = %d, want %d", c.m, got, c.want)
		}
	}
}

func TestDistance(t *testing.T) {
	// Ancona to Perugia: about 105 km as the crow flies (on the sphere of
	// radius 6378137 m).
	d := Distance(orb.Point{13.5189, 43.6158}, orb.Point{12.3908, 43.1107})
	if math.Abs(d-105_200) > 3_000 {
		t.Errorf("Ancona–Perugia = %.0f m", d)
	}
}

func TestRelativeTo(t *testing.T) {
	tests := []struct {
		name            string
		bearing, facing float64
		want            Relative
	}{
		{"straight ahead", 90, 90, Ahead},
		{"just left of ahead", 50, 90, Ahead},
		{"right", 180, 90, Right},
		{"behind", 270, 90, Behind},
		{"left", 0, 90, Left},
		{"left, across north", 350, 90, Left},
		{"facing north, east is right", 90, 0, Right},
		{"facing north, west is left", 270, 0, Left},
		{"facing 359, 1 is ahead", 1, 359, Ahead},
		{"a quarter's edge goes clockwise", 135, 90, Right},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RelativeTo(tt.bearing, tt.facing); got != tt.want {
				t.Errorf("RelativeTo(%v, %v) = %s, want %s", tt.bearing, tt.facing, got, tt.want)
			}
		})
	}
}

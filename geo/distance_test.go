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

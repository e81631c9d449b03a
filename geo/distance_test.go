package geo

import (
	"math"
	"math/rand/v2"
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

// MinDistance must be a lower bound for every point of the box and be
// reached by some point on its border.
func TestMinDistanceIsTight(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		lon0, lat0 := 6+r.Float64()*13, 36+r.Float64()*11
		b := orb.Bound{Min: orb.Point{lon0, lat0}, Max: orb.Point{lon0 + r.Float64()*2, lat0 + r.Float64()*2}}
		p := orb.Point{4 + r.Float64()*17, 34 + r.Float64()*15}
		if i%7 == 0 { // sometimes far away
			p = orb.Point{-60 + r.Float64()*120, -60 + r.Float64()*120}
		}
		lb := MinDistance(p, b)
		best := math.Inf(1)
		const n = 60
		for j := 0; j <= n; j++ {
			for k := 0; k <= n; k++ {
				q := orb.Point{b.Min[0] + (b.Max[0]-b.Min[0])*float64(j)/n, b.Min[1] + (b.Max[1]-b.Min[1])*float64(k)/n}
				d := Distance(p, q)
				if d < lb-1e-6 {
					t.Fatalf("p=%v b=%v: point %v at %.3f m is closer than the bound %.3f", p, b, q, d, lb)
				}
				best = min(best, d)
			}
		}
		if math.Abs(angleDiff(p[0], b.Min[0])) < 80 && best-lb > cell(b) {
			t.Fatalf("p=%v b=%v: bound %.1f is far below the sampled minimum %.1f", p, b, lb, best)
		}
	}
}

// cell is the diagonal of one sampling cell of b, in metres: how far the
// sampled minimum may lie above the true one.
func cell(b orb.Bound) float64 {
	return Distance(b.Min, orb.Point{b.Min[0] + (b.Max[0]-b.Min[0])/60, b.Min[1] + (b.Max[1]-b.Min[1])/60})
}

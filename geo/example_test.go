package geo_test

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/geo"
)

func ExampleDirection() {
	totem := orb.Point{13.5189, 43.6158} // Ancona
	desk := orb.Point{13.5300, 43.6240}
	d := geo.Distance(totem, desk)
	fmt.Printf("%.0f m, %d min on foot, %s\n", d, geo.WalkingMinutes(d), geo.Direction(geo.Bearing(totem, desk)))
	// Output: 1278 m, 22 min on foot, north-east
}

func ExampleEncodeBlob() {
	blob, _ := geo.EncodeBlob(orb.Point{13.5, 43.6}, geo.SRID)
	g, srid, _ := geo.DecodeBlob(blob)
	fmt.Println(len(blob), g, srid)
	// Output: 60 [13.5 43.6] 4326
}

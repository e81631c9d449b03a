package feed

import (
	"context"
	"testing"

	"github.com/punto-totem/punto/internal/testenv"
)

// BenchmarkCheckSnapshot checks the demo catalog as a totem checks a
// snapshot before applying it.
func BenchmarkCheckSnapshot(b *testing.B) {
	path := testenv.DemoCatalog(b)
	for b.Loop() {
		if err := checkSnapshot(context.Background(), path); err != nil {
			b.Fatal(err)
		}
	}
}

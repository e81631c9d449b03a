package content

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkSummaries measures what a nearby answer costs past the index:
// filling in the 20 hits (names, address, comune, open state).
func BenchmarkSummaries(b *testing.B) {
	qs := benchQueries()
	for _, n := range benchSizes[:2] {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			s := benchStore(b, n)
			ctx := context.Background()
			hits := make([][]Hit, len(qs))
			for i, q := range qs {
				h, err := s.NearbyHits(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				hits[i] = h
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				q := qs[i%len(qs)]
				if _, err := s.Summaries(ctx, hits[i%len(qs)], "ar,en", q.Center, q.At); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

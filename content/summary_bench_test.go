package content

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
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

// BenchmarkIndexMemory reports the live heap of a store with its index
// at 10k and 100k services (set PUNTO_HEAP_PROFILE to write a profile).
func BenchmarkIndexMemory(b *testing.B) {
	for _, n := range benchSizes[:2] {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			path := benchStore(b, n).Path()
			for i := 0; i < b.N; i++ {
				runtime.GC()
				var before runtime.MemStats
				runtime.ReadMemStats(&before)
				s, err := Open(context.Background(), path)
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				var after runtime.MemStats
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MiB")
				if f := os.Getenv("PUNTO_HEAP_PROFILE"); f != "" {
					out, err := os.Create(fmt.Sprintf("%s-%d", f, n))
					if err == nil {
						pprof.WriteHeapProfile(out)
						out.Close()
					}
				}
				s.Close()
			}
		})
	}
}

package exchange

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/punto-totem/punto/content"
)

// BenchmarkImport imports a generated catalog of 10,000 services into a
// new catalog file, from HSDS JSON and from the zipped HSDS CSV package:
// parsing, checking and writing (make bench; the goal is 10 s or less on
// a 2-core machine).
func BenchmarkImport(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	src := filepath.Join(dir, "gen.db")
	if err := content.Generate(ctx, src, content.GenerateOptions{Services: 10000, Seed: 10}); err != nil {
		b.Fatal(err)
	}
	st, err := content.Open(ctx, src)
	if err != nil {
		b.Fatal(err)
	}
	x, err := Read(ctx, st)
	st.Close()
	if err != nil {
		b.Fatal(err)
	}
	for _, format := range []string{FormatHSDS, FormatHSDSCSV} {
		var buf bytes.Buffer
		if err := x.Write(format, &buf); err != nil {
			b.Fatal(err)
		}
		data := buf.Bytes()
		b.Run(format, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for i := 0; b.Loop(); i++ {
				y, err := Parse(format, data)
				if err != nil {
					b.Fatal(err)
				}
				if err := Create(ctx, filepath.Join(dir, fmt.Sprintf("%s-%d.db", format, i)), y, format); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(x.Services))*float64(b.N)/b.Elapsed().Seconds(), "services/s")
		})
	}
}

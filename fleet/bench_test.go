package fleet

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/punto-totem/punto/content"
)

// BenchmarkCountNeed is one tap counted on a totem: an upsert in its
// catalog file.
func BenchmarkCountNeed(b *testing.B) {
	ctx := context.Background()
	s := openAt(b, b.TempDir()+"/c.db")
	at := time.Now()
	for i := 0; b.Loop(); i++ {
		if err := s.CountNeed(ctx, at, NeedCategory, content.Categories[i%len(content.Categories)].ID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNeedsReports sums a month of one portal's figures by day: 40
// totems, every hour, 12 figures an hour (345,600 stored rows).
func BenchmarkNeedsReports(b *testing.B) {
	ctx := context.Background()
	s := openAt(b, b.TempDir()+"/p.db")
	start := NeedsHour(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	for tt := range 40 {
		var counts []NeedsCount
		for h := range 30 * 24 {
			hour := start.Add(time.Duration(h) * time.Hour)
			for i := range 12 {
				counts = append(counts, NeedsCount{Hour: hour, Event: NeedCategory, Value: content.Categories[i].ID, N: int64(i + 1)})
			}
		}
		if err := s.RecordNeeds(ctx, fmt.Sprintf("t%02d", tt), counts); err != nil {
			b.Fatal(err)
		}
	}
	var days []time.Time
	for d := range 31 {
		days = append(days, start.AddDate(0, 0, d))
	}
	b.ResetTimer()
	for b.Loop() {
		rows, err := s.NeedsReports(ctx, days, nil)
		var sum int64
		for _, r := range rows {
			sum += r.N
		}
		if err != nil || len(rows) != 40*30*12 || sum != 40*30*24*78 {
			b.Fatalf("%d rows adding up to %d, %v", len(rows), sum, err)
		}
	}
}

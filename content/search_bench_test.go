package content

import (
	"context"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/punto-totem/punto/locales"
)

// searchWorkload is what people type at a totem: needs in the 15 languages
// and their Latin spellings, typos, words of the catalog's text (of which
// the synthetic catalog has few, each in a great many services), Chinese
// without spaces, words found nowhere (the "did you mean" path), and the
// longest queries.
var searchWorkload = []string{
	"medico", "doctor", "médecin", "طبيب", "بالطبيب", "ڈاکٹر", "پزشک", "ডাক্তার", "ਡਾਕਟਰ", "我要看医生",
	"лікар", "врач", "medic", "mjek", "ሓኪም", "yisheng", "tabib", "робота", "lavoro", "permesso di soggiorno",
	"permeso di sogiorno", "medcio", "ospedle", "sintetico", "servizio sintetico", "serv", "ancona", "perugia",
	"via sintetica 12", "12345", "health perugia", "casa ancona", "عمل", "اقامه", "житло", "学校",
	"zzqxwv", "ospdlae", "help", "corso di italiano",
	// The longest queries: 13 unknown words of 8 letters, a word typed 22
	// times.
	"abcdefgh ijklmnop qrstuvwx yzabcdef ghijklmn opqrstuv wxyzabcd efghijkl mnopqrst uvwxyzab cdefghij klmnopqr stuvwxyz",
	strings.Repeat("qwertzui ", 22),
}

// BenchmarkSearch is Find over the synthetic catalog of 100k services,
// from points around the demo comuni; it reports the 50th and 99th
// percentiles of one query.
func BenchmarkSearch(b *testing.B) {
	s := benchStore(b, 100_000)
	pts := benchQueries()
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := SearchQuery{Text: searchWorkload[i%len(searchWorkload)], Lang: "it", From: pts[i%len(pts)].Center, Limit: DefaultLimit}
		start := time.Now()
		if _, err := s.Find(ctx, q); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	p50, p99 := percentiles(lat)
	b.ReportMetric(float64(p50.Microseconds()), "p50-µs")
	b.ReportMetric(float64(p99.Microseconds()), "p99-µs")
}

func percentiles(lat []time.Duration) (p50, p99 time.Duration) {
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(float64(len(lat))*p))] }
	return pct(0.50), pct(0.99)
}

// BenchmarkOpenSearchIndex opens the synthetic catalog of 10k services
// with and without search's words in the in-memory index (the vocabulary
// that typo tolerance walks, and each word's services), in turns so that
// both see the same load on a shared machine. Open returns before the
// words are in (they are read on a goroutine of their own); a search
// waits for them. It reports the median time until Open returns, with
// and without the words, and what they add to it; the median time until
// a search can run, and what that adds; and what the words add to the CPU
// time the process spends. The lexicon is built once per process,
// before: BenchmarkLexicon.
func BenchmarkOpenSearchIndex(b *testing.B) {
	path := benchStore(b, 10_000).Path()
	if _, err := theLexicon(); err != nil {
		b.Fatal(err)
	}
	opened := map[bool][]time.Duration{}
	var ready []time.Duration
	cpu := map[bool]time.Duration{}
	for i := 0; i < b.N; i++ {
		for _, words := range []bool{i%2 == 0, i%2 != 0} {
			start, cpu0 := time.Now(), cpuTime()
			s, err := openWith(context.Background(), path, true, words)
			if err != nil {
				b.Fatal(err)
			}
			opened[words] = append(opened[words], time.Since(start))
			if words {
				ready = append(ready, time.Since(start))
			}
			cpu[words] += cpuTime() - cpu0
			s.Close()
		}
	}
	without, _ := percentiles(opened[false])
	with, _ := percentiles(opened[true])
	searchable, _ := percentiles(ready)
	b.ReportMetric(float64(without.Microseconds())/1e3, "open-without-ms")
	b.ReportMetric(float64(with.Microseconds())/1e3, "open-with-ms")
	b.ReportMetric(100*float64(with-without)/float64(without), "open-added-%")
	b.ReportMetric(float64(searchable.Microseconds())/1e3, "searchable-ms")
	b.ReportMetric(100*float64(searchable-without)/float64(without), "searchable-added-%")
	b.ReportMetric(100*float64(cpu[true]-cpu[false])/float64(cpu[false]), "cpu-added-%")
}

// cpuTime is the CPU time the process has used, in user and system mode.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLexicon builds the lexicon (concepts and category names) from
// the embedded files, as the first Open of a process does.
func BenchmarkLexicon(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := buildLexicon(lexiconFiles, locales.FS); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFold folds the lexicon's words that are not plain ASCII, as
// indexing and every query do; "chain" folds them through the whole
// chain of transformers, the way fold takes when a text needs it.
func BenchmarkFold(b *testing.B) {
	var texts []string
	for _, s := range lexiconTexts(b) {
		if !isASCII(s) {
			texts = append(texts, s)
		}
	}
	for _, bc := range []struct {
		name string
		fold func(string) string
	}{{"fold", fold}, {"chain", foldFull}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				for _, s := range texts {
					bc.fold(s)
				}
			}
		})
	}
}

package content

import (
	"flag"
	"os"
	"reflect"
	"testing"

	"github.com/punto-totem/punto/locales"
)

var updateLexiconCache = flag.Bool("update-lexicon-cache", false, "write lexicon.cache (go generate ./content)")

// TestLexiconCacheFresh: the cache decodes to the lexicon built from the
// files now, field for field; with -update-lexicon-cache it is written
// again first.
func TestLexiconCacheFresh(t *testing.T) {
	t.Parallel()
	built, err := buildLexicon(lexiconFiles, locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := lexiconSources(lexiconFiles, locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	cache := lexiconCache
	if *updateLexiconCache {
		b := encodeLexicon(built, sum)
		if err := os.WriteFile("lexicon.cache", b, 0o644); err != nil {
			t.Fatal(err)
		}
		cache = string(b)
	}
	got, err := decodeLexicon(cache, sum)
	if err != nil {
		t.Fatalf("%v: the files changed since lexicon.cache was made: run go generate ./content", err)
	}
	if !reflect.DeepEqual(got, built) {
		t.Fatal("lexicon.cache differs from the lexicon the files build (the code that builds it changed): run go generate ./content")
	}
}

// TestLexiconCacheRefused: a cache for other files, or cut short or
// damaged anywhere, is refused (the lexicon is then built), never half
// read.
func TestLexiconCacheRefused(t *testing.T) {
	t.Parallel()
	sum, err := lexiconSources(lexiconFiles, locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	other := sum
	other[0] ^= 1
	if _, err := decodeLexicon(lexiconCache, other); err == nil {
		t.Error("a cache made from other files was used")
	}
	for _, n := range []int{0, 10, len(lexiconCacheMagic) + 32, len(lexiconCache) / 2, len(lexiconCache) - 1} {
		if _, err := decodeLexicon(lexiconCache[:n], sum); err == nil {
			t.Errorf("a cache cut at %d of %d bytes was used", n, len(lexiconCache))
		}
	}
	if _, err := decodeLexicon(lexiconCache+"x", sum); err == nil {
		t.Error("a cache with a byte more was used")
	}
	l, err := loadLexicon(lexiconFiles, locales.FS, lexiconCache[:len(lexiconCache)/2])
	if err != nil || len(l.keys) == 0 {
		t.Errorf("a damaged cache: the lexicon was not built instead (%v)", err)
	}
}

// FuzzDecodeLexicon: any bytes decode to an error or a lexicon, in bounded
// time and memory, never a panic.
func FuzzDecodeLexicon(f *testing.F) {
	sum, err := lexiconSources(lexiconFiles, locales.FS)
	if err != nil {
		f.Fatal(err)
	}
	head := lexiconCacheMagic + string(sum[:])
	f.Add(lexiconCache[len(head):min(len(lexiconCache), len(head)+4096)])
	f.Add("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01")
	f.Fuzz(func(t *testing.T, body string) {
		_, _ = decodeLexicon(head+body, sum)
	})
}

// BenchmarkLoadLexicon: the lexicon as a process gets it, from the cache
// (BenchmarkLexicon builds it from the files).
func BenchmarkLoadLexicon(b *testing.B) {
	for b.Loop() {
		if _, err := loadLexicon(lexiconFiles, locales.FS, lexiconCache); err != nil {
			b.Fatal(err)
		}
	}
}

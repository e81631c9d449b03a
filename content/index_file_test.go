package content

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

// openBuilt opens path in the background, as a totem does, and waits for
// its index.
func openBuilt(t *testing.T, path string) *Store {
	t.Helper()
	s, err := OpenBackground(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.waitIndex(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// sameAnswers checks that s answers nearby, remote, summaries, within and
// search as ref does.
func sameAnswers(t *testing.T, when string, s, ref *Store) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 10, 30, 0, 0, Rome)
	for i, q := range []NearbyQuery{
		{Center: DemoTotem, At: at}, {Center: DemoTotem, Category: "health", RadiusM: 50000, At: at},
		{Center: orb.Point{12.39, 43.11}, OpenNow: true, Limit: 50, At: at}, {Center: orb.Point{13.0, 43.3}, Speaks: "ar", At: at},
		{Center: orb.Point{13.5, 43.6}, RadiusM: 200000, Limit: 100, At: at},
	} {
		got, err := s.NearbyHits(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := ref.NearbyHits(ctx, q)
		if !reflect.DeepEqual(got, want) || len(want) == 0 {
			t.Fatalf("%s, nearby %d:\n got %v\nwant %v", when, i, got, want)
		}
		gs, err := s.Summaries(ctx, got, "ar,en", q.Center, at)
		if err != nil {
			t.Fatal(err)
		}
		ws, _ := ref.Summaries(ctx, want, "ar,en", q.Center, at)
		if !reflect.DeepEqual(gs, ws) {
			t.Fatalf("%s, summaries %d differ:\n got %+v\nwant %+v", when, i, gs, ws)
		}
		gr, err := s.RemoteHits(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if wr, _ := ref.RemoteHits(ctx, q); !reflect.DeepEqual(gr, wr) {
			t.Fatalf("%s, remote %d:\n got %v\nwant %v", when, i, gr, wr)
		}
	}
	b := orb.Bound{Min: orb.Point{12, 42.5}, Max: orb.Point{14, 44}}
	got, err := s.Within(ctx, b, 40)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := ref.Within(ctx, b, 40); !reflect.DeepEqual(got, want) {
		t.Fatalf("%s, within differs", when)
	}
	for _, text := range []string{"medico", "sportello nuovo", "طبيب", "lavoro", "italiano corso", "casa", "sporte", "medi", "avvocatp", "conslenza", "online"} {
		got, err := s.Find(ctx, SearchQuery{Text: text, Lang: "it", From: DemoTotem})
		if err != nil {
			t.Fatal(err)
		}
		want, _ := ref.Find(ctx, SearchQuery{Text: text, Lang: "it", From: DemoTotem})
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s, search %q:\n got %+v\nwant %+v", when, text, got, want)
		}
	}
	if got, want := s.CategoryCounts(), ref.CategoryCounts(); !reflect.DeepEqual(got, want) {
		t.Fatalf("%s, category counts %v, want %v", when, got, want)
	}
}

// TestIndexFile: a totem saves its index beside the catalog and reads it
// back at the next start with the same answers; a write makes the file
// stale (saved again at close); a stale, corrupt or truncated file is
// ignored and the index built from the catalog.
func TestIndexFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ref := openDemo(t) // the answers from the catalog, with SQL-loaded index
	path := ref.Path()

	s := openBuilt(t, path)
	if st := s.IndexState(); strings.Contains(st, "read from the index file") {
		t.Fatalf("first start: %q", st)
	}
	if _, err := os.Stat(IndexFile(path)); err != nil {
		t.Fatalf("no index file after the first build: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openBuilt(t, path)
	if st := s.IndexState(); !strings.HasSuffix(st, "read from the index file") {
		t.Fatalf("second start: %q", st)
	}
	sameAnswers(t, "from the file", s, ref)

	// A write through the store read from the file reaches its index, and
	// the file follows at close.
	svc := Service{ID: "after-file", Name: Text{"it": "Sportello nuovo", "ar": "مكتب جديد"}, Categories: []string{"info", "health"},
		Languages: []string{"ar"}, Locations: []Location{{ID: "after-file-loc", Comune: "Ancona", Address: "Via Nuova 1", Point: DemoTotem}}}
	if err := s.PutService(ctx, &svc); err != nil {
		t.Fatal(err)
	}
	remote := Service{ID: "after-file-online", Name: Text{"it": "Sportello online", "en": "Online desk"}, Categories: []string{"info"}, Languages: []string{"ar"}, URL: "https://example.org/desk"}
	if err := s.PutService(ctx, &remote); err != nil {
		t.Fatal(err)
	}
	if err := ref.reload(ctx); err != nil { // ref's index learns of the other store's write
		t.Fatal(err)
	}
	sameAnswers(t, "after a write", s, ref)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openBuilt(t, path)
	if st := s.IndexState(); !strings.HasSuffix(st, "read from the index file") {
		t.Fatalf("after a write and a close: %q", st)
	}
	sameAnswers(t, "saved after a write", s, ref)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// A write the file did not see (a store that keeps no file, or a
	// crash before close): the file is stale.
	saved, err := os.ReadFile(IndexFile(path))
	if err != nil {
		t.Fatal(err)
	}
	svc.Name["it"] = "Sportello rinnovato"
	svc.Locations[0].Point = orb.Point{13.2, 43.5}
	if err := ref.PutService(ctx, &svc); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		corrupt func(current []byte) []byte // nil: the stale file saved before the write
		why     string
	}{
		{"stale", nil, "stale"},
		{"corrupt", func(b []byte) []byte { return flipByte(b, len(b)/2) }, "not usable"},
		{"corrupt header", func(b []byte) []byte { return flipByte(b, 3) }, "not an index file"},
		{"an older format", func(b []byte) []byte { // what an older Punto wrote: rebuilt, not misread
			out := append([]byte(nil), b...)
			binary.LittleEndian.PutUint64(out[len(indexFileMagic):], indexFileVersion-1)
			return out
		}, fmt.Sprintf("format %d,", indexFileVersion-1)},
		{"corrupt checksum", func(b []byte) []byte { return flipByte(b, len(b)-1) }, "checksum"},
		{"truncated", func(b []byte) []byte { return b[:len(b)*2/3] }, "not usable"},
		{"empty", func([]byte) []byte { return nil }, "not usable"},
	} {
		file := saved
		if c.corrupt != nil {
			current, err := os.ReadFile(IndexFile(path)) // of the catalog's generation
			if err != nil {
				t.Fatal(err)
			}
			file = c.corrupt(current)
		}
		if err := os.WriteFile(IndexFile(path), file, 0o644); err != nil {
			t.Fatal(err)
		}
		s := openBuilt(t, path)
		st := s.IndexState()
		if !strings.Contains(st, "built from the catalog") || !strings.Contains(st, c.why) || c.corrupt != nil && strings.Contains(st, "stale") {
			t.Fatalf("%s: %q", c.name, st)
		}
		sameAnswers(t, c.name, s, ref)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		// Rebuilt, it was saved again: the next start reads it.
		s = openBuilt(t, path)
		if st := s.IndexState(); !strings.HasSuffix(st, "read from the index file") {
			t.Fatalf("%s, then: %q", c.name, st)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func flipByte(b []byte, i int) []byte {
	out := append([]byte(nil), b...)
	out[i] ^= 0x5a
	return out
}

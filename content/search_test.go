package content

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

// findIDs runs a query from the Ancona totem and returns the services.
func findIDs(t *testing.T, s *Store, q, lang string) []string {
	t.Helper()
	r, err := s.Find(context.Background(), SearchQuery{Text: q, Lang: lang, From: DemoTotem, Limit: 50})
	if err != nil {
		t.Fatalf("Find(%q): %v", q, err)
	}
	ids := []string{}
	for _, h := range r.Hits {
		ids = append(ids, h.ServiceID)
	}
	return ids
}

// The words index follows every write: a new name is found at once, the
// old one no more, a withdrawn service not at all.
func TestSearchFollowsWrites(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	svc := Service{ID: "desk", Name: Text{"it": "Sportello Arcobaleno"}, Categories: []string{"info"},
		Locations: []Location{{ID: "l-desk", Comune: "Ancona", Point: DemoTotem}}}
	if err := s.PutService(ctx, &svc); err != nil {
		t.Fatal(err)
	}
	if got := findIDs(t, s, "arcobaleno", "it"); !slices.Equal(got, []string{"desk"}) {
		t.Errorf("after the first write: %v", got)
	}
	svc.Name = Text{"it": "Sportello Girasole", "zh": "向日葵服务台"}
	if err := s.PutService(ctx, &svc); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string][]string{"arcobaleno": {}, "girasole": {"desk"}, "girasloe": {"desk"}, "日葵": {"desk"}, "服务台": {"desk"}} {
		if got := findIDs(t, s, q, "it"); !slices.Equal(got, want) {
			t.Errorf("after the rename, %q: %v, want %v", q, got, want)
		}
	}
	svc.Status = StatusWithdrawn
	if err := s.PutService(ctx, &svc); err != nil {
		t.Fatal(err)
	}
	if got := findIDs(t, s, "girasole", "it"); len(got) != 0 {
		t.Errorf("withdrawn, still found: %v", got)
	}
}

// Arabic text is found whatever proclitics the text or the query glue to
// a word, and Chinese without spaces, by its words' characters.
func TestSearchTextAcrossScripts(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	put := func(id string, name Text, p orb.Point) {
		svc := Service{ID: id, Name: name, Categories: []string{"community"}, Locations: []Location{{ID: "l-" + id, Comune: "Ancona", Point: p}}}
		if err := s.PutService(ctx, &svc); err != nil {
			t.Fatal(err)
		}
	}
	put("library", Text{"it": "Biblioteca", "ar": "المكتبة العامة", "zh": "公共图书馆"}, DemoTotem)
	put("garden", Text{"it": "Giardino", "ar": "بالحديقة", "fa": "کتابخانه\u200cی شهر"}, orb.Point{13.6, 43.6})
	tests := map[string][]string{
		"مكتبة":     {"library"}, // the text has the article
		"والمكتبة":  {"library"}, // the query has a conjunction and the article
		"بالمكتبة":  {"library"},
		"المكتبه":   {"library"}, // ta marbuta typed as heh
		"حديقة":     {"garden"},  // the text has a preposition and the article
		"图书馆":       {"library"},
		"图书":        {"library"},
		"公共图书馆在哪里":  {"library"}, // a sentence: the most of its characters
		"كتابخانهي": {"garden"},  // Persian with Arabic kaf and yeh, no ZWNJ
	}
	for q, want := range tests {
		if got := findIDs(t, s, q, "ar"); !slices.Equal(got, want) {
			t.Errorf("%q: %v, want %v", q, got, want)
		}
	}
}

// A catalog written before today's fold (its text rows folded the old
// way) reads the same: the rows are folded again as they load.
func TestSearchReadsOlderRows(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	svc := Service{ID: "help", Name: Text{"it": "Aiuto", "ar": "مساعدة"}, Categories: []string{"info"}, Locations: []Location{{ID: "l", Comune: "Ancona", Point: DemoTotem}}}
	if err := s.PutService(ctx, &svc); err != nil {
		t.Fatal(err)
	}
	// The old fold kept ta marbuta and the hamza on alef.
	if _, err := s.w.ExecContext(ctx, "UPDATE service_text SET names = 'مساعدة أولى'"); err != nil {
		t.Fatal(err)
	}
	if err := s.reload(ctx); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"مساعدة", "مساعده", "اولى", "أولي"} {
		if got := findIDs(t, s, q, "ar"); !slices.Equal(got, []string{"help"}) {
			t.Errorf("%q: %v", q, got)
		}
	}
}

// Concepts rank first, nearest first; the rest of the words narrow them;
// the answer says what was understood, in the visitor's language.
func TestSearchRanksConceptsFirst(t *testing.T) {
	s := demoForQuality(t)
	r, err := s.Find(context.Background(), SearchQuery{Text: "лікар", Lang: "uk", From: DemoTotem, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	prev := -1.0
	for _, h := range r.Hits {
		if !slices.Contains(s.serviceCategories(h.ServiceID), "health") || h.DistanceM < prev {
			t.Errorf("%s at %.0f m in the answer for a doctor", h.ServiceID, h.DistanceM)
		}
		prev = h.DistanceM
	}
	want := SearchMatch{Concept: "doctor", Label: "Лікар", Category: "health", CategoryLabel: "Здоров’я"}
	if len(r.Matched) != 1 || r.Matched[0] != want {
		t.Errorf("matched %+v, want %+v", r.Matched, want)
	}
	// A need and a place: the need's services that name the place come
	// before nearer ones that do not.
	ids := findIDs(t, s, "medico perugia", "it")
	if len(ids) < 2 || !slices.Contains(s.serviceCategories(ids[0]), "health") || slices.Index(ids, "ancona-health-14") < 2 {
		t.Errorf("medico perugia: %v", ids)
	}
}

func (s *Store) serviceCategories(id string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []string
	slot, _ := s.idx.slot(id)
	for i, c := range Categories {
		if s.idx.svcs[slot].cats&(1<<i) != 0 {
			out = append(out, c.ID)
		}
	}
	return out
}

// Searches run while writes change the words index (run with -race).
func TestSearchWhileWriting(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 30 {
			svc := Service{ID: fmt.Sprintf("s%d", i%5), Name: Text{"it": fmt.Sprintf("Sportello numero%d", i)}, Categories: []string{"health"},
				Locations: []Location{{ID: fmt.Sprintf("l%d", i%5), Comune: "Ancona", Point: DemoTotem}}}
			if err := s.PutService(ctx, &svc); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for {
		select {
		case <-done:
			if got := findIDs(t, s, "numero29", "it"); !slices.Equal(got, []string{"s4"}) {
				t.Errorf("after the writes: %v", got)
			}
			return
		default:
			findIDs(t, s, "sportello", "it")
			findIDs(t, s, "medico", "it")
		}
	}
}

// Open returns before search's words are in: a write made at once waits
// for them and lands after them, and a search made at once waits too.
func TestSearchRightAfterOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "demo.db")
	demo.Copy(t, path)
	for range 3 {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		svc := Service{ID: "ancona-info-0", Name: Text{"it": "Sportello Ippocastano"}, Categories: []string{"info"},
			Locations: []Location{{ID: "loc-ancona-info-0", Comune: "Ancona", Point: DemoTotem}}}
		if err := s.PutService(ctx, &svc); err != nil {
			t.Fatal(err)
		}
		if got := findIDs(t, s, "ippocastano", "it"); !slices.Equal(got, []string{"ancona-info-0"}) {
			t.Errorf("the word written at once: %v", got)
		}
		if got := findIDs(t, s, "mediazione", "it"); len(got) == 0 {
			t.Error("the words read at open: nothing")
		}
		s.Close()
	}
	// Closed before its words are in: a search says so, and nothing hangs.
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := s.Find(ctx, SearchQuery{Text: "medico"}); err == nil {
		t.Log("the words were in before Close")
	}
}

package fleet

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/internal/testenv"
)

// TestWritesBesideTheCatalog writes to the fleet's tables while the
// catalog publishes in the same file: each store has its own writer
// connection, and neither fails for the other (each waits its turn).
func TestWritesBesideTheCatalog(t *testing.T) {
	ctx := context.Background()
	cat := testenv.DemoStore(t)
	path := cat.Path()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.AddTotem(ctx, "t1", "", content.DemoTotem); err != nil {
		t.Fatal(err)
	}
	svc, err := cat.Service(ctx, "ancona-info-0")
	if err != nil {
		t.Fatal(err)
	}
	var done atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !done.Load() {
			if err := s.CountNeed(ctx, time.Now(), NeedVisit, ""); err != nil {
				t.Error(err)
				return
			}
			if err := s.TotemReported(ctx, "t1", json.RawMessage(`{}`)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for i := range 30 {
		svc.Name["it"] = "Sportello " + string(rune('A'+i))
		doc, _ := json.Marshal(svc)
		if _, err := feed.Publish(ctx, cat, "test", []content.Change{{Kind: content.KindService, ID: svc.ID, Op: content.OpPut, Doc: doc}}, nil); err != nil {
			t.Errorf("publish %d: %v", i, err)
			break
		}
	}
	done.Store(true)
	wg.Wait()
}

package relay

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/feed"
)

// benchDir holds generated catalogs between runs (make bench sets it).
func benchDir(b *testing.B) string {
	dir := os.Getenv("PUNTO_BENCH_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "punto-bench")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	return dir
}

// generated returns a fresh copy of a generated catalog of n services.
func generated(b *testing.B, n int) string {
	b.Helper()
	ctx := context.Background()
	cached := filepath.Join(benchDir(b), fmt.Sprintf("generated-%d-seed1-schema%d.db", n, content.SchemaVersion()))
	if _, err := os.Stat(cached); os.IsNotExist(err) {
		start := time.Now()
		if err := content.Generate(ctx, cached, content.GenerateOptions{Services: n, Seed: 1}); err != nil {
			b.Fatal(err)
		}
		b.Logf("generated %d services in %s", n, time.Since(start).Round(time.Millisecond))
	}
	data, err := os.ReadFile(cached)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "catalog.db")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	return path
}

func percentile(d []time.Duration, p float64) time.Duration {
	slices.Sort(d)
	return d[min(len(d)-1, int(float64(len(d))*p))]
}

// BenchmarkFanout publishes one change and times its delivery to 2,000
// totems connected over loopback websockets: per-totem p50 and p99, and
// until the last one has it.
func BenchmarkFanout(b *testing.B) {
	const clients = 2000
	ctx := context.Background()
	_, key, _ := ed25519.GenerateKey(nil)
	master := openCatalog(b, tempDB(b, "portal.db"), true)
	p := startPortal(b, master, key)
	svc, _ := master.Service(ctx, "ancona-info-0")
	doc, _ := json.Marshal(svc)
	// At sequence 0 a totem is new and gets a snapshot: start past it.
	if _, err := p.hub.Publish(ctx, "bench", []content.Change{{Kind: content.KindService, ID: svc.ID, Op: content.OpPut, Doc: doc}}, nil); err != nil {
		b.Fatal(err)
	}
	st, _ := feed.ReadState(ctx, master)
	conns := make([]*websocket.Conn, clients)
	dialer := websocket.Dialer{HandshakeTimeout: 30 * time.Second}
	for i := range clients {
		id := fmt.Sprintf("t%04d", i)
		token, err := fleetOf(b, master).AddTotem(ctx, id, id, content.DemoTotem)
		if err != nil {
			b.Fatal(err)
		}
		ws, _, err := dialer.Dial(p.url, http.Header{headerAuth: {"Bearer " + token}, headerTotem: {id}})
		if err != nil {
			b.Fatal(err)
		}
		defer ws.Close()
		// Up to date: no snapshot, no catch-up.
		if err := ws.WriteJSON(totemMsg{Type: "hello", Seq: st.Seq, Hash: hex.EncodeToString(st.Hash[:])}); err != nil {
			b.Fatal(err)
		}
		conns[i] = ws
	}
	// Wait until the hub has every totem registered.
	for len(p.hub.Connected()) < clients {
		time.Sleep(10 * time.Millisecond)
	}
	arrived := make([]chan time.Time, clients)
	for i, ws := range conns {
		arrived[i] = make(chan time.Time, 16)
		go func() {
			for {
				if _, _, err := ws.ReadMessage(); err != nil {
					return
				}
				arrived[i] <- time.Now()
			}
		}()
	}
	var all, lasts []time.Duration
	b.ResetTimer()
	for n := range b.N {
		svc.Name["it"] = fmt.Sprintf("Fanout %d", n)
		doc, _ := json.Marshal(svc)
		start := time.Now()
		if _, err := p.hub.Publish(ctx, "bench", []content.Change{{Kind: content.KindService, ID: svc.ID, Op: content.OpPut, Doc: doc}}, nil); err != nil {
			b.Fatal(err)
		}
		var last time.Duration
		for i := range clients {
			select {
			case at := <-arrived[i]:
				d := at.Sub(start)
				all = append(all, d)
				last = max(last, d)
			case <-time.After(30 * time.Second):
				b.Fatalf("client %d never got the batch", i)
			}
		}
		lasts = append(lasts, last)
	}
	b.StopTimer()
	b.ReportMetric(float64(percentile(all, 0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(all, 0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(percentile(lasts, 0.50).Microseconds())/1000, "last-ms")
}

// BenchmarkCatchUp times a totem that was offline while 10,000 services
// changed (in 100 publishes) from dialling to having committed them all.
func BenchmarkCatchUp(b *testing.B) {
	const services, per = 10000, 100
	ctx := context.Background()
	pub, key, _ := ed25519.GenerateKey(nil)
	source := generated(b, services)
	master := openCatalog(b, source, false)
	p := startPortal(b, master, key)
	ids, err := master.IDs(ctx, content.KindService)
	if err != nil {
		b.Fatal(err)
	}
	token, _ := fleetOf(b, master).AddTotem(ctx, "t", "t", content.DemoTotem)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		// The replica: the master as it stands, then left behind.
		snap := tempDB(b, "replica.db")
		if _, _, err := feed.WriteSnapshot(ctx, master, snap); err != nil {
			b.Fatal(err)
		}
		replica := openCatalog(b, snap, false)
		for i := 0; i < len(ids); i += per {
			var changes []content.Change
			for _, id := range ids[i:min(i+per, len(ids))] {
				svc, err := master.Service(ctx, id)
				if err != nil {
					b.Fatal(err)
				}
				svc.Name["it"] += "*"
				doc, _ := json.Marshal(svc)
				changes = append(changes, content.Change{Kind: content.KindService, ID: id, Op: content.OpPut, Doc: doc})
			}
			if _, err := p.hub.Publish(ctx, "bench", changes, nil); err != nil {
				b.Fatal(err)
			}
		}
		head, _ := feed.ReadState(ctx, master)
		b.StartTimer()
		start := time.Now()
		done := make(chan struct{})
		var once sync.Once
		c, _ := NewClient(ClientConfig{URL: p.url, TotemID: "t", Token: token, PortalKey: pub, Store: replica, Fleet: fleetOf(b, replica), Log: quiet,
			OnApplied: func(a feed.Affected) {
				if a.Seq == head.Seq {
					once.Do(func() { close(done) })
				}
			}})
		runCtx, cancel := context.WithCancel(ctx)
		go c.Run(runCtx)
		select {
		case <-done:
		case <-time.After(5 * time.Minute):
			b.Fatal("catch-up did not finish")
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "catchup-ms")
		cancel()
	}
}

// BenchmarkSnapshot times a new totem, with an empty catalog, from
// dialling to having applied a snapshot of 100,000 services.
func BenchmarkSnapshot(b *testing.B) {
	const services = 100000
	ctx := context.Background()
	pub, key, _ := ed25519.GenerateKey(nil)
	master := openCatalog(b, generated(b, services), false)
	p := startPortal(b, master, key)
	b.ResetTimer()
	for n := range b.N {
		b.StopTimer()
		id := fmt.Sprintf("new-%d", n)
		token, _ := fleetOf(b, master).AddTotem(ctx, id, id, content.DemoTotem)
		replica := openCatalog(b, tempDB(b, "new.db"), false)
		b.StartTimer()
		start := time.Now()
		done := make(chan struct{})
		c, _ := NewClient(ClientConfig{URL: p.url, TotemID: id, Token: token, PortalKey: pub, Store: replica, Fleet: fleetOf(b, replica), Log: quiet,
			OnApplied: func(a feed.Affected) { close(done) }})
		runCtx, cancel := context.WithCancel(ctx)
		go c.Run(runCtx)
		select {
		case <-done:
		case <-time.After(5 * time.Minute):
			b.Fatal("snapshot did not finish")
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "snapshot-ms")
		cancel()
		b.StopTimer()
		if got := seqOf(replica); got != seqOf(master) {
			b.Fatalf("replica at %d", got)
		}
		got, _ := replica.Stats(ctx)
		want, _ := master.Stats(ctx)
		if got != want {
			b.Fatalf("replica holds %+v, master %+v", got, want)
		}
		b.StartTimer()
	}
}

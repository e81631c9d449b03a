package relay

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/websocket"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/feed"
)

// startMirror runs a mirror of the portal at url in this process: its
// client, its store and its /sync on a loopback port.
func startMirror(b *testing.B, url string, pub ed25519.PublicKey, master *content.Store, name string) (*Mirror, string) {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	tok, err := fleetOf(b, master).AddTotem(ctx, name, name, content.DemoTotem)
	if err != nil {
		b.Fatal(err)
	}
	store := openCatalog(b, tempDB(b, name+".db"), false)
	m, err := OpenMirror(tempDB(b, name+".mirror"), quiet)
	if err != nil {
		b.Fatal(err)
	}
	c, err := NewClient(ClientConfig{URL: url, TotemID: name, Token: tok, PortalKey: pub, Store: store, Fleet: fleetOf(b, store), Log: quiet, Mirror: m,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	b.Cleanup(func() { cancel(); <-done })
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get(Path, m.Handler(ctx))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go app.Listener(ln)
	b.Cleanup(func() { app.ShutdownWithTimeout(5 * time.Second) })
	return m, "ws://" + ln.Addr().String() + Path
}

// stormClient is a simulated totem behind a mirror: it checks what it is
// sent with the portal's key and counts itself in step once it holds the
// portal's head.
type stormClient struct {
	url  string
	pub  ed25519.PublicKey
	seq  int64
	hash [feed.HashSize]byte
	ws   atomic.Pointer[websocket.Conn]
}

// follow dials, says hello, and reads until the link drops; it reports
// the sequence it reaches on step.
func (c *stormClient) follow(step func(seq int64)) error {
	ws, _, err := websocket.DefaultDialer.Dial(c.url, nil)
	if err != nil {
		return err
	}
	c.ws.Store(ws)
	defer ws.Close()
	if err := ws.WriteJSON(totemMsg{Type: "hello", Seq: c.seq, Hash: hex.EncodeToString(c.hash[:]), Nonce: "storm"}); err != nil {
		return err
	}
	ws.SetReadLimit(maxEnvelope)
	for {
		ws.SetReadDeadline(time.Now().Add(3 * time.Minute)) // bounded, whatever happens
		_, data, err := ws.ReadMessage()
		if err != nil {
			return err
		}
		if len(data) == 0 || data[0] != frameSigned {
			continue
		}
		env, err := feed.OpenEnvelope(c.pub, data[1:], time.Now())
		if err != nil {
			return fmt.Errorf("refused: %w", err)
		}
		if env.Type != feed.EnvelopeBatches {
			continue
		}
		for _, raw := range env.Batches {
			var body feed.BatchBody
			if err := json.Unmarshal(raw, &body); err != nil || body.First != c.seq+1 || body.Prev != hex.EncodeToString(c.hash[:]) {
				return fmt.Errorf("batch %d-%d does not follow %d", body.First, body.Last, c.seq)
			}
			c.seq = body.Last
			c.hash = sha256.Sum256(raw)
		}
		step(c.seq)
	}
}

// BenchmarkReconnectStorm: 1 portal, 2 mirrors and 2,000 simulated totems
// (1,000 on each mirror), all in step; then a publish and, at once, every
// totem's link dropped. Each dials its mirror again after a random wait
// in a jitter window (PUNTO_STORM_JITTER, default 10s) and catches up.
// Reported: when 50% and 99% are back in step, and the share within 30 s.
func BenchmarkReconnectStorm(b *testing.B) {
	const clients, mirrors = 2000, 2
	jitter := 10 * time.Second
	if v := os.Getenv("PUNTO_STORM_JITTER"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatal(err)
		}
		jitter = d
	}
	ctx := context.Background()
	pub, key, _ := ed25519.GenerateKey(nil)
	master := openCatalog(b, tempDB(b, "portal.db"), true)
	p := startPortal(b, master, key)
	svc, _ := master.Service(ctx, "ancona-info-0")
	publish := func(name string) int64 {
		svc.Name["it"] = name
		doc, _ := json.Marshal(svc)
		seq, err := p.hub.Publish(ctx, "bench", []content.Change{{Kind: content.KindService, ID: svc.ID, Op: content.OpPut, Doc: doc}}, nil)
		if err != nil {
			b.Fatal(err)
		}
		return seq
	}
	head := publish("Storm 0")
	var ms []*Mirror
	var urls []string
	for i := range mirrors {
		m, url := startMirror(b, p.url, pub, master, fmt.Sprintf("mirror-%d", i))
		ms, urls = append(ms, m), append(urls, url)
	}
	for _, m := range ms {
		waitFor(b, "the mirror has the head", func() bool {
			m.mu.Lock()
			has := m.head != nil
			m.mu.Unlock()
			return has && m.State().Head == head
		})
	}
	st, _ := feed.ReadState(ctx, master)
	cs := make([]*stormClient, clients)
	var mu sync.Mutex
	inStep := make([]time.Time, clients)
	target := st.Seq
	var dropped time.Time
	stop := make(chan struct{})
	var wg sync.WaitGroup
	defer func() {
		close(stop)
		for _, c := range cs {
			if ws := c.ws.Load(); ws != nil {
				ws.Close()
			}
		}
		wg.Wait()
	}()
	for i := range clients {
		c := &stormClient{url: urls[i%mirrors], pub: pub, seq: st.Seq, hash: st.Hash}
		cs[i] = c
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				// Until the link drops (or its mirror refuses it: dial again).
				_ = c.follow(func(seq int64) {
					mu.Lock()
					if seq >= target && inStep[i].IsZero() && !dropped.IsZero() {
						inStep[i] = time.Now()
					}
					mu.Unlock()
				})
				select {
				case <-stop:
					return
				default:
				}
				// Full jitter over the window, as a totem's backoff.
				select {
				case <-stop:
					return
				case <-time.After(mrand.N(jitter) + time.Millisecond):
				}
			}
		}()
	}
	waitFor(b, "every totem is connected", func() bool {
		n := 0
		for _, m := range ms {
			n += m.State().Totems
		}
		return n == clients
	})
	var p50, p99, within []float64
	b.ResetTimer()
	for n := range b.N {
		mu.Lock()
		clear(inStep)
		target = head + 1
		dropped = time.Now()
		mu.Unlock()
		// Every link dropped at once (the mirrors restart, say), and a
		// publish meanwhile: each totem must catch up to be in step.
		for _, m := range ms {
			m.mu.Lock()
			for c := range m.conns {
				c.close()
			}
			m.mu.Unlock()
		}
		if head = publish(fmt.Sprintf("Storm %d", n+1)); head != target {
			b.Fatalf("published %d, expected %d", head, target)
		}
		deadline := time.Now().Add(jitter + 60*time.Second)
		for {
			mu.Lock()
			back := 0
			for _, at := range inStep {
				if !at.IsZero() {
					back++
				}
			}
			mu.Unlock()
			if back == clients || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		mu.Lock()
		var ds []time.Duration
		for _, at := range inStep {
			if at.IsZero() {
				ds = append(ds, time.Hour) // never
			} else {
				ds = append(ds, at.Sub(dropped))
			}
		}
		mu.Unlock()
		ok := 0
		for _, d := range ds {
			if d <= 30*time.Second {
				ok++
			}
		}
		p50 = append(p50, percentile(ds, 0.50).Seconds())
		p99 = append(p99, percentile(ds, 0.99).Seconds())
		within = append(within, 100*float64(ok)/clients)
	}
	b.StopTimer()
	b.ReportMetric(mean(p50), "p50-s")
	b.ReportMetric(mean(p99), "p99-s")
	b.ReportMetric(mean(within), "%-within-30s")
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

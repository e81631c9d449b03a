package relay

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/internal/testenv"
)

func rename(t *testing.T, h *Hub, s *content.Store, id, name string) int64 {
	t.Helper()
	ctx := context.Background()
	svc, err := s.Service(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	svc.Name["it"] = name
	doc, _ := json.Marshal(svc)
	seq, err := h.Publish(ctx, "test", []content.Change{{Kind: content.KindService, ID: id, Op: content.OpPut, Doc: doc}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

type follower struct {
	store  *content.Store
	client *Client
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	applied []feed.Affected
}

func follow(t *testing.T, url string, pub ed25519.PublicKey, store *content.Store, id, token string) *follower {
	t.Helper()
	return followClock(t, url, pub, store, id, token, time.Now)
}

// followClock is follow on a totem whose clock says now(); opts change
// its client's configuration.
func followClock(t *testing.T, url string, pub ed25519.PublicKey, store *content.Store, id, token string, now func() time.Time, opts ...func(*ClientConfig)) *follower {
	t.Helper()
	f := &follower{store: store, done: make(chan struct{})}
	cfg := ClientConfig{URL: url, TotemID: id, Token: token, PortalKey: pub, Store: store, Fleet: fleetOf(t, store), Log: quiet, Now: now,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond,
		OnApplied: func(a feed.Affected) { f.mu.Lock(); f.applied = append(f.applied, a); f.mu.Unlock() }}
	for _, o := range opts {
		o(&cfg)
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.client = c
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	go func() { c.Run(ctx); close(f.done) }()
	t.Cleanup(f.stop)
	return f
}

func (f *follower) stop() {
	f.cancel()
	<-f.done
}

func seqOf(s *content.Store) int64 {
	st, _ := feed.ReadState(context.Background(), s)
	return st.Seq
}

func TestHubFeedsClients(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pub, key, _ := ed25519.GenerateKey(nil)
	master := openCatalog(t, tempDB(t, "portal.db"), true)
	p := startPortal(t, master, key)
	tokA, _ := fleetOf(t, master).AddTotem(ctx, "a", "A", content.DemoTotem)
	tokB, _ := fleetOf(t, master).AddTotem(ctx, "b", "B", content.DemoTotem)
	rename(t, p.hub, master, "ancona-info-0", "Prima")

	// A new totem, with an empty catalog, gets a snapshot.
	a := follow(t, p.url, pub, openCatalog(t, tempDB(t, "a.db"), false), "a", tokA)
	waitFor(t, "snapshot", func() bool { return seqOf(a.store) == 1 })
	b := follow(t, p.url, pub, openCatalog(t, tempDB(t, "b.db"), true), "b", tokB)
	waitFor(t, "b's snapshot", func() bool { return seqOf(b.store) == 1 })

	// Live batches.
	seq := rename(t, p.hub, master, "ancona-info-0", "Seconda")
	for _, f := range []*follower{a, b} {
		waitFor(t, "live batch", func() bool { return seqOf(f.store) == seq })
		svc, _ := f.store.Service(ctx, "ancona-info-0")
		if svc.Name["it"] != "Seconda" {
			t.Fatalf("replica has %q", svc.Name["it"])
		}
	}
	waitFor(t, "acknowledged", func() bool { return p.hub.Connected()["a"] == seq })
	a.mu.Lock()
	last := a.applied[len(a.applied)-1]
	a.mu.Unlock()
	if last.Seq != seq || len(last.Services) != 1 || last.Services[0] != "ancona-info-0" {
		t.Fatalf("affected: %+v", last)
	}

	// Offline, then back: catch-up from the log.
	b.stop()
	for i := range 5 {
		seq = rename(t, p.hub, master, "ancona-info-0", fmt.Sprintf("Offline %d", i))
	}
	b = follow(t, p.url, pub, b.store, "b", tokB)
	waitFor(t, "catch-up", func() bool { return seqOf(b.store) == seq })
	want, _ := master.Digest(ctx)
	for _, f := range []*follower{a, b} {
		if got, _ := f.store.Digest(ctx); got != want {
			t.Fatal("a replica differs from the master")
		}
	}

	// Plain HTTP and missing credentials get JSON errors (before the
	// revoked totem's redials fill this address's quota of refusals:
	// past it, /sync answers 429).
	httpURL := "http" + strings.TrimPrefix(p.url, "ws")
	for _, c := range []struct {
		name string
		hdr  map[string]string
		code int
	}{
		{"no credentials", nil, 401},
		{"not a websocket", map[string]string{"X-Punto-Totem": "b", "Authorization": "Bearer " + tokB}, 400},
		{"wrong token", map[string]string{"X-Punto-Totem": "b", "Authorization": "Bearer wrong", "Connection": "Upgrade", "Upgrade": "websocket"}, 401},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", httpURL, nil)
			for k, v := range c.hdr {
				req.Header.Set(k, v)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != c.code || !strings.Contains(string(body), `"error"`) {
				t.Errorf("%v: %d %s", c.hdr, res.StatusCode, body)
			}
		})
	}

	// A revoked token: kicked, and refused when it dials again.
	if err := fleetOf(t, master).RevokeTotem(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	p.hub.Kick("a")
	waitFor(t, "refused", func() bool { return strings.Contains(a.client.Status().LastError, "refused") })
	seq = rename(t, p.hub, master, "ancona-info-0", "Dopo la revoca")
	waitFor(t, "b still fed", func() bool { return seqOf(b.store) == seq })
	if seqOf(a.store) == seq {
		t.Fatal("a revoked totem was fed")
	}
	a.stop() // it would dial, and be refused, again and again
}

// A totem whose clock is hours wrong (no battery, no NTP) still follows:
// it checks expiries against the clock in the portal's welcome. Its
// --max-staleness is 3 s, under the portal's 30 s beat: it asks for a
// beat every second, and stays fresh.
func TestClientWithWrongClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pub, key, _ := ed25519.GenerateKey(nil)
	master := openCatalog(t, tempDB(t, "portal.db"), true)
	p := startPortal(t, master, key)
	tok, _ := fleetOf(t, master).AddTotem(ctx, "late", "late", content.DemoTotem)
	rename(t, p.hub, master, "ancona-info-0", "Uno")
	// A --max-staleness of 3 s: the totem asks for a beat every second.
	const maxStale = 3 * time.Second
	f := followClock(t, p.url, pub, openCatalog(t, tempDB(t, "late.db"), true), "late", tok, func() time.Time { return time.Now().Add(-3 * time.Hour) },
		func(c *ClientConfig) { c.MaxStaleness = maxStale })
	waitFor(t, "snapshot", func() bool { return seqOf(f.store) == 1 })
	seq := rename(t, p.hub, master, "ancona-info-0", "Due")
	waitFor(t, "live batch", func() bool { st := f.client.Status(); return st.Seq == seq && st.Synced })
	st := f.client.Status()
	if !st.Synced || st.ClockSkew < 3*3600-60 {
		t.Fatalf("status %+v", st)
	}
	// The portal's beat is 30 s, the totem's limit 3 s: it stays fresh
	// through twice its limit with no publish (it does not flap).
	first := st.CheckedAt
	until := time.Now().Add(2 * maxStale)
	for time.Now().Before(until) {
		if st := f.client.Status(); st.Stale || !st.Connected {
			t.Fatalf("status %+v with --max-staleness %v", st, maxStale)
		}
		time.Sleep(100 * time.Millisecond) // watching a span of time, not waiting for a state
	}
	if checked := f.client.Status().CheckedAt; checked.Sub(first) < maxStale {
		t.Errorf("checked at %v, then %v: the beats did not come every second", first, checked)
	}
}

func TestFeedMetrics(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pub, key, _ := ed25519.GenerateKey(nil)
	master := openCatalog(t, tempDB(t, "portal.db"), true)
	portalReg := prometheus.NewRegistry()
	hub, err := NewHub(HubConfig{Store: master, Fleet: fleetOf(t, master), Key: key, Log: quiet, Registry: portalReg})
	if err != nil {
		t.Fatal(err)
	}
	p := startPortalHub(t, master, hub)
	tok, _ := fleetOf(t, master).AddTotem(ctx, "m", "m", content.DemoTotem)
	rename(t, hub, master, "ancona-info-0", "Prima")
	totemReg := prometheus.NewRegistry()
	store := openCatalog(t, tempDB(t, "m.db"), true)
	c, err := NewClient(ClientConfig{URL: p.url, TotemID: "m", Token: tok, PortalKey: pub, Store: store, Fleet: fleetOf(t, store), Log: quiet, Metrics: NewMetrics(totemReg)})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { c.Run(runCtx); close(done) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "snapshot", func() bool { return seqOf(store) == 1 })
	seq := rename(t, hub, master, "ancona-info-0", "Metriche")
	waitFor(t, "batch", func() bool { return seqOf(store) == seq })
	waitFor(t, "ack", func() bool { return hub.Connected()["m"] == seq })
	value := func(reg *prometheus.Registry, name string) float64 {
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() == name {
				m := mf.GetMetric()[0]
				return m.GetCounter().GetValue() + m.GetGauge().GetValue()
			}
		}
		t.Fatalf("no metric %s", name)
		return 0
	}
	for _, c := range []struct {
		reg  *prometheus.Registry
		name string
		want float64
	}{
		{portalReg, "punto_feed_batches_published_total", 2},
		{portalReg, "punto_feed_totems_connected", 1},
		{portalReg, "punto_feed_totems_max_lag", 0},
		{totemReg, "punto_feed_envelopes_applied_total", 2}, // the snapshot, then the batch
		{totemReg, "punto_feed_sync_lag", 0},
	} {
		if got := value(c.reg, c.name); got != c.want {
			t.Errorf("%s = %v, want %v", c.name, got, c.want)
		}
	}
}

// A totem that stops reporting is shown offline within two intervals, and
// the webhook hears of it once. The portal's clock is the test's: it moves
// past the two intervals rather than the test waiting for them.
func TestFleetOffline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pub, key, _ := ed25519.GenerateKey(nil)
	master := openCatalog(t, tempDB(t, "portal.db"), true)
	var mu sync.Mutex
	var posts []map[string]any
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		json.NewDecoder(r.Body).Decode(&m)
		mu.Lock()
		posts = append(posts, m)
		mu.Unlock()
	}))
	defer hook.Close()
	const every = 100 * time.Millisecond
	clk := testenv.NewClock(time.Now())
	hub, err := NewHub(HubConfig{Store: master, Fleet: fleetOf(t, master), Key: key, Log: quiet, Heartbeat: every, Webhook: hook.URL, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	p := startPortalHub(t, master, hub)
	tok, _ := fleetOf(t, master).AddTotem(ctx, "f", "Fano", content.DemoTotem)
	store := openCatalog(t, tempDB(t, "f.db"), true)
	c, _ := NewClient(ClientConfig{URL: p.url, TotemID: "f", Token: tok, PortalKey: pub, Store: store, Fleet: fleetOf(t, store), Log: quiet,
		Heartbeat: every / 2, Screens: func() int { return 1 }})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { c.Run(runCtx); close(done) }()
	state := func() TotemState {
		ss, err := hub.State(ctx)
		if err != nil || len(ss) != 1 {
			t.Fatalf("fleet: %v %v", ss, err)
		}
		return ss[0]
	}
	waitFor(t, "online", func() bool { s := state(); return s.Online && s.Flag == "" })
	var hb struct {
		Screens  int    `json:"screens"`
		DiskFree uint64 `json:"disk_free_bytes"`
	}
	if err := json.Unmarshal(state().State, &hb); err != nil || hb.Screens != 1 || hb.DiskFree == 0 {
		t.Fatalf("heartbeat state %s: %v", state().State, err)
	}
	if beats, _ := fleetOf(t, master).TotemHeartbeats(ctx, "f"); len(beats) == 0 {
		t.Fatal("no heartbeat history")
	}
	cancel()
	<-done
	// Nothing more is reported once the portal has dropped the link.
	waitFor(t, "disconnected", func() bool { _, on := hub.Connected()["f"]; return !on })
	// Offline exactly when nothing has come for two intervals.
	seen := state().LastSeen
	for _, c := range []struct {
		after  time.Duration
		online bool
	}{{2*every - time.Millisecond, true}, {2*every + time.Millisecond, false}} {
		ss, _ := hub.fleet.states(ctx, seen.Add(c.after))
		if ss[0].Online != c.online {
			t.Errorf("%s after the last report: online %v", c.after, ss[0].Online)
		}
	}
	if state().Flag != "" {
		t.Fatal("offline before two intervals have passed")
	}
	clk.Set(seen.Add(2*every + time.Millisecond))
	waitFor(t, "offline", func() bool { return state().Flag == "offline" })
	waitFor(t, "webhook", func() bool { mu.Lock(); defer mu.Unlock(); return len(posts) > 0 })
	// Further checks, as the watch makes them, announce nothing new: each
	// posts before it returns.
	for range 3 {
		clk.Add(every)
		hub.fleet.check(ctx)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(posts) != 1 || posts[0]["state"] != "offline" || posts[0]["totem"] != "f" {
		t.Fatalf("webhook posts: %v", posts)
	}
}

// The hub threads Publish's hook to the feed: a failing one publishes
// nothing and tells nobody; a passing one runs in the publish.
func TestPublishHook(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, key, _ := ed25519.GenerateKey(nil)
	master := openCatalog(t, tempDB(t, "portal.db"), true)
	var told atomic.Int64
	hub, err := NewHub(HubConfig{Store: master, Fleet: fleetOf(t, master), Key: key, Log: quiet, OnPublish: func(feed.Affected) { told.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(hub.Close)
	svc, _ := master.Service(ctx, "ancona-info-0")
	svc.Name["it"] = "Con gancio"
	doc, _ := json.Marshal(svc)
	changes := []content.Change{{Kind: content.KindService, ID: svc.ID, Op: content.OpPut, Doc: doc}}
	boom := errors.New("no audit")
	if _, err := hub.Publish(ctx, "test", changes, func(*sql.Tx, int64) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("a failing hook: %v", err)
	}
	if seqOf(master) != 0 || told.Load() != 0 {
		t.Fatalf("a failed hook published: seq %d, told %d", seqOf(master), told.Load())
	}
	ran := false
	seq, err := hub.Publish(ctx, "test", changes, func(tx *sql.Tx, last int64) error {
		ran = true
		var n int64
		return tx.QueryRow("SELECT seq FROM sync_state").Scan(&n)
	})
	if err != nil || !ran || seq != 1 || seqOf(master) != 1 || told.Load() != 1 {
		t.Fatalf("publish with a hook: seq %d ran %v err %v told %d", seq, ran, err, told.Load())
	}
}

package relay

import (
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/punto-totem/punto/content"
)

func TestBeatEvery(t *testing.T) {
	for _, tc := range []struct {
		name   string
		portal time.Duration
		asked  int64
		want   time.Duration
	}{
		{"an older totem asks nothing", 30 * time.Second, 0, 30 * time.Second},
		{"a totem asks for less", 30 * time.Second, 1000, time.Second},
		{"a totem asks for more: the portal's", 30 * time.Second, 200_000, 30 * time.Second},
		{"never under a second", 30 * time.Second, 10, time.Second},
		{"a negative ask is none", 5 * time.Second, -4, 5 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := beatEvery(tc.portal, tc.asked); got != tc.want {
				t.Errorf("beatEvery(%v, %d) = %v, want %v", tc.portal, tc.asked, got, tc.want)
			}
		})
	}
}

// TestShortStalenessDoesNotFlap follows a portal whose heartbeat is 30 s
// with a totem whose --max-staleness is 3 s: the totem asks for a beat
// every second, and stays fresh through twice its limit with no publish.
func TestShortStalenessDoesNotFlap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pub, key, _ := ed25519.GenerateKey(nil)
	master := openCatalog(t, tempDB(t, "portal.db"), true)
	p := startPortal(t, master, key)
	tok, _ := fleetOf(t, master).AddTotem(ctx, "short", "short", content.DemoTotem)
	seq := rename(t, p.hub, master, "ancona-info-0", "Uno")
	store := openCatalog(t, tempDB(t, "short.db"), true)
	const maxStale = 3 * time.Second
	c, err := NewClient(ClientConfig{URL: p.url, TotemID: "short", Token: tok, PortalKey: pub, Store: store, Fleet: fleetOf(t, store), Log: quiet,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, MaxStaleness: maxStale})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { c.Run(runCtx); close(done) }()
	defer func() { cancel(); <-done }()
	// The snapshot first: while it is checked and applied nothing else
	// is read.
	waitFor(t, "in step", func() bool { st := c.Status(); return st.Synced && st.Seq == seq })
	first := c.Status().CheckedAt
	until := time.Now().Add(2 * maxStale)
	for time.Now().Before(until) {
		if st := c.Status(); st.Stale || !st.Connected {
			t.Fatalf("status %+v with --max-staleness %v", st, maxStale)
		}
		time.Sleep(100 * time.Millisecond) // watching a span of time, not waiting for a state
	}
	if checked := c.Status().CheckedAt; checked.Sub(first) < maxStale {
		t.Errorf("checked at %v, then %v: the beats did not come every second", first, checked)
	}
}

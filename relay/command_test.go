package relay

import (
	"context"
	"crypto/ed25519"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/fleet"
	"github.com/punto-totem/punto/internal/testenv"
)

// screen records the commands a totem's screen carried out.
type screen struct {
	mu   sync.Mutex
	cmds []fleet.Command
}

func (s *screen) do(c fleet.Command) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cmds = append(s.cmds, c)
	return nil
}

func (s *screen) got() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, c := range s.cmds {
		out = append(out, c.ID)
	}
	return out
}

// totemAt starts a client for a registered totem with its own catalog.
func totemAt(t *testing.T, p *testPortal, pub ed25519.PublicKey, id string, sc *screen, every time.Duration) (*Client, context.CancelFunc) {
	t.Helper()
	ctx := context.Background()
	tok, err := fleetOf(t, p.store).AddTotem(ctx, id, id, content.DemoTotem)
	if err != nil {
		t.Fatal(err)
	}
	store := openCatalog(t, tempDB(t, id+".db"), true)
	c, err := NewClient(ClientConfig{URL: p.url, TotemID: id, Token: tok, PortalKey: pub, Store: store, Fleet: fleetOf(t, store), Log: quiet,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, Heartbeat: every, OnCommand: sc.do})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { c.Run(runCtx); close(done) }()
	stop := func() { cancel(); <-done }
	t.Cleanup(stop)
	waitFor(t, id+" connected", func() bool { return c.Status().Connected && c.Status().Synced })
	return c, stop
}

func targetState(t *testing.T, h *Hub, cmd, totem string) string {
	t.Helper()
	rs, err := h.Commands(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.ID != cmd {
			continue
		}
		for _, tg := range r.Targets {
			if tg.Totem == totem {
				return tg.State
			}
		}
	}
	return ""
}

func TestCommandsReachTheTotemsTheyName(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pub, key, _ := ed25519.GenerateKey(nil)
	master := openCatalog(t, tempDB(t, "portal.db"), true)
	clk := testenv.NewClock(time.Now())
	hub, err := NewHub(HubConfig{Store: master, Fleet: fleetOf(t, master), Key: key, Log: quiet, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	p := startPortalHub(t, master, hub)
	var sa, sb, sc screen
	a, _ := totemAt(t, p, pub, "a", &sa, time.Hour)
	totemAt(t, p, pub, "b", &sb, time.Hour)

	msg := &fleet.Command{Action: fleet.CommandMessage, Totems: []string{"a"}, Text: content.Text{"it": "Chiude alle 18"}, Minutes: 5}
	if err := p.hub.Command(ctx, "admin", msg, time.Minute); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a carries it out", func() bool { return targetState(t, p.hub, msg.ID, "a") == "done" })
	if got := sa.got(); !slices.Equal(got, []string{msg.ID}) {
		t.Fatalf("a's screen: %v", got)
	}
	if sa.cmds[0].Text["it"] != "Chiude alle 18" || sa.cmds[0].Minutes != 5 {
		t.Errorf("a got %+v", sa.cmds[0])
	}

	// A command for an offline totem waits for it, until it expires.
	later := &fleet.Command{Action: fleet.CommandReload, Totems: []string{"c"}}
	if _, err := fleetOf(t, master).AddTotem(ctx, "c", "c", content.DemoTotem); err != nil {
		t.Fatal(err)
	}
	if err := p.hub.Command(ctx, "admin", later, time.Minute); err != nil {
		t.Fatal(err)
	}
	// One that lapses before c connects. Its delivery lapses by the hub's
	// clock, its record is shown by the wall clock: the hub's stands an
	// hour back while it issues it, then moves on past its expiry.
	lapsing := &fleet.Command{Action: fleet.CommandReload, Totems: []string{"c"}}
	clk.Add(-time.Hour)
	if err := p.hub.Command(ctx, "admin", lapsing, time.Second); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Hour)
	if targetState(t, p.hub, lapsing.ID, "c") != "expired" {
		t.Fatal("a lapsed command is not shown expired")
	}
	totemAt(t, p, pub, "c", &sc, time.Hour)
	waitFor(t, "c gets what waited", func() bool { return targetState(t, p.hub, later.ID, "c") == "done" })
	if got := sc.got(); !slices.Equal(got, []string{later.ID}) {
		t.Fatalf("c's screen: %v (the lapsed one must not run)", got)
	}

	// Restart: acknowledged first, then the client says so.
	restart := &fleet.Command{Action: fleet.CommandRestart, Totems: []string{"a"}}
	if err := p.hub.Command(ctx, "admin", restart, time.Minute); err != nil {
		t.Fatal(err)
	}
	select {
	case <-a.Restart():
	case <-time.After(15 * time.Second):
		t.Fatal("the restart command did not reach the totem")
	}
	waitFor(t, "restart acknowledged", func() bool { return targetState(t, p.hub, restart.ID, "a") == "done" })

	// Commands reach a totem in the order they were sent: once one for b
	// is done, any sent to it earlier would have been carried out.
	probe := &fleet.Command{Action: fleet.CommandReload, Totems: []string{"b"}}
	if err := p.hub.Command(ctx, "admin", probe, time.Minute); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "b carries out its own", func() bool { return targetState(t, p.hub, probe.ID, "b") == "done" })
	if got := sb.got(); !slices.Equal(got, []string{probe.ID}) {
		t.Fatalf("b carried out commands for others: %v", got)
	}
	if targetState(t, p.hub, msg.ID, "b") != "" {
		t.Fatal("b has a state for a command that does not name it")
	}

	for _, c := range []struct {
		name  string
		cmd   *fleet.Command
		ttl   time.Duration
		field string
	}{
		{"unknown totem", &fleet.Command{Action: fleet.CommandReload, Totems: []string{"nobody"}}, time.Minute, "totems"},
		{"no totem", &fleet.Command{Action: fleet.CommandReload}, time.Minute, "totems"},
		{"unknown action", &fleet.Command{Action: "wipe", Totems: []string{"a"}}, time.Minute, "action"},
		{"two-day ttl", &fleet.Command{Action: fleet.CommandReload, Totems: []string{"a"}}, 48 * time.Hour, "ttl_s"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var ve *content.ValidationError
			if err := p.hub.Command(ctx, "admin", c.cmd, c.ttl); !errors.As(err, &ve) || ve.Field != c.field {
				t.Errorf("%+v: %v, want a validation error on %s", c.cmd, err, c.field)
			}
		})
	}
}

// A command delivered twice (its acknowledgement lost with the link) runs
// once; one that names another totem is refused and reported.
func TestCommandOnceAndOnlyForItsTotem(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pub, key, _ := ed25519.GenerateKey(nil)
	master := openCatalog(t, tempDB(t, "portal.db"), true)
	p := startPortal(t, master, key)
	var sa screen
	a, _ := totemAt(t, p, pub, "a", &sa, time.Hour)
	cmd := &fleet.Command{ID: "cmd-twice", Action: fleet.CommandReload, Totems: []string{"a"}, Issued: time.Now()}
	payload, _ := feed.EncodeCommand(time.Now().Add(time.Minute), cmd)
	signed := append([]byte{frameSigned}, feed.Sign(key, payload)...)
	if err := fleetOf(t, master).AddCommand(ctx, cmd, "admin", time.Now().Add(time.Minute), signed); err != nil {
		t.Fatal(err)
	}
	other := &fleet.Command{ID: "cmd-other", Action: fleet.CommandReload, Totems: []string{"z"}, Issued: time.Now()}
	payload, _ = feed.EncodeCommand(time.Now().Add(time.Minute), other)
	misdirected := append([]byte{frameSigned}, feed.Sign(key, payload)...)
	p.hub.mu.Lock()
	conn := p.hub.totems["a"]
	p.hub.mu.Unlock()
	for _, c := range []pendingCommand{{"cmd-twice", signed}, {"cmd-twice", signed}, {"cmd-other", misdirected}} {
		conn.cmds <- c
	}
	waitFor(t, "done", func() bool { return targetState(t, p.hub, "cmd-twice", "a") == "done" })
	waitFor(t, "the misdirected one is refused", func() bool { return strings.Contains(a.Status().LastError, "not_addressed") })
	if got := sa.got(); !slices.Equal(got, []string{"cmd-twice"}) {
		t.Fatalf("the screen carried out %v", got)
	}
	if !a.Status().Connected {
		t.Error("a refused command dropped the link")
	}
}

func TestNeedsTravelWithHeartbeats(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pub, key, _ := ed25519.GenerateKey(nil)
	master := openCatalog(t, tempDB(t, "portal.db"), true)
	p := startPortal(t, master, key)
	tok, _ := fleetOf(t, master).AddTotem(ctx, "a", "a", content.DemoTotem)
	store := openCatalog(t, tempDB(t, "a.db"), true)
	hour := fleet.NeedsHour(time.Now())
	for range 3 {
		if err := fleetOf(t, store).CountNeed(ctx, hour, fleet.NeedVisit, ""); err != nil {
			t.Fatal(err)
		}
	}
	// More figures than one message holds.
	for i := range needsPerMessage + 20 {
		if err := fleetOf(t, store).CountNeed(ctx, hour.Add(-time.Duration(i+1)*time.Hour), fleet.NeedLanguage, "ar"); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := NewClient(ClientConfig{URL: p.url, TotemID: "a", Token: tok, PortalKey: pub, Store: store, Fleet: fleetOf(t, store), Log: quiet, Heartbeat: 100 * time.Millisecond})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { c.Run(runCtx); close(done) }()
	defer func() { cancel(); <-done }()
	total := func(event string) int64 {
		rows, err := fleetOf(t, master).NeedsReports(ctx, []time.Time{hour.Add(-30 * 24 * time.Hour), hour.Add(time.Hour)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		for _, r := range rows {
			if r.Event == event && r.Totem == "a" {
				n += r.N
			}
		}
		return n
	}
	waitFor(t, "the figures reach the portal", func() bool { return total(fleet.NeedVisit) == 3 && total(fleet.NeedLanguage) == needsPerMessage+20 })
	if err := fleetOf(t, store).CountNeed(ctx, hour, fleet.NeedVisit, ""); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a later visit follows", func() bool { return total(fleet.NeedVisit) == 4 })
}

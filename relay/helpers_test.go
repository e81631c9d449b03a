package relay

import (
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/fleet"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// demo is the demo catalog, made once for every test that starts from
// it (making it is most of a test's time) and copied for each.
var demo struct {
	once sync.Once
	dir  string
	data []byte
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if demo.dir != "" {
		os.RemoveAll(demo.dir)
	}
	os.Exit(code)
}

func demoCopy(path string) error {
	demo.once.Do(func() {
		if demo.dir, demo.err = os.MkdirTemp("", "punto-relay-demo-"); demo.err != nil {
			return
		}
		src := filepath.Join(demo.dir, "demo.db")
		if demo.err = content.CreateDemo(context.Background(), src); demo.err == nil {
			demo.data, demo.err = os.ReadFile(src)
		}
	})
	if demo.err != nil {
		return demo.err
	}
	return os.WriteFile(path, demo.data, 0o644)
}

// clock is a test's clock: it stands still until the test moves it.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// waitFor polls cond every few milliseconds until it holds, and fails the
// test if it does not within 15 seconds: tests wait for a state, never for
// time to pass.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting: " + what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// testPortal is a hub over a catalog, served on a loopback port.
type testPortal struct {
	store *content.Store
	hub   *Hub
	url   string // ws://…/sync
	app   *fiber.App
}

func startPortal(tb testing.TB, store *content.Store, key ed25519.PrivateKey) *testPortal {
	tb.Helper()
	hub, err := NewHub(HubConfig{Store: store, Fleet: fleetOf(tb, store), Key: key, Log: quiet})
	if err != nil {
		tb.Fatal(err)
	}
	return startPortalHub(tb, store, hub)
}

func startPortalHub(tb testing.TB, store *content.Store, hub *Hub) *testPortal {
	tb.Helper()
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get(Path, hub.Handler)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go app.Listener(ln)
	p := &testPortal{store: store, hub: hub, app: app, url: "ws://" + ln.Addr().String() + Path}
	tb.Cleanup(p.stop)
	return p
}

func (p *testPortal) stop() {
	p.hub.Close()
	p.app.ShutdownWithTimeout(5 * time.Second)
}

func openCatalog(tb testing.TB, path string, demo bool) *content.Store {
	tb.Helper()
	ctx := context.Background()
	if demo {
		if err := demoCopy(path); err != nil {
			tb.Fatal(err)
		}
	}
	s, err := content.Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	f, err := fleet.Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	fleets.Store(s, f)
	tb.Cleanup(func() { fleets.Delete(s); f.Close() })
	return s
}

// fleets holds the fleet store of each catalog openCatalog opened.
var fleets sync.Map // *content.Store → *fleet.Store

// fleetOf is the fleet store on the catalog s.
func fleetOf(tb testing.TB, s *content.Store) *fleet.Store {
	tb.Helper()
	f, ok := fleets.Load(s)
	if !ok {
		tb.Fatal("no fleet store for the catalog at " + s.Path())
	}
	return f.(*fleet.Store)
}

func tempDB(tb testing.TB, name string) string { return filepath.Join(tb.TempDir(), name) }

package relay

import (
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/fleet"
	"github.com/punto-totem/punto/internal/testenv"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestMain(m *testing.M) { testenv.Main(m) }

// waitFor polls cond until it holds, and fails the test if it does not
// within 15 seconds: tests wait for a state, never for time to pass.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	testenv.Eventually(t, 15*time.Second, what, cond)
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
		testenv.CopyDemo(tb, path)
	}
	s, err := content.OpenLazy(ctx, path)
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

package relay

import (
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// testPortal is a hub over a catalog, served on a loopback port.
type testPortal struct {
	store *content.Store
	hub   *Hub
	url   string // ws://…/sync
	app   *fiber.App
}

func startPortal(tb testing.TB, store *content.Store, key ed25519.PrivateKey) *testPortal {
	tb.Helper()
	hub, err := NewHub(HubConfig{Store: store, Key: key, Log: quiet})
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
		if err := content.CreateDemo(ctx, path); err != nil {
			tb.Fatal(err)
		}
	}
	s, err := content.Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func tempDB(tb testing.TB, name string) string { return filepath.Join(tb.TempDir(), name) }

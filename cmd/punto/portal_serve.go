package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/punto-totem/punto/callback"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/editorial"
	"github.com/punto-totem/punto/fleet"
	"github.com/punto-totem/punto/internal/sqlitedb"
	"github.com/punto-totem/punto/kiosk"
	"github.com/punto-totem/punto/mail"
	"github.com/punto-totem/punto/mediation"
	"github.com/punto-totem/punto/portal"
	"github.com/punto-totem/punto/relay"
)

// portalStores are the stores of a portal's file and its signing key.
type portalStores struct {
	catalog   *content.Store
	fleet     *fleet.Store
	editorial *editorial.Store
	outbox    *mail.Outbox
	mediation *mediation.Store
	callbacks *callback.Store
	key       ed25519.PrivateKey
	publicKey string // as totems are given it
	// keyRecords are the root-signed rotations and revocations of the
	// portal's keys (punto keys), sent with every welcome.
	keyRecords []feed.SignedKeyRecord
}

// Close closes what was opened.
func (ps *portalStores) Close() error {
	var errs []error
	if ps.callbacks != nil {
		errs = append(errs, ps.callbacks.Close())
	}
	if ps.mediation != nil {
		errs = append(errs, ps.mediation.Close())
	}
	if ps.outbox != nil {
		errs = append(errs, ps.outbox.Close())
	}
	if ps.editorial != nil {
		errs = append(errs, ps.editorial.Close())
	}
	if ps.fleet != nil {
		errs = append(errs, ps.fleet.Close())
	}
	if ps.catalog != nil {
		errs = append(errs, ps.catalog.Close())
	}
	return errors.Join(errs...)
}

// openPortal opens the master catalog (made first for the demo), the fleet
// and editorial stores on it, and the signing key (made if missing, its
// public half written beside it).
func openPortal(ctx context.Context, cfg *PortalConfig, log *slog.Logger) (*portalStores, error) {
	ps := &portalStores{}
	var err error
	if ps.catalog, err = openCatalog(ctx, log, cfg.DB, cfg.Demo); err != nil {
		return nil, err
	}
	if ps.fleet, err = fleet.Open(ctx, cfg.DB); err != nil {
		return nil, errors.Join(err, ps.Close())
	}
	if ps.editorial, err = editorial.Open(ctx, editorial.Config{Catalog: ps.catalog, Totems: ps.fleet}); err != nil {
		return nil, errors.Join(err, ps.Close())
	}
	if ps.outbox, err = mail.Open(ctx, mail.Config{Path: cfg.DB, SMTP: cfg.smtp, Backoff: cfg.MailRetry, Log: log}); err != nil {
		return nil, errors.Join(err, ps.Close())
	}
	if ps.mediation, err = mediation.Open(ctx, mediation.Config{Editorial: ps.editorial, Outbox: ps.outbox, Retention: cfg.MediationRetention,
		PortalURL: strings.TrimSuffix(cfg.PublicURL, "/") + "/editor", LeaveCheckpoints: cfg.Litestream}); err != nil {
		return nil, errors.Join(err, ps.Close())
	}
	key, err := callback.LoadOrCreateKey(cfg.CallbackKey)
	if err != nil {
		return nil, errors.Join(err, ps.Close())
	}
	if ps.callbacks, err = callback.Open(ctx, callback.Config{Editorial: ps.editorial, Mediation: ps.mediation, Key: key, Retention: cfg.CallbackRetention, LeaveCheckpoints: cfg.Litestream}); err != nil {
		return nil, errors.Join(err, ps.Close())
	}
	if ps.key, ps.publicKey, err = portalKey(cfg.Key, log); err != nil {
		return nil, errors.Join(err, ps.Close())
	}
	if ps.keyRecords, err = feed.ReadKeyRecords(keyRecordsPath(cfg.Key)); err != nil {
		return nil, errors.Join(err, ps.Close())
	}
	return ps, nil
}

// portalKey loads or makes the signing key at path and writes its public
// half to path.pub.
func portalKey(path string, log *slog.Logger) (ed25519.PrivateKey, string, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, "", err
		}
	}
	key, created, err := feed.LoadOrCreateKey(path)
	if err != nil {
		return nil, "", err
	}
	pub := feed.EncodePublicKey(key.Public().(ed25519.PublicKey))
	if err := os.WriteFile(path+".pub", []byte(pub+"\n"), 0o644); err != nil {
		return nil, "", err
	}
	if created {
		log.Info("created a new signing key", "key", path)
	}
	return key, pub, nil
}

// servePortal runs a portal until ctx ends: the feed's hub, the public
// server for phones with the editor mounted on it.
func servePortal(ctx context.Context, cfg *PortalConfig, stdout, stderr io.Writer) (err error) {
	log := slog.New(slog.NewTextHandler(stderr, nil))
	// Held while the portal serves: punto restore and punto portal epoch
	// refuse to change the file under it.
	if err := os.MkdirAll(filepath.Dir(cfg.DB), 0o755); err != nil {
		return err
	}
	release, err := sqlitedb.Lock(cfg.DB)
	if errors.Is(err, sqlitedb.ErrInUse) {
		return fmt.Errorf("portal: another portal serves %s", cfg.DB)
	}
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, release()) }()
	ps, err := openPortal(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeAfter(&err, ps)
	if cfg.Demo {
		if err := demoAccounts(ctx, ps, cfg, log, stdout); err != nil {
			return err
		}
	}
	// The hub tells the server what each publish changed; the server is
	// made after the hub, which it mounts.
	var screens atomic.Pointer[kiosk.Server]
	reg := prometheus.NewRegistry()
	hub, err := relay.NewHub(relay.HubConfig{
		Store: ps.catalog, Fleet: ps.fleet, Key: ps.key, Log: log, TTL: cfg.BatchTTL, Registry: reg, Heartbeat: cfg.Heartbeat, Webhook: cfg.Webhook, Beat: cfg.Beat, KeyRecords: ps.keyRecords,
		Desk: callbackDesk{callbacks: ps.callbacks, mediation: ps.mediation},
		// Beside the catalog, on its file system: a snapshot is as large
		// as the catalog, and what a killed portal left is removed when it
		// starts again (a temporary folder would keep it).
		SnapshotDir: cfg.DB + ".snapshots",
		OnPublish: func(a feed.Affected) {
			if srv := screens.Load(); srv != nil {
				srv.Notify(a)
			}
		},
	})
	if err != nil {
		return err
	}
	srv, err := kiosk.New(ps.catalog, kiosk.Config{
		Role: "portal", Position: cfg.Position, Version: version, Log: log, PublicURL: cfg.PublicURL, Metrics: reg, TrustedProxies: cfg.TrustedProxies,
		LargeBody: portal.LargeBody,
		Talk:      phoneTalk{catalog: ps.catalog, desk: callbackDesk{callbacks: ps.callbacks, mediation: ps.mediation}},
		Mount: func(app *fiber.App) error {
			app.Get(relay.Path, hub.Handler)
			return portal.Mount(app, portal.Config{Editorial: ps.editorial, Totems: ps.fleet, Publisher: hub, Log: log, SecureCookies: cfg.SecureCookies,
				Fleet: func(ctx context.Context) (any, error) { return hub.State(ctx) }, Commander: hub, Heartbeat: cfg.Heartbeat,
				Mediation: ps.mediation, Callbacks: ps.callbacks, CallbackPerAddress: cfg.CallbackPerAddress})
		},
	})
	if err != nil {
		hub.Close()
		return err
	}
	screens.Store(srv)
	st, err := feed.ReadState(ctx, ps.catalog)
	if err != nil {
		return err
	}
	mediating := runMediation(ctx, ps, log, min(time.Minute, max(cfg.CallbackRetention/2, time.Second)))
	defer mediating()
	errc := make(chan error, 1)
	go func() { errc <- serveNode(ctx, log, srv, cfg.Addr, cfg.certs, catalogAnswers(ps.catalog)) }()
	log.Info("portal serving", "addr", cfg.Addr, "db", cfg.DB, "seq", st.Seq, "epoch", st.Epoch, "editor", strings.TrimSuffix(cfg.PublicURL, "/")+"/editor", "public_key", ps.publicKey)
	select {
	case err := <-errc:
		hub.Close()
		return fmt.Errorf("portal: %w", err)
	case <-ctx.Done():
		log.Info("shutting down")
		hub.Close()
		return srv.Shutdown()
	}
}

// runMediation delivers the outbox's mail, purges the notes of closed
// requests and deletes the call-backs past their retention (at start,
// then every purge: a minute, or half a shorter retention) until ctx ends
// or the returned stop is called, which waits for both.
func runMediation(ctx context.Context, ps *portalStores, log *slog.Logger, purge time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		ps.outbox.Run(ctx)
	}()
	go func() {
		defer wg.Done()
		tick := time.NewTicker(purge)
		defer tick.Stop()
		for {
			if n, err := ps.mediation.PurgeNotes(ctx); err != nil && ctx.Err() == nil {
				log.Error("mediation: purge notes", "err", err)
			} else if n > 0 {
				log.Info("mediation: notes purged", "requests", n)
			}
			if n, err := ps.callbacks.Purge(ctx); err != nil && ctx.Err() == nil {
				log.Error("callback: purge", "err", err)
			} else if n > 0 {
				log.Info("callback: expired requests deleted", "requests", n)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}

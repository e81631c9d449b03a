package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/fleet"
	"github.com/punto-totem/punto/kiosk"
	"github.com/punto-totem/punto/relay"
)

// MirrorConfig is what `punto mirror` runs with: a read-only public node
// that follows the portal like a totem and serves its phones' UI and API,
// and the portal's signed feed to totems, from its own copy.
type MirrorConfig struct {
	DB           string        // the mirror's catalog (made empty if missing)
	Addr         string        // listen address
	Position     orb.Point     // where phones that share no position start from
	PublicURL    string        // where phones reach the mirror
	Portal       string        // the portal's feed URL
	PortalKey    string        // the portal's public key, or a file holding it
	RootPubkey   string        // the offline root key's public half
	Token        string        // the mirror's token (registered as a totem)
	TokenFile    string        // a file holding it
	TotemID      string        // the ID the portal registered the mirror under
	InsecureDev  bool          // allow a plain ws:// portal
	PortalCA     string        // the private CA of the portal's certificate
	RetryMax     time.Duration // the longest wait before dialling again
	MaxStaleness time.Duration // nothing signed for this long: stale
	// TrustedProxies are the load balancers in front of the mirror, whose
	// X-Forwarded-For is believed: /sync limits failed dials per address,
	// and behind a proxy not named here every totem shares its address.
	TrustedProxies []string

	follow  *relay.ClientConfig
	rootPub ed25519.PublicKey
}

func parseMirrorConfig(args []string, stderr io.Writer) (*MirrorConfig, error) {
	cfg := &MirrorConfig{}
	fs := flag.NewFlagSet("mirror", flag.ContinueOnError)
	fs.StringVar(&cfg.DB, "db", "data/mirror.db", "the mirror's catalog `file` (SQLite; made empty if missing, then filled from the portal)")
	fs.StringVar(&cfg.Addr, "addr", ":8091", "listen `address`")
	lat := fs.Float64("lat", content.DemoTotem[1], "latitude phones start from when they share no position")
	lon := fs.Float64("lon", content.DemoTotem[0], "longitude phones start from when they share no position")
	fs.StringVar(&cfg.PublicURL, "public-url", "", "the `URL` phones reach the mirror at (default http://localhost and --addr's port)")
	fs.StringVar(&cfg.Portal, "portal", "", "the portal's feed `URL` (wss://host/sync) to follow")
	fs.StringVar(&cfg.PortalKey, "portal-key", "", "the portal's public `key` (base64) or a file holding it")
	fs.StringVar(&cfg.RootPubkey, "root-pubkey", "", "the public half of the portal's offline root `key`, as for a totem")
	fs.StringVar(&cfg.Token, "token", "", "the mirror's `token` (register it as a totem: punto portal totem add; prefer --token-file)")
	fs.StringVar(&cfg.TokenFile, "token-file", "", "`file` holding the mirror's token")
	fs.StringVar(&cfg.TotemID, "totem-id", "mirror", "the `ID` the portal registered the mirror under")
	fs.BoolVar(&cfg.InsecureDev, "insecure-dev", false, "allow a plain ws:// portal (development only)")
	fs.StringVar(&cfg.PortalCA, "portal-ca", "", "`file` (PEM) of the private CA the portal's certificate comes from")
	fs.DurationVar(&cfg.RetryMax, "retry-max", 60*time.Second, "longest wait before dialling the portal again after a failure")
	fs.DurationVar(&cfg.MaxStaleness, "max-staleness", 10*time.Minute, "with nothing signed from the portal for this long, the mirror says its data is stale")
	trusted := newListFlag(fs, "trusted-proxy", "`address` or CIDR range of a load balancer in front of the mirror, whose X-Forwarded-For and X-Forwarded-Proto are believed (repeat, or separate with commas)")
	if err := parseConfig(fs, args, stderr); err != nil {
		return nil, err
	}
	cfg.Position, cfg.TrustedProxies = orb.Point{*lon, *lat}, *trusted
	if err := checkProxies("mirror", cfg.TrustedProxies); err != nil {
		return nil, err
	}
	if err := content.ValidPoint(cfg.Position); err != nil {
		return nil, usagef("mirror: --lat/--lon: %v", err)
	}
	if cfg.Portal == "" {
		return nil, usagef("mirror: --portal is required (the portal's feed, wss://host/sync)")
	}
	if cfg.RetryMax < time.Second || cfg.RetryMax > time.Hour {
		return nil, usagef("mirror: --retry-max must be between 1s and 1h")
	}
	if cfg.MaxStaleness < 3*time.Second || cfg.MaxStaleness > 7*24*time.Hour {
		return nil, usagef("mirror: --max-staleness must be between 3s and 168h")
	}
	if cfg.PublicURL == "" {
		_, port, _ := net.SplitHostPort(cfg.Addr)
		cfg.PublicURL = "http://localhost:" + port
	}
	if !webURL(cfg.PublicURL) {
		return nil, usagef("mirror: --public-url must be an http or https URL")
	}
	var err error
	if cfg.follow, err = followConfig(cfg.Portal, cfg.PortalKey, cfg.Token, cfg.TokenFile, cfg.TotemID, cfg.InsecureDev); err != nil {
		return nil, err
	}
	if cfg.RootPubkey != "" {
		pub, err := feed.ParsePublicKey(cfg.RootPubkey)
		if err != nil {
			return nil, usagef("mirror: --root-pubkey: %v", err)
		}
		cfg.rootPub = pub
	}
	if cfg.follow.TLS, err = portalTLS(cfg.PortalCA); err != nil {
		return nil, err
	}
	return cfg, nil
}

func runMirror(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, err := parseMirrorConfig(args, stderr)
	if err != nil {
		return err
	}
	return serveMirror(ctx, cfg, stderr)
}

// serveMirror runs a mirror until ctx ends.
func serveMirror(ctx context.Context, cfg *MirrorConfig, stderr io.Writer) (err error) {
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if err := os.MkdirAll(filepath.Dir(cfg.DB), 0o755); err != nil {
		return err
	}
	cat, err := content.Open(ctx, cfg.DB)
	if err != nil {
		return fmt.Errorf("mirror: %w", err)
	}
	defer closeAfter(&err, cat)
	fl, err := fleet.Open(ctx, cfg.DB)
	if err != nil {
		return fmt.Errorf("mirror: %w", err)
	}
	defer closeAfter(&err, fl)
	store, err := relay.OpenMirror(cfg.DB+".mirror", log)
	if err != nil {
		return err
	}
	// Totems that dial the mirror with their token are relayed to the
	// portal: on its fleet screen, and reached by its commands.
	store.SetUpstream(relay.MirrorUpstream{URL: cfg.follow.URL, ID: cfg.follow.TotemID, Token: cfg.follow.Token, TLS: cfg.follow.TLS})
	reg := prometheus.NewRegistry()
	follow := *cfg.follow
	follow.Store, follow.Fleet, follow.Log, follow.Version, follow.Metrics, follow.Mirror = cat, fl, log, version, relay.NewMetrics(reg), store
	follow.MaxBackoff, follow.MaxStaleness = cfg.RetryMax, cfg.MaxStaleness
	if cfg.rootPub != nil {
		if follow.Keyring, err = feed.OpenKeyring(cfg.DB+".keys.json", follow.PortalKey, cfg.rootPub); err != nil {
			return err
		}
	}
	var srv *kiosk.Server
	follow.OnApplied = func(a feed.Affected) {
		if srv != nil {
			srv.Notify(a)
		}
	}
	client, err := relay.NewClient(follow)
	if err != nil {
		return err
	}
	client.RegisterMetrics(reg)
	srv, err = kiosk.New(cat, mirrorKioskConfig(ctx, cfg, log, reg, client, store))
	if err != nil {
		return err
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { client.Run(runCtx); close(done) }()
	defer func() { stop(); <-done }()
	errc := make(chan error, 1)
	go func() { errc <- serveNode(ctx, log, srv, cfg.Addr, nil, catalogAnswers(cat)) }()
	log.Info("mirror serving", "addr", cfg.Addr, "db", cfg.DB, "portal", cfg.Portal)
	select {
	case err := <-errc:
		return fmt.Errorf("mirror: %w", err)
	case <-ctx.Done():
		log.Info("shutting down")
		return srv.Shutdown()
	}
}

// mirrorKioskConfig is the kiosk server's config of a mirror: its feed's
// status, ready once in step with the portal, and the totems' /sync.
func mirrorKioskConfig(ctx context.Context, cfg *MirrorConfig, log *slog.Logger, reg *prometheus.Registry, client *relay.Client, store *relay.Mirror) kiosk.Config {
	return kiosk.Config{
		Role: "mirror", Position: cfg.Position, Version: version, Log: log, PublicURL: cfg.PublicURL, Metrics: reg, TrustedProxies: cfg.TrustedProxies,
		Feed: func() any { return mirrorStatus{Status: client.Status(), Mirror: store.State()} },
		Ready: func() error {
			if !client.Status().Synced {
				return errors.New("not yet in step with the portal")
			}
			return nil
		},
		Status: func() string {
			if client.Status().Stale {
				return "stale"
			}
			return "ok"
		},
		Mount: func(app *fiber.App) error {
			app.Get(relay.Path, store.Handler(ctx))
			return nil
		},
	}
}

// mirrorStatus is what /api/v1/feed says of a mirror's link: the
// client's status, and what the mirror keeps to pass on.
type mirrorStatus struct {
	relay.Status
	Mirror relay.MirrorState `json:"mirror"`
}

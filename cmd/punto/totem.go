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
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/fleet"
	"github.com/punto-totem/punto/kiosk"
	"github.com/punto-totem/punto/printing"
	"github.com/punto-totem/punto/relay"
	"github.com/punto-totem/punto/voice"
)

func runTotem(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, err := parseTotemConfig(args, stderr)
	if err != nil {
		return err
	}
	return serveTotem(ctx, cfg, stderr)
}

// TotemConfig is what `punto totem` runs with. Each field is a flag, a
// PUNTO_ variable and a key of the config file (config.go); the defaults
// are the flags'.
type TotemConfig struct {
	DB          string    // the catalog (SQLite)
	Addr        string    // listen address
	Position    orb.Point // where the totem stands
	Demo        bool      // make the demo catalog at DB if missing
	IdleSeconds int       // untouched this long, the screen starts again
	// CallbacksPerHour bounds the call-backs the totem forwards to its
	// portal in an hour, whoever types them.
	CallbacksPerHour int
	TotemID          string        // this totem's name, for alerts and commands aimed at it
	Tiles            string        // basemap file (MBTiles)
	Portal           string        // the portal's feed URL to follow
	PortalKey        string        // the portal's public key, or a file holding it
	RootPubkey       string        // the offline root key's public half, pinned: rotations of the portal's key are checked with it
	Token            string        // this totem's token (prefer TokenFile)
	TokenFile        string        // a file holding it
	Heartbeat        time.Duration // how often the totem reports to the portal
	RetryMax         time.Duration // the longest wait before dialling the portal again
	InsecureDev      bool          // allow a plain ws:// portal
	PortalCA         string        // the private CA of the portal's certificate
	PublicURL        string        // where phones reach this content
	ReachTop         *float64      // the reach zone's top, a fraction of the screen's height (nil: the screen's default)
	ReachBottom      *float64      // the reach zone's bottom, likewise
	Facing           *float64      // which way the screen's viewer looks, degrees from north (nil: unknown)
	Printer          string        // the CUPS queue cards are printed on
	PaperName        string        // the queue's paper: 80mm or a6
	VoiceCache       string        // folder of the read-aloud audio (default: voice-cache beside DB)
	VoiceMB          int           // its size bound in MiB
	MemoryLimit      string        // the Go heap's soft limit ("" : GOMEMLIMIT or 1GiB)
	// MaxStaleness: nothing signed from the portal for this long and the
	// totem's data is stale (/readyz, metrics, the fleet, the screen);
	// StaleUnready makes /readyz answer 503 then.
	MaxStaleness time.Duration
	StaleUnready bool

	follow     *relay.ClientConfig // set when Portal is
	rootPub    ed25519.PublicKey   // parsed from RootPubkey
	printer    *printing.Printer   // set when Printer is
	warnPublic bool                // PublicURL was made up: phones cannot reach it
}

// parseTotemConfig reads the totem's settings from args, the environment
// and the config file, and checks them.
func parseTotemConfig(args []string, stderr io.Writer) (*TotemConfig, error) {
	cfg := &TotemConfig{}
	fs := flag.NewFlagSet("totem", flag.ContinueOnError)
	fs.StringVar(&cfg.DB, "db", "data/punto.db", "catalog `file` (SQLite)")
	fs.StringVar(&cfg.Addr, "addr", ":8080", "listen `address`")
	lat := fs.Float64("lat", content.DemoTotem[1], "the totem's latitude (WGS84)")
	lon := fs.Float64("lon", content.DemoTotem[0], "the totem's longitude (WGS84)")
	fs.BoolVar(&cfg.Demo, "demo", false, "create the demo catalog at --db if the file does not exist")
	fs.IntVar(&cfg.IdleSeconds, "idle", 60, "`seconds` untouched before the screen returns to the start and forgets the visit")
	fs.IntVar(&cfg.CallbacksPerHour, "callbacks-per-hour", kiosk.DefaultCallbacksPerHour, "call-backs the totem forwards to its portal in an hour, whoever types them")
	fs.StringVar(&cfg.TotemID, "totem-id", "demo-totem", "this totem's `name`, for alerts aimed at chosen totems")
	fs.StringVar(&cfg.Tiles, "tiles", "", "basemap `file` (MBTiles, vector or raster: streets, buildings) the map draws over the built-in one (land, sea, borders, towns)")
	fs.StringVar(&cfg.Portal, "portal", "", "the portal's feed `URL` (wss://host/sync) to follow; without it the catalog changes only by hand")
	fs.StringVar(&cfg.PortalKey, "portal-key", "", "the portal's public `key` (base64, as `punto portal key` prints it) or a file holding it")
	fs.StringVar(&cfg.RootPubkey, "root-pubkey", "", "the public half of the portal's offline root `key` (base64, as punto keys root-init prints it, or a file holding it): the portal's key can then be rotated or revoked without reinstalling the totem (what it learns is kept in FILE.keys.json beside --db)")
	fs.StringVar(&cfg.Token, "token", "", "this totem's `token`, issued by a portal admin (prefer --token-file)")
	fs.StringVar(&cfg.TokenFile, "token-file", "", "`file` holding this totem's token")
	fs.DurationVar(&cfg.Heartbeat, "heartbeat", 30*time.Second, "how often the totem reports its state to the portal")
	fs.DurationVar(&cfg.RetryMax, "retry-max", 60*time.Second, "longest wait before dialling the portal again after a failure (the wait doubles from 1s up to it, drawn at random below it)")
	fs.BoolVar(&cfg.InsecureDev, "insecure-dev", false, "allow a plain ws:// portal (development only: batches are still signed, but the token travels in clear)")
	fs.StringVar(&cfg.PortalCA, "portal-ca", "", "`file` (PEM) of the private CA the portal's certificate comes from: then only that CA is trusted (default: the system's roots)")
	fs.DurationVar(&cfg.MaxStaleness, "max-staleness", 10*time.Minute, "with nothing signed from the portal for this long, the totem says its data is stale (in /readyz, metrics, the fleet and on screen); the portal is asked for a signed heartbeat every third of it")
	fs.BoolVar(&cfg.StaleUnready, "stale-unready", false, "answer /readyz with 503 while the data is stale (default: 200 with status stale)")
	fs.StringVar(&cfg.PublicURL, "public-url", "", "the `URL` where phones reach this content (QR codes point there; default http://localhost and --addr's port)")
	fs.Var(optionalFloat{&cfg.ReachTop}, "reach-top", "top of the screen's reach zone, where every control lies, as a `fraction` of the screen's height from its top (default 0.4 on a portrait screen, 0.35 on a landscape one)")
	fs.Var(optionalFloat{&cfg.ReachBottom}, "reach-bottom", "bottom of the reach zone, as a `fraction` of the screen's height from its top (default 1: the screen's bottom edge)")
	fs.Var(optionalFloat{&cfg.Facing}, "facing", "the compass direction a visitor looks in when facing the screen, in `degrees` clockwise from north: directions are then said as ahead, left, behind, right (default: compass words)")
	fs.StringVar(&cfg.Printer, "printer", "", "the CUPS `queue` a visitor's card is printed on (the detail screen then has a Print button); without it the totem prints nothing")
	fs.StringVar(&cfg.PaperName, "printer-paper", "80mm", "the printer's `paper`: 80mm (a receipt roll, the card as long as it needs) or a6")
	fs.StringVar(&cfg.VoiceCache, "voice-cache", "", "`folder` of the audio read aloud (espeak-ng's, cached by text and language; default voice-cache beside --db)")
	fs.IntVar(&cfg.VoiceMB, "voice-cache-mb", 256, "size bound of --voice-cache in `MiB`: the audio used least recently goes first")
	fs.StringVar(&cfg.MemoryLimit, "memory-limit", "", "soft limit of the Go heap (`size`: 768MiB, 2GiB, off); default GOMEMLIMIT if set, else 1GiB")
	if err := parseConfig(fs, args, stderr); err != nil {
		return nil, err
	}
	cfg.Position = orb.Point{*lon, *lat}
	return cfg, cfg.check()
}

// check validates the settings and fills those that follow from others.
func (cfg *TotemConfig) check() error {
	if cfg.CallbacksPerHour < 1 || cfg.CallbacksPerHour > 1000 {
		return usagef("totem: --callbacks-per-hour must be between 1 and 1000")
	}
	if cfg.IdleSeconds < 5 || cfg.IdleSeconds > 3600 {
		return usagef("totem: --idle must be between 5 and 3600 seconds")
	}
	if err := cfg.checkScreen(); err != nil {
		return err
	}
	if cfg.VoiceMB < 1 || cfg.VoiceMB > 1<<20 {
		return usagef("totem: --voice-cache-mb must be between 1 and 1048576")
	}
	if cfg.VoiceCache == "" {
		cfg.VoiceCache = filepath.Join(filepath.Dir(cfg.DB), "voice-cache")
	}
	if cfg.PublicURL == "" {
		_, port, _ := net.SplitHostPort(cfg.Addr)
		cfg.PublicURL, cfg.warnPublic = "http://localhost:"+port, true
	}
	if !webURL(cfg.PublicURL) {
		return usagef("totem: --public-url must be an http or https URL")
	}
	if err := content.ValidPoint(cfg.Position); err != nil {
		return usagef("totem: --lat/--lon: %v", err)
	}
	if cfg.MemoryLimit != "" {
		if _, err := parseBytes(cfg.MemoryLimit); err != nil {
			return usagef("totem: --memory-limit: %v", err)
		}
	}
	if cfg.Heartbeat < time.Second || cfg.Heartbeat > time.Hour {
		return usagef("totem: --heartbeat must be between 1s and 1h")
	}
	if cfg.RetryMax < time.Second || cfg.RetryMax > time.Hour {
		return usagef("totem: --retry-max must be between 1s and 1h")
	}
	paper, ok := printing.ParsePaper(cfg.PaperName)
	if !ok {
		return usagef("totem: --printer-paper must be 80mm or a6")
	}
	if cfg.Printer != "" {
		if !printing.ValidQueue(cfg.Printer) {
			return usagef("totem: --printer %q is not a CUPS queue name (letters, digits, _ . -)", cfg.Printer)
		}
		cfg.printer = &printing.Printer{Queue: cfg.Printer, Paper: paper}
	}
	if cfg.MaxStaleness < 3*time.Second || cfg.MaxStaleness > 7*24*time.Hour {
		return usagef("totem: --max-staleness must be between 3s and 168h (the portal beats at most once a second, and three beats fit in it)")
	}
	if cfg.Portal == "" {
		if cfg.PortalKey != "" || cfg.Token != "" || cfg.TokenFile != "" || cfg.PortalCA != "" || cfg.RootPubkey != "" {
			return usagef("totem: --portal-key, --root-pubkey and --token need --portal")
		}
		return nil
	}
	var err error
	if cfg.follow, err = followConfig(cfg.Portal, cfg.PortalKey, cfg.Token, cfg.TokenFile, cfg.TotemID, cfg.InsecureDev); err != nil {
		return err
	}
	if cfg.RootPubkey != "" {
		if cfg.rootPub, err = feed.ParsePublicKey(cfg.RootPubkey); err != nil {
			return usagef("totem: --root-pubkey: %v", err)
		}
		if cfg.rootPub.Equal(cfg.follow.PortalKey) {
			return usagef("totem: --root-pubkey is the portal's signing key: pin the offline root key's (punto keys root-init)")
		}
	}
	cfg.follow.TLS, err = portalTLS(cfg.PortalCA)
	return err
}

// totemStores are what a totem serves from: its catalog, its fleet
// tables (needs figures, commands seen), and the basemap if any.
type totemStores struct {
	catalog *content.Store
	fleet   *fleet.Store
	tiles   *kiosk.Tiles
}

// Close closes what was opened.
func (ts *totemStores) Close() error {
	var errs []error
	if ts.tiles != nil {
		errs = append(errs, ts.tiles.Close())
	}
	if ts.fleet != nil {
		errs = append(errs, ts.fleet.Close())
	}
	if ts.catalog != nil {
		errs = append(errs, ts.catalog.Close())
	}
	return errors.Join(errs...)
}

func openTotem(ctx context.Context, cfg *TotemConfig, log *slog.Logger) (*totemStores, error) {
	ts := &totemStores{}
	var err error
	// The totem answers while its index builds (nearby from the R*Tree):
	// ready in a blink, complete a moment later.
	if ts.catalog, err = openCatalogWith(ctx, log, cfg.DB, cfg.Demo, content.OpenBackground); err != nil {
		return nil, fmt.Errorf("totem: %w", err)
	}
	if ts.fleet, err = fleet.Open(ctx, cfg.DB); err != nil {
		return nil, errors.Join(fmt.Errorf("totem: %w", err), ts.Close())
	}
	if cfg.Tiles != "" {
		if err := existingFile(cfg.Tiles); err != nil {
			return nil, errors.Join(fmt.Errorf("totem: --tiles: %w", err), ts.Close())
		}
		if ts.tiles, err = kiosk.OpenTiles(ctx, cfg.Tiles); err != nil {
			return nil, errors.Join(err, ts.Close())
		}
	}
	return ts, nil
}

// serveTotem runs a totem until ctx ends or the portal orders a restart:
// the kiosk server and, when it follows a portal, the feed's client.
func serveTotem(ctx context.Context, cfg *TotemConfig, stderr io.Writer) (err error) {
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if cfg.warnPublic {
		log.Warn("QR codes point to this machine, which visitors' phones cannot reach: set --public-url to the portal's address", "public_url", cfg.PublicURL)
	}
	limit, err := setMemoryLimit(cfg.MemoryLimit)
	if err != nil {
		return usagef("totem: --memory-limit: %v", err)
	}
	log.Debug("memory limit", "bytes", limit)
	ts, err := openTotem(ctx, cfg, log)
	if err != nil {
		return err
	}
	// Loading makes garbage that the default GOGC collects more cheaply;
	// the index in memory, the heap is held closer to it.
	go func() {
		select {
		case <-ts.catalog.Built():
			log.Debug("index in memory", "gc_percent", setTotemGC())
		case <-ctx.Done():
		}
	}()
	defer closeAfter(&err, ts)
	reg := prometheus.NewRegistry()
	kcfg := totemKioskConfig(ctx, cfg, ts, log, reg)
	// The client tells the server what it applied; the server is made
	// after the client, whose state it reports.
	var screens atomic.Pointer[kiosk.Server]
	var client *relay.Client
	if cfg.follow != nil {
		if client, err = newFollower(cfg, ts, log, reg, &screens); err != nil {
			return err
		}
		reportFollower(&kcfg, client, cfg.StaleUnready)
	}
	srv, err := kiosk.New(ts.catalog, kcfg)
	if err != nil {
		return err
	}
	screens.Store(srv)
	var restart <-chan struct{}
	if client != nil {
		restart = client.Restart()
		runCtx, stopClient := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { client.Run(runCtx); close(done) }()
		defer func() { stopClient(); <-done }()
	}
	return runTotemServer(ctx, cfg, ts, srv, log, restart)
}

// totemKioskConfig is the kiosk server's config of a totem. A printer
// queue is checked in the background, and read-aloud set up when
// espeak-ng is there.
func totemKioskConfig(ctx context.Context, cfg *TotemConfig, ts *totemStores, log *slog.Logger, reg *prometheus.Registry) kiosk.Config {
	kcfg := kiosk.Config{Tiles: ts.tiles, TotemID: cfg.TotemID, Role: "totem", Position: cfg.Position, Version: version, Log: log,
		IdleSeconds: cfg.IdleSeconds, PublicURL: cfg.PublicURL, Metrics: reg, Needs: ts.fleet, Printer: cfg.printer, Screen: cfg.screenConfig(),
		CallbacksPerHour: cfg.CallbacksPerHour}
	if cfg.printer != nil {
		// A printer that is not there yet is no reason not to serve, nor
		// to start late: the log says so, and the screen when a card fails.
		go func() {
			if err := cfg.printer.Check(ctx); err != nil {
				log.Warn("the printer queue does not answer: cards will fail until it does", "queue", cfg.Printer, "err", err)
			}
		}()
	}
	// Read-aloud needs espeak-ng (Debian espeak-ng); without it the screen
	// offers no speaker button, and the totem serves all the same.
	if synth, err := voice.New(voice.Config{Dir: cfg.VoiceCache, MaxBytes: int64(cfg.VoiceMB) << 20}); err != nil {
		log.Warn("nothing is read aloud", "err", err)
	} else {
		kcfg.Voice = synth
	}
	return kcfg
}

// reportFollower has the kiosk server report the feed's client: its
// status, its link to the portal, and readiness (in step with the portal;
// not stale, when staleUnready).
func reportFollower(kcfg *kiosk.Config, client *relay.Client, staleUnready bool) {
	kcfg.Feed = func() any { return client.Status() }
	kcfg.Talk = portalTalk{client}
	kcfg.Ready = func() error {
		st := client.Status()
		if !st.Synced {
			return errors.New("not yet in step with the portal")
		}
		if st.Stale && staleUnready {
			return fmt.Errorf("stale: nothing signed from the portal since %s", st.CheckedAt.Format(time.RFC3339))
		}
		return nil
	}
	kcfg.Status = func() string {
		if client.Status().Stale {
			return "stale"
		}
		return "ok"
	}
}

// newFollower is the feed's client of a totem that follows a portal; what
// it applies and the commands it receives go to the screens, once they
// exist.
func newFollower(cfg *TotemConfig, ts *totemStores, log *slog.Logger, reg *prometheus.Registry, screens *atomic.Pointer[kiosk.Server]) (*relay.Client, error) {
	follow := *cfg.follow
	follow.Store, follow.Fleet, follow.Log, follow.Version, follow.Metrics = ts.catalog, ts.fleet, log, version, relay.NewMetrics(reg)
	follow.Heartbeat, follow.MaxBackoff, follow.MaxStaleness = cfg.Heartbeat, cfg.RetryMax, cfg.MaxStaleness
	if cfg.rootPub != nil {
		ring, err := feed.OpenKeyring(cfg.DB+".keys.json", follow.PortalKey, cfg.rootPub)
		if err != nil {
			return nil, err
		}
		follow.Keyring = ring
	}
	follow.Screens = func() int {
		if srv := screens.Load(); srv != nil {
			return srv.Screens()
		}
		return 0
	}
	follow.OnApplied = func(a feed.Affected) {
		if srv := screens.Load(); srv != nil {
			srv.Notify(a)
		}
	}
	follow.OnCommand = func(cmd fleet.Command) error {
		srv := screens.Load()
		if srv == nil {
			return errors.New("totem: the screens are not up yet")
		}
		return srv.Command(cmd)
	}
	client, err := relay.NewClient(follow)
	if err != nil {
		return nil, err
	}
	client.RegisterMetrics(reg)
	return client, nil
}

// runTotemServer serves until the server fails, ctx ends or the portal
// orders a restart.
func runTotemServer(ctx context.Context, cfg *TotemConfig, ts *totemStores, srv *kiosk.Server, log *slog.Logger, restart <-chan struct{}) error {
	errc := make(chan error, 1)
	go func() { errc <- serveNode(ctx, log, srv, cfg.Addr, nil, catalogAnswers(ts.catalog)) }()
	log.Info("totem serving", "addr", cfg.Addr, "db", cfg.DB, "index", ts.catalog.IndexState(), "lat", cfg.Position[1], "lon", cfg.Position[0])
	select {
	case err := <-errc:
		return fmt.Errorf("totem: %w", err)
	case <-ctx.Done():
		log.Info("shutting down")
		return srv.Shutdown()
	case <-restart:
		log.Info("restarting on the portal's command: exiting for the supervisor to start the totem again", "exit_status", exitRestart)
		if err := srv.Shutdown(); err != nil {
			return err
		}
		return errRestart
	}
}

// exitRestart is the exit status of a totem the portal told to restart:
// a clean exit its supervisor is set to answer by starting it again
// (systemd: RestartForceExitStatus=75; 75 is EX_TEMPFAIL).
const exitRestart = 75

// errRestart ends runTotem when the portal ordered a restart.
var errRestart = errors.New("totem: restarting on the portal's command")

// followConfig checks the flags that make a totem follow a portal.
func followConfig(portalURL, portalKey, token, tokenFile, totemID string, insecure bool) (*relay.ClientConfig, error) {
	u, err := url.Parse(portalURL)
	if err != nil || u.Host == "" || (u.Scheme != "wss" && u.Scheme != "ws") {
		return nil, usagef("totem: --portal must be a wss:// URL, such as wss://portal.example/sync")
	}
	if u.Scheme == "ws" && !insecure {
		return nil, usagef("totem: --portal %s is not encrypted: use wss://, or pass --insecure-dev for a development setup", portalURL)
	}
	if portalKey == "" {
		return nil, usagef("totem: --portal needs --portal-key (the portal's public key)")
	}
	pub, err := feed.ParsePublicKey(portalKey)
	if err != nil {
		return nil, usagef("totem: --portal-key: %v", err)
	}
	if tokenFile != "" {
		if token != "" {
			return nil, usagef("totem: give --token or --token-file, not both")
		}
		b, err := os.ReadFile(tokenFile)
		if err != nil {
			return nil, usagef("totem: --token-file: %v", err)
		}
		token = strings.TrimSpace(string(b))
	}
	if token == "" {
		return nil, usagef("totem: --portal needs this totem's token (--token-file or --token)")
	}
	if !content.ValidID(totemID) {
		return nil, usagef("totem: --totem-id %q is not a valid ID", totemID)
	}
	return &relay.ClientConfig{URL: portalURL, PortalKey: pub, Token: token, TotemID: totemID}, nil
}

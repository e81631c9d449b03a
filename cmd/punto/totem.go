package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/kiosk"
	"github.com/punto-totem/punto/kiosk/relay"
)

func runTotem(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("totem", flag.ContinueOnError)
	db := fs.String("db", "data/punto.db", "catalog `file` (SQLite)")
	addr := fs.String("addr", ":8080", "listen `address`")
	lat := fs.Float64("lat", content.DemoTotem[1], "the totem's latitude (WGS84)")
	lon := fs.Float64("lon", content.DemoTotem[0], "the totem's longitude (WGS84)")
	demo := fs.Bool("demo", false, "create the demo catalog at --db if the file does not exist")
	idle := fs.Int("idle", 60, "`seconds` untouched before the screen returns to the start and forgets the visit")
	totemID := fs.String("totem-id", "demo-totem", "this totem's `name`, for alerts aimed at chosen totems")
	tilesPath := fs.String("tiles", "", "basemap `file` (MBTiles, vector or raster) the map draws; without it the map shows the territories only")
	portalURL := fs.String("portal", "", "the portal's feed `URL` (wss://host/sync) to follow; without it the catalog changes only by hand")
	portalKey := fs.String("portal-key", "", "the portal's public `key` (base64, as `punto portal key` prints it) or a file holding it")
	token := fs.String("token", "", "this totem's `token`, issued by a portal admin (prefer --token-file)")
	tokenFile := fs.String("token-file", "", "`file` holding this totem's token")
	heartbeat := fs.Duration("heartbeat", 30*time.Second, "how often the totem reports its state to the portal")
	retryMax := fs.Duration("retry-max", 60*time.Second, "longest wait before dialling the portal again after a failure (the wait doubles from 1s up to it, drawn at random below it)")
	insecure := fs.Bool("insecure-dev", false, "allow a plain ws:// portal (development only: batches are still signed, but the token travels in clear)")
	portalCA := fs.String("portal-ca", "", "`file` (PEM) of the private CA the portal's certificate comes from: then only that CA is trusted (default: the system's roots)")
	publicURL := fs.String("public-url", "", "the `URL` where phones reach this content (QR codes point there; default http://localhost and --addr's port)")
	if err := parseConfig(fs, args, stderr); err != nil {
		return err
	}
	pos := orb.Point{*lon, *lat}
	if *idle < 5 || *idle > 3600 {
		return usagef("totem: --idle must be between 5 and 3600 seconds")
	}
	warnPublic := false
	if *publicURL == "" {
		_, port, _ := net.SplitHostPort(*addr)
		*publicURL = "http://localhost:" + port
		warnPublic = true
	}
	if u, err := url.Parse(*publicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("totem: --public-url must be an http or https URL")
	}
	if err := content.ValidPoint(pos); err != nil {
		return usagef("totem: --lat/--lon: %v", err)
	}
	if *heartbeat < time.Second || *heartbeat > time.Hour {
		return usagef("totem: --heartbeat must be between 1s and 1h")
	}
	if *retryMax < time.Second || *retryMax > time.Hour {
		return usagef("totem: --retry-max must be between 1s and 1h")
	}
	var follow *relay.ClientConfig
	if *portalURL != "" {
		var err error
		if follow, err = followConfig(*portalURL, *portalKey, *token, *tokenFile, *totemID, *insecure); err != nil {
			return err
		}
		if follow.TLS, err = portalTLS(*portalCA); err != nil {
			return err
		}
	} else if *portalKey != "" || *token != "" || *tokenFile != "" || *portalCA != "" {
		return usagef("totem: --portal-key and --token need --portal")
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if warnPublic {
		log.Warn("QR codes point to this machine, which visitors' phones cannot reach: set --public-url to the portal's address", "public_url", *publicURL)
	}
	store, err := openCatalog(ctx, log, *db, *demo)
	if err != nil {
		return fmt.Errorf("totem: %w", err)
	}
	defer store.Close()
	var tiles *kiosk.Tiles
	if *tilesPath != "" {
		if err := existingFile(*tilesPath); err != nil {
			return fmt.Errorf("totem: --tiles: %w", err)
		}
		if tiles, err = kiosk.OpenTiles(ctx, *tilesPath); err != nil {
			return err
		}
		defer tiles.Close()
	}
	reg := prometheus.NewRegistry()
	cfg := kiosk.Config{Tiles: tiles, TotemID: *totemID, Role: "totem", Position: pos, Version: version, Log: log, IdleSeconds: *idle, PublicURL: *publicURL, Metrics: reg}
	var client *relay.Client
	var srv *kiosk.Server
	if follow != nil {
		follow.Store, follow.Log, follow.Version, follow.Metrics = store, log, version, relay.NewMetrics(reg)
		follow.Heartbeat, follow.Screens = *heartbeat, func() int { return srv.Screens() }
		follow.MaxBackoff = *retryMax
		follow.OnApplied = func(a content.Affected) { srv.Notify(a) }
		follow.OnCommand = func(cmd content.Command) error { return srv.Command(cmd) }
		if client, err = relay.NewClient(*follow); err != nil {
			return err
		}
		cfg.Feed = func() any { return client.Status() }
		cfg.Ready = func() error {
			if !client.Status().Synced {
				return errors.New("not yet in step with the portal")
			}
			return nil
		}
	}
	srv, err = kiosk.New(store, cfg)
	if err != nil {
		return err
	}
	var restart <-chan struct{}
	if client != nil {
		restart = client.Restart()
		runCtx, stopClient := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { client.Run(runCtx); close(done) }()
		defer func() { stopClient(); <-done }()
	}
	st, err := store.Stats(ctx)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- serveNode(ctx, log, srv, *addr, nil, catalogAnswers(store)) }()
	log.Info("totem serving", "addr", *addr, "db", *db, "services", st.Services, "lat", *lat, "lon", *lon)
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
	pub, err := content.ParsePublicKey(portalKey)
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

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
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/kiosk"
	"github.com/punto-totem/punto/kiosk/portal"
	"github.com/punto-totem/punto/relay"
)

const portalUsage = `Usage:
  punto portal [flags]                 serve the regional portal: editor, phones, feed to totems
  punto portal user add|list|disable   manage editor accounts
  punto portal totem add|list|revoke   manage the totems the portal feeds
  punto portal key --key FILE          print the public key totems check batches with

Run "punto portal -h" for the server's flags.
`

func runPortal(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "user":
			return runPortalUser(ctx, args[1:], stdin, stdout, stderr)
		case "totem":
			return runPortalTotem(ctx, args[1:], stdout, stderr)
		case "key":
			return runPortalKey(args[1:], stdout, stderr)
		case "help":
			fmt.Fprint(stdout, portalUsage)
			return nil
		}
	}
	fs := flag.NewFlagSet("portal", flag.ContinueOnError)
	db := fs.String("db", "data/portal.db", "master catalog `file` (SQLite)")
	addr := fs.String("addr", ":8090", "listen `address`")
	keyPath := fs.String("key", "data/portal.key", "the portal's ed25519 signing key `file` (PEM); created if missing")
	demo := fs.Bool("demo", false, "create the demo catalog at --db if missing, and a demo admin account")
	demoToken := fs.String("demo-totem-token", "", "with --demo: register the totem \"demo-totem\" and write its token to this `file`")
	lat := fs.Float64("lat", content.DemoTotem[1], "latitude phones start from when they share no position")
	lon := fs.Float64("lon", content.DemoTotem[0], "longitude phones start from when they share no position")
	publicURL := fs.String("public-url", "", "the `URL` phones reach the portal at (default http://localhost, or https:// with --tls-cert, and --addr's port)")
	ttl := fs.Duration("batch-ttl", 5*time.Minute, "how long a signed batch stays valid: totems refuse one delivered later")
	heartbeat := fs.Duration("heartbeat", 30*time.Second, "how often totems report: one silent for two intervals is shown offline")
	webhook := fs.String("webhook", "", "`URL` told by POST (JSON) when a totem goes offline, falls behind or comes back")
	secure := fs.Bool("secure-cookies", false, "mark editor cookies Secure (set when a TLS proxy fronts the portal)")
	tlsCert := fs.String("tls-cert", "", "serve HTTPS (and wss:// to totems) with this certificate `file` (PEM, the chain after the certificate); reread on SIGHUP")
	tlsKey := fs.String("tls-key", "", "the certificate's private key `file` (PEM)")
	trusted := newListFlag(fs, "trusted-proxy", "`address` or CIDR range of a reverse proxy in front of the portal, whose X-Forwarded-For and X-Forwarded-Proto are believed (repeat, or separate with commas)")
	if err := parseConfig(fs, args, stderr); err != nil {
		return err
	}
	if *ttl < 10*time.Second || *ttl > 24*time.Hour {
		return usagef("portal: --batch-ttl must be between 10s and 24h")
	}
	if *heartbeat < time.Second || *heartbeat > time.Hour {
		return usagef("portal: --heartbeat must be between 1s and 1h")
	}
	if *webhook != "" {
		if u, err := url.Parse(*webhook); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usagef("portal: --webhook must be an http or https URL")
		}
	}
	if *demoToken != "" && !*demo {
		return usagef("portal: --demo-totem-token needs --demo")
	}
	certs, err := loadCertificate("portal", *tlsCert, *tlsKey)
	if err != nil {
		return err
	}
	if err := checkProxies("portal", *trusted); err != nil {
		return err
	}
	pos := orb.Point{*lon, *lat}
	if err := content.ValidPoint(pos); err != nil {
		return usagef("portal: --lat/--lon: %v", err)
	}
	if *publicURL == "" {
		_, port, _ := net.SplitHostPort(*addr)
		scheme := "http"
		if certs != nil {
			scheme = "https"
		}
		*publicURL = scheme + "://localhost:" + port
	}
	if u, err := url.Parse(*publicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("portal: --public-url must be an http or https URL")
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	store, err := openCatalog(ctx, log, *db, *demo)
	if err != nil {
		return err
	}
	defer store.Close()
	if dir := filepath.Dir(*keyPath); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
	}
	key, created, err := feed.LoadOrCreateKey(*keyPath)
	if err != nil {
		return err
	}
	pub := feed.EncodePublicKey(key.Public().(ed25519.PublicKey))
	if err := os.WriteFile(*keyPath+".pub", []byte(pub+"\n"), 0o644); err != nil {
		return err
	}
	if created {
		log.Info("created a new signing key", "key", *keyPath)
	}
	if *demo {
		if err := demoAccounts(ctx, store, log, stdout, filepath.Dir(*db), *demoToken, pos); err != nil {
			return err
		}
	}
	var srv *kiosk.Server
	reg := prometheus.NewRegistry()
	hub, err := relay.NewHub(relay.HubConfig{
		Store: store, Key: key, Log: log, TTL: *ttl, Registry: reg, Heartbeat: *heartbeat, Webhook: *webhook,
		OnPublish: func(a feed.Affected) { srv.Notify(a) },
	})
	if err != nil {
		return err
	}
	srv, err = kiosk.New(store, kiosk.Config{
		Role: "portal", Position: pos, Version: version, Log: log, PublicURL: *publicURL, Metrics: reg, TrustedProxies: *trusted,
		BodyLimit: portal.MaxUpload,
		Mount: func(app *fiber.App) error {
			app.Get(relay.Path, hub.Handler)
			return portal.Mount(app, portal.Config{Store: store, Publisher: hub, Log: log, SecureCookies: *secure,
				Fleet: func(ctx context.Context) (any, error) { return hub.State(ctx) }, Commander: hub, Heartbeat: *heartbeat})
		},
	})
	if err != nil {
		hub.Close()
		return err
	}
	st, err := feed.ReadState(ctx, store)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- serveNode(ctx, log, srv, *addr, certs, catalogAnswers(store)) }()
	log.Info("portal serving", "addr", *addr, "db", *db, "seq", st.Seq, "editor", strings.TrimSuffix(*publicURL, "/")+"/editor", "public_key", pub)
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

// openCatalog opens the catalog at path, creating the demo one first if
// asked to.
func openCatalog(ctx context.Context, log *slog.Logger, path string, demo bool) (*content.Store, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if !demo {
			return nil, fmt.Errorf("catalog %s does not exist (pass --demo to create the demo catalog there)", path)
		}
		log.Info("creating the demo catalog", "db", path)
		if err := content.CreateDemo(ctx, path); err != nil {
			return nil, err
		}
	} else if err := existingFile(path); err != nil {
		return nil, err
	}
	return content.Open(ctx, path)
}

// demoAccounts makes sure the demo has an admin to sign in with and,
// if asked, a registered totem, and prints the admin's credentials. They
// are generated on the first run and kept beside the catalog.
func demoAccounts(ctx context.Context, store *content.Store, log *slog.Logger, stdout io.Writer, dir, tokenFile string, pos orb.Point) error {
	const name = "demo-admin"
	pwFile := filepath.Join(dir, "demo-admin.password")
	pw, err := os.ReadFile(pwFile)
	if errors.Is(err, os.ErrNotExist) {
		password := portal.GeneratePassword()
		if err := portal.AddUser(ctx, store, name, "admin", nil, password); err != nil {
			return fmt.Errorf("demo admin: %w", err)
		}
		if err := os.WriteFile(pwFile, []byte(password+"\n"), 0o600); err != nil {
			return err
		}
		pw = []byte(password)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n  DEMO ONLY — editor sign-in for this demo portal:\n    user:     %s\n    password: %s\n\n", name, strings.TrimSpace(string(pw)))
	if tokenFile == "" {
		return nil
	}
	token, err := store.AddTotem(ctx, "demo-totem", "Demo totem", pos)
	if err != nil {
		return err
	}
	log.Info("registered the demo totem", "totem", "demo-totem", "token_file", tokenFile)
	return os.WriteFile(tokenFile, []byte(token+"\n"), 0o600)
}

// runPortalTotem registers, lists and revokes totems from the command line.
func runPortalTotem(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("portal totem: add, list or revoke?")
	}
	fs := flag.NewFlagSet("portal totem "+args[0], flag.ContinueOnError)
	db := fs.String("db", "data/portal.db", "master catalog `file`")
	id := fs.String("id", "", "the totem's `ID` (letters, digits, . _ : -)")
	name := fs.String("name", "", "where it stands, for people")
	lat := fs.Float64("lat", 0, "its latitude")
	lon := fs.Float64("lon", 0, "its longitude")
	if err := parse(fs, args[1:], stderr); err != nil {
		return err
	}
	if err := existingFile(*db); err != nil {
		return fmt.Errorf("portal totem: --db: %w", err)
	}
	store, err := content.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	switch args[0] {
	case "add":
		if *id == "" {
			return usagef("portal totem add: --id is required")
		}
		token, err := store.AddTotem(ctx, *id, *name, orb.Point{*lon, *lat})
		var ve *content.ValidationError
		if errors.As(err, &ve) {
			return usagef("portal totem add: %s: %s", ve.Field, ve.Reason)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "totem %s registered; its token (shown once, give it to the totem as --token-file):\n%s\n", *id, token)
	case "list":
		ts, err := store.Totems(ctx)
		if err != nil {
			return err
		}
		for _, t := range ts {
			state := "active"
			if t.Revoked {
				state = "revoked"
			}
			fmt.Fprintf(stdout, "%s\t%s\tseq %d\t%s\t%.5f,%.5f\n", t.ID, state, t.Seq, t.Name, t.Point[1], t.Point[0])
		}
	case "revoke":
		if *id == "" {
			return usagef("portal totem revoke: --id is required")
		}
		if err := store.RevokeTotem(ctx, *id); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "totem %s revoked: it is disconnected the next time it dials (or now, from the editor)\n", *id)
	default:
		return usagef("portal totem: unknown command %q (add, list or revoke)", args[0])
	}
	return nil
}

func runPortalKey(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("portal key", flag.ContinueOnError)
	keyPath := fs.String("key", "data/portal.key", "the portal's signing key `file`")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if err := existingFile(*keyPath); err != nil {
		return fmt.Errorf("portal key: %w", err)
	}
	key, _, err := feed.LoadOrCreateKey(*keyPath)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, feed.EncodePublicKey(key.Public().(ed25519.PublicKey)))
	return nil
}

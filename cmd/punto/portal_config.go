package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/callback"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/mail"
	"github.com/punto-totem/punto/mediation"
	"github.com/punto-totem/punto/portal"
)

// PortalConfig is what `punto portal` runs with. Each field is a flag, a
// PUNTO_ variable and a key of the config file (config.go); the defaults
// are the flags'.
type PortalConfig struct {
	DB             string        // the master catalog (SQLite)
	Addr           string        // listen address
	Key            string        // the ed25519 signing key file (PEM), made if missing
	Demo           bool          // make the demo catalog and a demo admin
	DemoTotemToken string        // with Demo: register demo-totem, its token written here
	Position       orb.Point     // where phones that share no position start from
	PublicURL      string        // where phones reach the portal
	BatchTTL       time.Duration // how long a signed batch stays valid
	Heartbeat      time.Duration // how often totems report
	Beat           time.Duration // how often the portal tells each totem, signed, that it is alive
	Webhook        string        // told when a totem goes offline, falls behind or comes back
	SecureCookies  bool          // editor cookies are Secure (a TLS proxy fronts the portal)
	TLSCert        string        // serve HTTPS with this certificate (PEM chain)
	TLSKey         string        // and this key
	TrustedProxies []string      // reverse proxies whose forwarding headers are believed
	SMTP           string        // the mail server's URL (smtp://, smtps://, smtp+insecure://)
	SMTPCA         string        // PEM file of the CA the mail server's certificate comes from
	MailRetry      time.Duration // first wait after a failed delivery (doubling, up to an hour)
	// MediationRetention is how long a closed mediation request keeps its notes.
	MediationRetention time.Duration
	CallbackKey        string        // the file of the key that encrypts call-back numbers
	CallbackRetention  time.Duration // how long a call-back request is kept at most
	CallbackPerAddress int           // call-backs one client address may ask for an hour
	// Litestream says that a Litestream sidecar replicates DB
	// (deploy/systemd/punto-litestream.service): the privacy purges leave
	// WAL checkpoints to it.
	Litestream bool

	smtp *mail.SMTP // parsed from SMTP

	certs *certificate // loaded from TLSCert and TLSKey
}

// parsePortalConfig reads the portal's settings from args, the
// environment and the config file, and checks them.
func parsePortalConfig(args []string, stderr io.Writer) (*PortalConfig, error) {
	cfg := &PortalConfig{}
	fs := flag.NewFlagSet("portal", flag.ContinueOnError)
	fs.StringVar(&cfg.DB, "db", "data/portal.db", "master catalog `file` (SQLite)")
	fs.StringVar(&cfg.Addr, "addr", ":8090", "listen `address`")
	fs.StringVar(&cfg.Key, "key", "data/portal.key", "the portal's ed25519 signing key `file` (PEM); created if missing")
	fs.BoolVar(&cfg.Demo, "demo", false, "create the demo catalog at --db if missing, and a demo admin account")
	fs.StringVar(&cfg.DemoTotemToken, "demo-totem-token", "", "with --demo: register the totem \"demo-totem\" and write its token to this `file`")
	lat := fs.Float64("lat", content.DemoTotem[1], "latitude phones start from when they share no position")
	lon := fs.Float64("lon", content.DemoTotem[0], "longitude phones start from when they share no position")
	fs.StringVar(&cfg.PublicURL, "public-url", "", "the `URL` phones reach the portal at (default http://localhost, or https:// with --tls-cert, and --addr's port)")
	fs.DurationVar(&cfg.BatchTTL, "batch-ttl", 5*time.Minute, "how long a signed batch stays valid: totems refuse one delivered later")
	fs.DurationVar(&cfg.Heartbeat, "heartbeat", 30*time.Second, "how often totems report: one silent for two intervals is shown offline")
	fs.DurationVar(&cfg.Beat, "beat", 30*time.Second, "how often the portal tells each totem, signed, that it is alive and where its feed stands (a totem asks for a third of its --max-staleness if that is shorter)")
	fs.StringVar(&cfg.Webhook, "webhook", "", "`URL` told by POST (JSON) when a totem goes offline, falls behind or comes back")
	fs.BoolVar(&cfg.SecureCookies, "secure-cookies", false, "mark editor cookies Secure (set when a TLS proxy fronts the portal)")
	fs.StringVar(&cfg.TLSCert, "tls-cert", "", "serve HTTPS (and wss:// to totems) with this certificate `file` (PEM, the chain after the certificate); reread on SIGHUP")
	fs.StringVar(&cfg.TLSKey, "tls-key", "", "the certificate's private key `file` (PEM)")
	fs.StringVar(&cfg.SMTP, "smtp", "", "mail server `URL` for mediation mail: smtp://user:password@host:587?from=ADDR (STARTTLS), smtps://… (TLS) or smtp+insecure://… (a local relay); without it mail waits in the outbox")
	fs.StringVar(&cfg.SMTPCA, "smtp-ca", "", "`file` (PEM) of the private CA the mail server's certificate comes from (default: the system's roots)")
	fs.DurationVar(&cfg.MailRetry, "mail-retry", 30*time.Second, "first wait before sending a mail again after a failure (it doubles, up to an hour)")
	fs.DurationVar(&cfg.MediationRetention, "mediation-retention", mediation.DefaultRetention, "how long a closed mediation request keeps its notes before they are erased")
	fs.StringVar(&cfg.CallbackKey, "callback-key", "", "`file` of the key that encrypts call-back phone numbers, outside the database (created if missing; default callback.key beside --key)")
	fs.DurationVar(&cfg.CallbackRetention, "callback-retention", callback.DefaultRetention, "how long a call-back request is kept when nobody closes it; then it is deleted")
	fs.IntVar(&cfg.CallbackPerAddress, "callback-per-address", portal.DefaultCallbackPerAddress, "call-backs one client address may ask for in an hour")
	fs.BoolVar(&cfg.Litestream, "litestream", false, "a Litestream sidecar replicates --db (deploy/systemd/punto-litestream.service): the purges of call-backs and mediation notes leave write-ahead log checkpoints to it")
	trusted := newListFlag(fs, "trusted-proxy", "`address` or CIDR range of a reverse proxy in front of the portal, whose X-Forwarded-For and X-Forwarded-Proto are believed (repeat, or separate with commas)")
	if err := parseConfig(fs, args, stderr); err != nil {
		return nil, err
	}
	cfg.Position, cfg.TrustedProxies = orb.Point{*lon, *lat}, *trusted
	return cfg, cfg.check()
}

// check validates the settings and fills those that follow from others.
func (cfg *PortalConfig) check() error {
	switch {
	case cfg.BatchTTL < 10*time.Second || cfg.BatchTTL > 24*time.Hour:
		return usagef("portal: --batch-ttl must be between 10s and 24h")
	case cfg.Heartbeat < time.Second || cfg.Heartbeat > time.Hour:
		return usagef("portal: --heartbeat must be between 1s and 1h")
	case cfg.Beat < time.Second || cfg.Beat > time.Hour:
		return usagef("portal: --beat must be between 1s and 1h")
	case cfg.Webhook != "" && !webURL(cfg.Webhook):
		return usagef("portal: --webhook must be an http or https URL")
	case cfg.DemoTotemToken != "" && !cfg.Demo:
		return usagef("portal: --demo-totem-token needs --demo")
	case cfg.MailRetry < 10*time.Millisecond || cfg.MailRetry > time.Hour:
		return usagef("portal: --mail-retry must be between 10ms and 1h")
	case cfg.MediationRetention < time.Minute || cfg.MediationRetention > 10*365*24*time.Hour:
		return usagef("portal: --mediation-retention must be between 1m and 10 years")
	case cfg.CallbackRetention < time.Second || cfg.CallbackRetention > 30*24*time.Hour:
		return usagef("portal: --callback-retention must be between 1s and 30 days")
	case cfg.CallbackPerAddress < 1 || cfg.CallbackPerAddress > 10000:
		return usagef("portal: --callback-per-address must be between 1 and 10000")
	case cfg.SMTPCA != "" && cfg.SMTP == "":
		return usagef("portal: --smtp-ca needs --smtp")
	}
	if cfg.CallbackKey == "" {
		cfg.CallbackKey = filepath.Join(filepath.Dir(cfg.Key), "callback.key")
	}
	if filepath.Clean(cfg.CallbackKey) == filepath.Clean(cfg.DB) {
		return usagef("portal: --callback-key must not be the database file")
	}
	if cfg.SMTP != "" {
		s, err := mail.ParseURL(cfg.SMTP)
		if err != nil {
			return usagef("portal: %v", err)
		}
		if cfg.SMTPCA != "" {
			pem, err := os.ReadFile(cfg.SMTPCA)
			if err != nil {
				return usagef("portal: --smtp-ca: %v", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return usagef("portal: --smtp-ca: %s holds no PEM certificate", cfg.SMTPCA)
			}
			s.TLS = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		}
		cfg.smtp = s
	}
	var err error
	if cfg.certs, err = loadCertificate("portal", cfg.TLSCert, cfg.TLSKey); err != nil {
		return err
	}
	if err := checkProxies("portal", cfg.TrustedProxies); err != nil {
		return err
	}
	if err := content.ValidPoint(cfg.Position); err != nil {
		return usagef("portal: --lat/--lon: %v", err)
	}
	if cfg.PublicURL == "" {
		_, port, _ := net.SplitHostPort(cfg.Addr)
		scheme := "http"
		if cfg.certs != nil {
			scheme = "https"
		}
		cfg.PublicURL = scheme + "://localhost:" + port
	}
	if !webURL(cfg.PublicURL) {
		return usagef("portal: --public-url must be an http or https URL")
	}
	return nil
}

// webURL reports whether s is an absolute http or https URL.
func webURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

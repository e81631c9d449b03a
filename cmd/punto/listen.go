package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/kiosk"
)

// serveNode listens on addr — with TLS when certs is set — tells systemd
// the node is ready, keeps systemd's watchdog fed while check answers, and
// serves until the server shuts down.
func serveNode(ctx context.Context, log *slog.Logger, srv *kiosk.Server, addr string, certs *certificate, check func(context.Context) error) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	if certs != nil {
		ln = tls.NewListener(ln, &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: certs.get, NextProtos: []string{"http/1.1"}})
		go certs.reloadOnHangup(ctx, log)
	}
	// The watchdog's feeder stops with the server, and serveNode returns
	// only once it has told systemd so: the process may exit right after.
	nctx, stop := context.WithCancel(ctx)
	fed := make(chan struct{})
	go func() {
		defer close(fed)
		notifySystemd(nctx, log, check)
	}()
	err = srv.Serve(ln)
	stop()
	<-fed
	return err
}

// certificate is the TLS certificate a node serves, read again from its
// files on SIGHUP (systemctl reload), so a renewed certificate needs no
// restart.
type certificate struct {
	certFile, keyFile string

	mu   sync.RWMutex
	cert *tls.Certificate
}

// loadCertificate reads a PEM certificate (chain) and its key; both
// names empty means no TLS. The errors name the flags.
func loadCertificate(role, certFile, keyFile string) (*certificate, error) {
	if certFile == "" && keyFile == "" {
		return nil, nil
	}
	if certFile == "" || keyFile == "" {
		return nil, usagef("%s: --tls-cert and --tls-key go together", role)
	}
	c := &certificate{certFile: certFile, keyFile: keyFile}
	if err := c.reload(); err != nil {
		return nil, usagef("%s: --tls-cert/--tls-key: %v", role, err)
	}
	return c, nil
}

func (c *certificate) reload() error {
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.cert = &cert
	c.mu.Unlock()
	return nil
}

func (c *certificate) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.cert, nil
}

// reloadOnHangup reads the certificate again at every SIGHUP until ctx
// ends; a file that fails to load leaves the old certificate in use.
func (c *certificate) reloadOnHangup(ctx context.Context, log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			if err := c.reload(); err != nil {
				log.Error("TLS certificate not reloaded: still serving the previous one", "cert", c.certFile, "err", err)
				continue
			}
			log.Info("TLS certificate reloaded", "cert", c.certFile)
		}
	}
}

// portalTLS is how a totem checks its portal: with --portal-ca, only
// certificates issued by that CA (PEM) are trusted; without it, the
// system's roots.
func portalTLS(caFile string) (*tls.Config, error) {
	if caFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, usagef("totem: --portal-ca: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, usagef("totem: --portal-ca: %s holds no PEM certificate", caFile)
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: pool}, nil
}

// checkProxies refuses a --trusted-proxy that is neither an address nor a
// CIDR range.
func checkProxies(role string, proxies []string) error {
	for _, p := range proxies {
		if _, err := netip.ParseAddr(p); err == nil {
			continue
		}
		if _, err := netip.ParsePrefix(p); err != nil {
			return usagef("%s: --trusted-proxy %q is neither an IP address nor a CIDR range", role, p)
		}
	}
	return nil
}

// catalogAnswers reads from the catalog (a query, not a mere ping of an
// open connection): what systemd's watchdog is fed on.
func catalogAnswers(st *content.Store) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := feed.ReadState(ctx, st)
		return err
	}
}

package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/punto-totem/punto/internal/testenv"
)

// testCA is a private certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	file string // the CA's certificate, PEM
	pool *x509.CertPool
}

func newTestCA(t *testing.T, dir string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Punto test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	ca := &testCA{cert: cert, key: key, file: filepath.Join(dir, "ca.pem"), pool: x509.NewCertPool()}
	ca.pool.AddCert(cert)
	writePEM(t, ca.file, "CERTIFICATE", der)
	return ca
}

// issue writes a server certificate for 127.0.0.1 and localhost, with the
// given serial number, and its key; it returns their files.
func (ca *testCA) issue(t *testing.T, dir string, serial int64) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "server.pem"), filepath.Join(dir, "server.key")
	writePEM(t, certFile, "CERTIFICATE", der)
	writePEM(t, keyFile, "PRIVATE KEY", pkcs8)
	return certFile, keyFile
}

func writePEM(t *testing.T, path, kind string, der []byte) {
	t.Helper()
	// Written beside and renamed, as certbot does, so a reader never sees
	// half a file.
	tmp := path + ".new"
	if err := os.WriteFile(tmp, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// httpsClient trusts only ca.
func httpsClient(ca *testCA) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: ca.pool}, DisableKeepAlives: true}}
}

// waitHTTPS polls url until it answers 200 over TLS checked against ca.
func waitHTTPS(t *testing.T, client *http.Client, url string, p *testenv.Proc) *http.Response {
	t.Helper()
	var res *http.Response
	testenv.Eventually(t, 60*time.Second, url+" answers over TLS", func() bool {
		if p.Exited() {
			t.Fatalf("%s exited:\n%s", p.Name, p.Output())
		}
		r, err := client.Get(url)
		if err != nil {
			return false
		}
		r.Body.Close()
		res = r
		return r.StatusCode == 200
	})
	return res
}

// servedSerial is the serial number of the certificate addr presents.
func servedSerial(t *testing.T, ca *testCA, addr string) int64 {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: ca.pool, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
}

// tlsNetwork is a portal serving TLS itself with a certificate from a
// private CA.
func tlsNetwork(t *testing.T) (n *network, ca *testCA, certFile, keyFile, addr string) {
	t.Helper()
	n = &network{t: t, dir: t.TempDir()}
	ca = newTestCA(t, n.dir)
	certFile, keyFile = ca.issue(t, n.dir, 100)
	n.portalDB = filepath.Join(n.dir, "portal.db")
	testenv.CopyDemo(t, n.portalDB)
	testenv.RunPunto(t, adminPassword+"\n", "portal", "user", "add", "--db", n.portalDB, "--name", "admin", "--role", "admin", "--password-stdin")
	addr = testenv.FreeAddr(t)
	n.portalURL = "https://" + addr
	n.portalArg = []string{"portal", "--db", n.portalDB, "--addr", addr, "--key", filepath.Join(n.dir, "portal.key"),
		"--public-url", n.portalURL, "--tls-cert", certFile, "--tls-key", keyFile}
	n.portal = testenv.StartPunto(t, "portal (TLS)", n.portalArg...)
	waitHTTPS(t, httpsClient(ca), n.portalURL+"/healthz", n.portal)
	pub, err := os.ReadFile(filepath.Join(n.dir, "portal.key.pub"))
	if err != nil {
		t.Fatal(err)
	}
	n.portalPub = strings.TrimSpace(string(pub))
	return n, ca, certFile, keyFile, addr
}

// wssTotem is a totem following the TLS portal at addr (no --insecure-dev).
func (n *network) wssTotem(id, addr string, extra ...string) *totemProc {
	n.t.Helper()
	tp := n.addTotem(id, 43.6169, 13.5153)
	for i, a := range tp.args {
		if a == "--portal" {
			tp.args[i+1] = "wss://" + addr + "/sync"
		}
	}
	tp.args = append(tp.args[:len(tp.args)-1], extra...) // drop --insecure-dev
	return tp
}

// TestPortalTLS runs a portal serving TLS with a certificate from a
// private CA, a totem that trusts that CA following it over wss://, and a
// totem that does not and is refused; then the certificate is renewed and
// reloaded on SIGHUP without a restart.
func TestPortalTLS(t *testing.T) {
	t.Parallel()
	n, ca, _, keyFile, addr := tlsNetwork(t)
	client := httpsClient(ca)

	res := waitHTTPS(t, client, n.portalURL+"/healthz", n.portal)
	if res.TLS == nil || res.TLS.Version < tls.VersionTLS12 {
		t.Fatalf("healthz not served over TLS 1.2+: %+v", res.TLS)
	}
	var health struct {
		Status string `json:"status"`
		Role   string `json:"role"`
	}
	r, err := client.Get(n.portalURL + "/api/v1/healthz")
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(r.Body).Decode(&health)
	r.Body.Close()
	if health.Status != "ok" || health.Role != "portal" {
		t.Fatalf("healthz over TLS: %+v", health)
	}
	// A client that does not know the private CA is refused by its own TLS
	// check: the certificate really is the one the test made.
	if _, err := http.Get(n.portalURL + "/healthz"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("a client without the CA: %v", err)
	}

	t.Run("a totem trusting the CA syncs over wss", func(t *testing.T) {
		tp := n.wssTotem("totem-tls", addr, "--portal-ca", ca.file)
		tp.start(t, "totem (wss)")
		ed := &editorClient{t: t, base: n.portalURL, http: client}
		var head feedState
		testenv.Eventually(t, 30*time.Second, "the totem takes the snapshot over wss", func() bool {
			code, body := ed.do("GET", "/api/v1/feed?digest=1", nil)
			if code != 200 || json.Unmarshal(body, &head) != nil {
				t.Fatalf("portal feed: %d %s", code, body)
			}
			f := feedOf(t, tp.base, false)
			return f.Link.Synced && f.Seq == head.Seq
		})
		if d := feedOf(t, tp.base, true).Digest; d != head.Digest {
			t.Fatal("the totem differs from the portal after syncing over wss")
		}
		// A change published now reaches it over the same link.
		admin := loginWith(t, &editorClient{t: t, base: n.portalURL, http: httpsClient(ca)}, "admin", adminPassword)
		inAncona := nearestService(t, tp.base, 43.6169, 13.5153)
		seq := admin.rename(inAncona, "Sportello via TLS")
		waitSeq(t, tp.base, seq)
		if got := serviceName(t, tp.base, inAncona); got != "Sportello via TLS" {
			t.Fatalf("after a publish over wss the totem shows %q", got)
		}
	})

	t.Run("the editor's cookies are Secure under TLS", func(t *testing.T) {
		r, err := client.Get(n.portalURL + "/editor/api/session")
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if len(r.Cookies()) == 0 {
			t.Fatal("no cookie set")
		}
		for _, c := range r.Cookies() {
			if !c.Secure || !c.HttpOnly {
				t.Errorf("cookie %s: Secure %v HttpOnly %v", c.Name, c.Secure, c.HttpOnly)
			}
			// __Host-: no other host or path, nor plain HTTP, can set it.
			if !strings.HasPrefix(c.Name, "__Host-") || c.Path != "/" || c.Domain != "" {
				t.Errorf("cookie %s: path %q domain %q, want __Host- at /", c.Name, c.Path, c.Domain)
			}
		}
		if hsts := r.Header.Get("Strict-Transport-Security"); !strings.Contains(hsts, "max-age=") {
			t.Errorf("no HSTS under TLS: %q", hsts)
		}
		// The editor signs in with them.
		loginWith(t, &editorClient{t: t, base: n.portalURL, http: httpsClient(ca)}, "admin", adminPassword)
	})

	t.Run("a totem that does not trust the CA is refused", func(t *testing.T) {
		tp := n.wssTotem("totem-no-ca", addr)
		tp.start(t, "totem (no CA)")
		testenv.Eventually(t, 30*time.Second, "the totem reports the certificate it refused", func() bool {
			f := feedOf(t, tp.base, false)
			return !f.Link.Synced && strings.Contains(f.Link.LastError, "certificate")
		})
		r, err := http.Get(tp.base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != 503 {
			t.Fatalf("readyz of a totem that never synced: %d", r.StatusCode)
		}
	})

	t.Run("a renewed certificate is served after SIGHUP", func(t *testing.T) {
		if s := servedSerial(t, ca, addr); s != 100 {
			t.Fatalf("serving serial %d, want 100", s)
		}
		ca.issue(t, n.dir, 101)
		n.portal.Cmd.Process.Signal(syscall.SIGHUP)
		testenv.Eventually(t, 20*time.Second, "the portal says it reloaded", func() bool {
			return strings.Contains(n.portal.Output(), "TLS certificate reloaded")
		})
		if s := servedSerial(t, ca, addr); s != 101 {
			t.Fatalf("after SIGHUP serving serial %d, want 101", s)
		}
		// A broken renewal keeps the working certificate.
		os.WriteFile(keyFile, []byte("not a key"), 0o600)
		n.portal.Cmd.Process.Signal(syscall.SIGHUP)
		testenv.Eventually(t, 20*time.Second, "the portal says it kept the old certificate", func() bool {
			return strings.Contains(n.portal.Output(), "TLS certificate not reloaded")
		})
		if s := servedSerial(t, ca, addr); s != 101 || n.portal.Exited() {
			t.Fatalf("after a broken renewal: serial %d, exited %v", s, n.portal.Exited())
		}
	})
}

// loginWith signs e in, first taking a session as the editor UI does.
func loginWith(t *testing.T, e *editorClient, name, password string) *editorClient {
	t.Helper()
	var s struct {
		CSRF string `json:"csrf_token"`
	}
	if code, body := e.do("GET", "/editor/api/session", nil); code != 200 || json.Unmarshal(body, &s) != nil {
		t.Fatalf("session: %d %s", code, body)
	}
	e.csrf = s.CSRF
	code, body := e.do("POST", "/editor/api/login", map[string]string{"name": name, "password": password})
	if code != 200 || json.Unmarshal(body, &s) != nil {
		t.Fatalf("login %s: %d %s", name, code, body)
	}
	e.csrf = s.CSRF
	return e
}

// TestPortalTLSFlags checks the refusals of the TLS flags.
func TestPortalTLSFlags(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ca := newTestCA(t, dir)
	cert, key := ca.issue(t, dir, 7)
	demo := filepath.Join(dir, "demo.db")
	testenv.CopyDemo(t, demo)
	notPEM := filepath.Join(dir, "not.pem")
	os.WriteFile(notPEM, []byte("hello"), 0o600)
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"a certificate without its key", []string{"portal", "--db", demo, "--tls-cert", cert}, "--tls-cert and --tls-key go together"},
		{"a key without its certificate", []string{"portal", "--db", demo, "--tls-key", key}, "--tls-cert and --tls-key go together"},
		{"a missing certificate", []string{"portal", "--db", demo, "--tls-cert", filepath.Join(dir, "none.pem"), "--tls-key", key}, "no such file"},
		{"a certificate with the wrong key", []string{"portal", "--db", demo, "--tls-cert", cert, "--tls-key", ca.file}, "--tls-cert/--tls-key"},
		{"a bad trusted proxy", []string{"portal", "--db", demo, "--trusted-proxy", "10.0.0.0/99"}, `--trusted-proxy "10.0.0.0/99"`},
		{"a portal CA that is no certificate", []string{"totem", "--db", demo, "--portal", "wss://127.0.0.1:1/sync", "--portal-key", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "--token", "t", "--totem-id", "t1", "--portal-ca", notPEM}, "holds no PEM certificate"},
		{"a missing portal CA", []string{"totem", "--db", demo, "--portal", "wss://127.0.0.1:1/sync", "--portal-key", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "--token", "t", "--totem-id", "t1", "--portal-ca", filepath.Join(dir, "none.pem")}, "--portal-ca"},
		{"a portal CA without a portal", []string{"totem", "--db", demo, "--portal-ca", ca.file}, "need --portal"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if code := run(context.Background(), tt.args, io.Discard, &stderr); code != 2 || !strings.Contains(stderr.String(), tt.want) {
				t.Fatalf("exit %d, stderr %q, want exit 2 and %q", code, stderr.String(), tt.want)
			}
		})
	}
}

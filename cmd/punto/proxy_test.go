package main

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/punto-totem/punto/internal/testenv"
)

// startNginx runs Debian's nginx with the example site of deploy/nginx,
// rewritten only where this machine differs (ports and certificate
// paths), in front of the portal at upstream. It returns the TLS address.
func startNginx(t *testing.T, upstream, certFile, keyFile string) string {
	t.Helper()
	return startNginxSite(t, "punto-portal.conf", "portal.example.org", certFile, keyFile, [2]string{"server 127.0.0.1:8090;", "server " + upstream + ";"})
}

// startNginxSite runs nginx with the site deploy/nginx/name, for host,
// with the certificate given and the rewrites rs (each of a text the
// file holds once), and returns its TLS address.
func startNginxSite(t *testing.T, name, host, certFile, keyFile string, rs ...[2]string) string {
	t.Helper()
	if _, err := exec.LookPath("nginx"); err != nil {
		t.Fatal("nginx is missing: run make deps (as root) to install nginx-light")
	}
	dir := t.TempDir()
	site, err := os.ReadFile(filepath.Join("..", "..", "deploy", "nginx", name))
	if err != nil {
		t.Fatal(err)
	}
	tlsAddr, plainAddr := testenv.FreeAddr(t), testenv.FreeAddr(t)
	conf := string(site)
	for _, r := range append([][2]string{
		{"listen 443 ssl http2;", "listen " + tlsAddr + " ssl http2;"},
		{"listen 80;", "listen " + plainAddr + ";"},
		{"/etc/letsencrypt/live/" + host + "/fullchain.pem", certFile},
		{"/etc/letsencrypt/live/" + host + "/privkey.pem", keyFile},
	}, rs...) {
		if strings.Count(conf, r[0]) != 1 {
			t.Fatalf("deploy/nginx/%s no longer has %q once: update this test with it", name, r[0])
		}
		conf = strings.Replace(conf, r[0], r[1], 1)
	}
	var kept []string
	for _, line := range strings.Split(conf, "\n") {
		if !strings.Contains(line, "[::]") { // no IPv6 on the test's loopback
			kept = append(kept, line)
		}
	}
	os.WriteFile(filepath.Join(dir, "site.conf"), []byte(strings.Join(kept, "\n")), 0o644)
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // the workers read the test's private folders
	}
	main := fmt.Sprintf(`%s
worker_processes 1;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log info;
events { worker_connections 256; }
http {
    access_log %[2]s/access.log;
    client_body_temp_path %[2]s/body;
    proxy_temp_path %[2]s/proxy;
    fastcgi_temp_path %[2]s/fastcgi;
    uwsgi_temp_path %[2]s/uwsgi;
    scgi_temp_path %[2]s/scgi;
    include %[2]s/site.conf;
}
`, user, dir)
	os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(main), 0o644)
	if out, err := exec.Command("nginx", "-t", "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", filepath.Join(dir, "nginx.conf")).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
	cmd := exec.Command("nginx", "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", filepath.Join(dir, "nginx.conf"), "-g", "daemon off;")
	out := &testenv.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt) // SIGINT: fast shutdown
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("--- nginx:\n%s%s", out.String(), log)
		}
	})
	return tlsAddr
}

// clientFrom is an HTTPS client whose connections leave from the loopback
// address ip (127.0.0.2, …), as if from another machine; with forged set,
// every request claims to come from that address in X-Forwarded-For.
func clientFrom(ca *testCA, ip, forged string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	jar, _ := cookiejar.New(nil)
	var rt http.RoundTripper = &http.Transport{
		DialContext: d.DialContext, TLSClientConfig: &tls.Config{RootCAs: ca.pool}, DisableKeepAlives: true}
	if forged != "" {
		rt = forgedFor{rt, forged}
	}
	return &http.Client{Jar: jar, Timeout: 60 * time.Second, Transport: rt}
}

// forgedFor adds an X-Forwarded-For of its choosing to every request.
type forgedFor struct {
	rt   http.RoundTripper
	addr string
}

func (f forgedFor) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", f.addr)
	return f.rt.RoundTrip(r)
}

// withSession takes a session and its CSRF token, as the editor UI does
// before signing in.
func withSession(t *testing.T, e *editorClient) {
	t.Helper()
	var s struct {
		CSRF string `json:"csrf_token"`
	}
	if code, body := e.do("GET", "/editor/api/session", nil); code != 200 || json.Unmarshal(body, &s) != nil {
		t.Fatalf("session: %d %s", code, body)
	}
	e.csrf = s.CSRF
}

// failLogins tries to sign in with wrong passwords until the portal limits
// the address, and returns how many tries were answered 401 first.
func failLogins(t *testing.T, e *editorClient, max int) int {
	t.Helper()
	for i := range max {
		code, body := e.do("POST", "/editor/api/login", map[string]string{"name": fmt.Sprintf("nobody-%d-%d", time.Now().UnixNano(), i), "password": "wrong password, long enough"})
		switch code {
		case 401:
		case 429:
			return i
		default:
			t.Fatalf("login: %d %s", code, body)
		}
	}
	return max
}

// TestPortalBehindNginx runs the portal on loopback behind Debian's nginx
// with the example site of deploy/nginx: TLS ends at nginx, a totem syncs
// through it over wss://, and the portal's login limits per address see
// each visitor's own address, which a visitor cannot forge.
func TestPortalBehindNginx(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ca := newTestCA(t, dir)
	certFile, keyFile := ca.issue(t, dir, 200)
	n := &network{t: t, dir: dir, portalDB: filepath.Join(dir, "portal.db")}
	testenv.CopyDemo(t, n.portalDB)
	testenv.RunPunto(t, adminPassword+"\n", "portal", "user", "add", "--db", n.portalDB, "--name", "admin", "--role", "admin", "--password-stdin")
	upstream := testenv.FreeAddr(t)
	n.portalArg = []string{"portal", "--db", n.portalDB, "--addr", upstream, "--key", filepath.Join(dir, "portal.key"),
		"--trusted-proxy", "127.0.0.1", "--secure-cookies"}
	n.portalURL = "http://" + upstream
	n.startPortal()
	pub, _ := os.ReadFile(filepath.Join(dir, "portal.key.pub"))
	n.portalPub = strings.TrimSpace(string(pub))
	front := startNginx(t, upstream, certFile, keyFile)
	base := "https://" + front
	waitHTTPS(t, httpsClient(ca), base+"/healthz", n.portal)

	t.Run("a totem syncs through nginx over wss", func(t *testing.T) {
		tp := n.wssTotem("totem-proxied", front, "--portal-ca", ca.file)
		tp.start(t, "totem (through nginx)")
		var head feedState
		testenv.GetJSON(t, n.portalURL+"/api/v1/feed?digest=1", &head)
		testenv.Eventually(t, 30*time.Second, "the totem takes the snapshot through nginx", func() bool {
			f := feedOf(t, tp.base, false)
			return f.Link.Synced && f.Seq == head.Seq
		})
		if d := feedOf(t, tp.base, true).Digest; d != head.Digest {
			t.Fatal("the totem differs from the portal after syncing through nginx")
		}
		admin := loginWith(t, &editorClient{t: t, base: base, http: httpsClient(ca)}, "admin", adminPassword)
		id := nearestService(t, tp.base, 43.6169, 13.5153)
		seq := admin.rename(id, "Sportello dietro nginx")
		waitSeq(t, tp.base, seq)
		if got := serviceName(t, tp.base, id); got != "Sportello dietro nginx" {
			t.Fatalf("the live feed through nginx: %q", got)
		}
	})

	t.Run("login limits see each visitor's address", func(t *testing.T) {
		a := &editorClient{t: t, base: base, http: clientFrom(ca, "127.0.0.2", "")}
		withSession(t, a)
		allowed := failLogins(t, a, 40)
		if allowed == 40 || allowed < 5 {
			t.Fatalf("127.0.0.2 was limited after %d failed logins", allowed)
		}
		t.Logf("127.0.0.2 limited after %d failed logins through nginx", allowed)
		// Claiming another address does not help: nginx replaces
		// X-Forwarded-For with the address it sees.
		forger := &editorClient{t: t, base: base, http: clientFrom(ca, "127.0.0.2", "198.51.100.7")}
		withSession(t, forger)
		if got := failLogins(t, forger, 1); got != 0 {
			t.Fatal("a forged X-Forwarded-For through nginx escaped the limit")
		}
		// Another address is not held to 127.0.0.2's failures.
		b := &editorClient{t: t, base: base, http: clientFrom(ca, "127.0.0.3", "")}
		withSession(t, b)
		if got := failLogins(t, b, 1); got != 1 {
			t.Fatal("127.0.0.3 is limited for 127.0.0.2's failures")
		}
		// Reaching the portal without the proxy, X-Forwarded-For is not
		// believed: 127.0.0.2 is no trusted proxy.
		direct := &editorClient{t: t, base: n.portalURL, http: clientFrom(ca, "127.0.0.2", "198.51.100.9")}
		withSession(t, direct)
		if got := failLogins(t, direct, 1); got != 0 {
			t.Fatal("the portal believed X-Forwarded-For from an untrusted address")
		}
	})

	t.Run("cookies are Secure behind the proxy", func(t *testing.T) {
		res, err := httpsClient(ca).Get(base + "/editor/api/session")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		for _, c := range res.Cookies() {
			if !c.Secure {
				t.Errorf("cookie %s is not Secure", c.Name)
			}
		}
		if res.Header.Get("Strict-Transport-Security") == "" {
			t.Error("nginx sends no Strict-Transport-Security")
		}
	})
}

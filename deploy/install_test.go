package deploy

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/punto-totem/punto/internal/testenv"
)

const testKey = "xW3MBfvsE9qH0JhiwL1llM7hcsWVqkHUsgBdxblHg78="

// install runs install-totem.sh with args and returns its exit status and
// output.
func install(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command("sh", append([]string{"install-totem.sh"}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String()
	case errors.As(err, &ee):
		return ee.ExitCode(), out.String()
	}
	t.Fatal(err)
	return 0, ""
}

// tree lists every file under root with its mode and a hash of its content.
func tree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		info, _ := d.Info()
		rel, _ := filepath.Rel(root, path)
		line := fmt.Sprintf("%s %v", rel, info.Mode())
		if !d.IsDir() {
			b, _ := os.ReadFile(path)
			sum := sha256.Sum256(b)
			line += " " + hex.EncodeToString(sum[:8])
		}
		out = append(out, line)
		return nil
	})
	sort.Strings(out)
	return out
}

// caFile writes a self-signed CA certificate.
func caFile(t *testing.T, dir string) string {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, IsCA: true,
		BasicConstraintsValid: true, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ca.pem")
	os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	return path
}

// TestInstallTotem runs the install script into a scratch root folder:
// what it writes, that the installed binary starts with the config file
// it wrote, that a second run changes nothing, and its refusals.
func TestInstallTotem(t *testing.T) {
	t.Parallel()
	need(t, "sh", "awk", "sed", "grep")
	bin := testenv.Binary(t)
	in := t.TempDir()
	token := filepath.Join(in, "totem.token")
	os.WriteFile(token, []byte("secret-token-of-the-test\n"), 0o600)
	ca := caFile(t, in)
	closed := testenv.FreeAddr(t) // nothing listens there: the totem retries meanwhile
	args := func(root string, extra ...string) []string {
		return append([]string{"--root", root, "--binary", bin, "--portal", "wss://" + closed + "/sync", "--portal-key", testKey,
			"--totem-id", "ancona-stazione", "--token-file", token, "--lat", "43.6169", "--lon", "13.5153",
			"--portal-ca", ca, "--public-url", "https://portal.example.org"}, extra...)
	}
	root := t.TempDir()
	code, out := install(t, args(root)...)
	if code != 0 {
		t.Fatalf("install: exit %d\n%s", code, out)
	}
	files := []struct {
		path string
		mode fs.FileMode
		from string // the file it is a copy of
	}{
		{"usr/local/bin/punto", 0o755, bin},
		{"usr/local/lib/punto/kiosk-browser", 0o755, "kiosk/kiosk-browser"},
		{"etc/pam.d/punto-kiosk", 0o644, "pam/punto-kiosk"},
		{"etc/systemd/system/punto-totem.service", 0o644, "systemd/punto-totem.service"},
		{"etc/systemd/system/punto-kiosk@.service", 0o644, "systemd/punto-kiosk@.service"},
		{"etc/systemd/system/punto-kiosk-watchdog.service", 0o644, "systemd/punto-kiosk-watchdog.service"},
		{"etc/systemd/system/punto-kiosk-watchdog.timer", 0o644, "systemd/punto-kiosk-watchdog.timer"},
		{"etc/punto/totem.token", 0o640, token},
		{"etc/punto/portal-ca.pem", 0o644, ca},
		{"etc/punto/totem.toml", 0o640, ""},
		{"etc/punto/kiosk.env", 0o644, ""},
	}
	for _, f := range files {
		info, err := os.Stat(filepath.Join(root, f.path))
		if err != nil {
			t.Errorf("not installed: %v", err)
			continue
		}
		if info.Mode().Perm() != f.mode {
			t.Errorf("%s: mode %v, want %v", f.path, info.Mode().Perm(), f.mode)
		}
		if f.from != "" {
			a, _ := os.ReadFile(filepath.Join(root, f.path))
			b, _ := os.ReadFile(f.from)
			if !bytes.Equal(a, b) {
				t.Errorf("%s is not a copy of %s", f.path, f.from)
			}
		}
	}
	var cfg map[string]any
	if _, err := toml.DecodeFile(filepath.Join(root, "etc/punto/totem.toml"), &cfg); err != nil {
		t.Fatalf("the config written is not TOML: %v", err)
	}
	want := map[string]any{"db": "/var/lib/punto/punto.db", "addr": "127.0.0.1:8080", "lat": 43.6169, "lon": 13.5153,
		"totem-id": "ancona-stazione", "portal": "wss://" + closed + "/sync", "portal-key": testKey,
		"token-file": "/etc/punto/totem.token", "portal-ca": "/etc/punto/portal-ca.pem", "public-url": "https://portal.example.org", "demo": true}
	for k, v := range want {
		if cfg[k] != v {
			t.Errorf("totem.toml: %s = %v, want %v", k, cfg[k], v)
		}
	}
	if len(cfg) != len(want) {
		t.Errorf("totem.toml has %d keys, want %d: %v", len(cfg), len(want), cfg)
	}
	env, _ := os.ReadFile(filepath.Join(root, "etc/punto/kiosk.env"))
	if !strings.Contains(string(env), "PUNTO_KIOSK_URL=http://localhost:8080/?kiosk=1") {
		t.Errorf("kiosk.env: %s", env)
	}

	t.Run("the installed totem starts with the config it was given", func(t *testing.T) {
		// The paths of a real machine are under the scratch root here, so
		// flags override them: everything else comes from the file.
		addr := testenv.FreeAddr(t)
		db := filepath.Join(t.TempDir(), "punto.db")
		testenv.CopyDemo(t, db) // what demo = true would create on the first start
		p := testenv.Start(t, "installed totem", exec.Command(filepath.Join(root, "usr/local/bin/punto"), "totem", "--config", filepath.Join(root, "etc/punto/totem.toml"),
			"--db", db, "--addr", addr,
			"--token-file", filepath.Join(root, "etc/punto/totem.token"), "--portal-ca", filepath.Join(root, "etc/punto/portal-ca.pem")))
		testenv.Eventually(t, 60*time.Second, "the installed totem answers", func() bool {
			if p.Exited() {
				t.Fatalf("the installed totem exited:\n%s", p.Output())
			}
			res, err := http.Get("http://" + addr + "/api/v1/healthz")
			if err != nil {
				return false
			}
			res.Body.Close()
			return true
		})
		var health struct {
			Status   string
			Position struct{ Lat, Lon float64 }
		}
		testenv.GetJSON(t, "http://"+addr+"/api/v1/healthz", &health)
		if health.Status != "ok" || health.Position.Lat != 43.6169 || health.Position.Lon != 13.5153 {
			t.Fatalf("healthz %+v", health)
		}
		// It follows the portal the file names (and retries, as nothing
		// listens there).
		var feed struct {
			Link struct {
				LastError string `json:"last_error"`
			} `json:"link"`
		}
		testenv.Eventually(t, 60*time.Second, "the totem reports its link to the portal", func() bool {
			testenv.GetJSON(t, "http://"+addr+"/api/v1/feed", &feed)
			return feed.Link.LastError != ""
		})
		if !strings.Contains(feed.Link.LastError, closed) {
			t.Fatalf("the totem does not dial the configured portal: %q", feed.Link.LastError)
		}
	})

	t.Run("a second run changes nothing", func(t *testing.T) {
		before := tree(t, root)
		if code, out := install(t, args(root)...); code != 0 {
			t.Fatalf("second install: exit %d\n%s", code, out)
		}
		if after := tree(t, root); strings.Join(before, "\n") != strings.Join(after, "\n") {
			t.Fatalf("the second run changed the tree:\nbefore %v\nafter  %v", before, after)
		}
	})

	t.Run("a first catalog is copied once, never over the totem's own", func(t *testing.T) {
		first := filepath.Join(in, "first.db")
		os.WriteFile(first, []byte("first catalog"), 0o644)
		if code, out := install(t, args(root, "--catalog", first)...); code != 0 {
			t.Fatalf("install --catalog: exit %d\n%s", code, out)
		}
		db := filepath.Join(root, "var/lib/punto/punto.db")
		if b, _ := os.ReadFile(db); string(b) != "first catalog" {
			t.Fatalf("catalog not copied: %q", b)
		}
		os.WriteFile(db, []byte("synced since"), 0o640)
		if code, out := install(t, args(root, "--catalog", first)...); code != 0 {
			t.Fatalf("install --catalog again: exit %d\n%s", code, out)
		}
		if b, _ := os.ReadFile(db); string(b) != "synced since" {
			t.Fatalf("a second run overwrote the totem's catalog: %q", b)
		}
		var cfg map[string]any
		toml.DecodeFile(filepath.Join(root, "etc/punto/totem.toml"), &cfg)
		if cfg["demo"] != false {
			t.Fatalf("with a first catalog demo = %v", cfg["demo"])
		}
	})

	t.Run("a dry run says what it would do and does nothing", func(t *testing.T) {
		empty := t.TempDir()
		code, out := install(t, args(empty, "--dry-run")...)
		if code != 0 || !strings.Contains(out, "+ write /etc/punto/totem.toml") || !strings.Contains(out, "dry run") {
			t.Fatalf("dry run: exit %d\n%s", code, out)
		}
		if got := tree(t, empty); len(got) != 1 {
			t.Fatalf("a dry run wrote %v", got)
		}
		// Without --root it would also install packages, make users and
		// enable the services.
		a := args("")
		code, out = install(t, append(a[2:], "--dry-run")...)
		for _, w := range []string{"+ env DEBIAN_FRONTEND=noninteractive apt-get install", "cage chromium chromium-headless-shell fonts-noto-core fonts-noto-cjk",
			"useradd --system", "punto-kiosk", "+ systemctl enable --now punto-totem.service", "punto-kiosk@tty1.service", "punto-kiosk-watchdog.timer",
			"+ systemctl set-default graphical.target"} {
			if !strings.Contains(out, w) {
				t.Errorf("a dry run on / does not say %q:\n%s", w, out)
			}
		}
		if code != 0 {
			t.Fatalf("exit %d", code)
		}
	})

	t.Run("bad arguments are refused and nothing is written", func(t *testing.T) {
		replace := func(flag, value string) []string {
			a := args(t.TempDir())
			for i := range a {
				if a[i] == flag {
					a[i+1] = value
				}
			}
			return a
		}
		drop := func(flag string) []string {
			a := args(t.TempDir())
			for i := range a {
				if a[i] == flag {
					return append(a[:i:i], a[i+2:]...)
				}
			}
			return a
		}
		tests := []struct {
			name string
			args []string
			want string
		}{
			{"no arguments", []string{}, "--portal is required"},
			{"an unknown option", append(args(t.TempDir()), "--colour", "red"), "unknown option --colour"},
			{"an option without its value", append(args(t.TempDir()), "--tty"), "--tty needs a value"},
			{"no totem ID", drop("--totem-id"), "--totem-id is required"},
			{"no token", drop("--token-file"), "--token-file is required"},
			{"a plain ws portal", replace("--portal", "ws://portal.example.org/sync"), "not encrypted"},
			{"not a URL", replace("--portal", "portal.example.org"), "wss:// URL"},
			{"a bad totem ID", replace("--totem-id", "totem uno"), "--totem-id totem uno"},
			{"a latitude off the globe", replace("--lat", "91"), "--lat 91"},
			{"a longitude that is no number", replace("--lon", "east"), "--lon east"},
			{"a missing token file", replace("--token-file", filepath.Join(in, "none")), "--token-file"},
			{"an empty token file", replace("--token-file", os.DevNull), "no such file, or empty"},
			{"a bad portal key", replace("--portal-key", "short"), "--portal-key: not a portal key"},
			{"a CA that is no certificate", replace("--portal-ca", token), "--portal-ca"},
			{"a bad public URL", replace("--public-url", "portal.example.org"), "--public-url"},
			{"a missing binary", replace("--binary", filepath.Join(in, "none")), "--binary"},
			{"a missing root", replace("--root", filepath.Join(in, "none")), "--root"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				code, out := install(t, tt.args...)
				if code != 2 || !strings.Contains(out, tt.want) || !strings.HasPrefix(out, "install-totem: ") {
					t.Fatalf("exit %d, output %q; want exit 2 and %q", code, out, tt.want)
				}
				for i, a := range tt.args {
					if _, err := os.Stat(tt.args[min(i+1, len(tt.args)-1)]); a == "--root" && err == nil {
						if got := tree(t, tt.args[i+1]); len(got) > 1 {
							t.Fatalf("a refused install wrote %v", got)
						}
					}
				}
			})
		}
	})
}

package deploy

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/punto-totem/punto/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// need fails the test when a program the Makefile's deps target installs
// is missing.
func need(t *testing.T, programs ...string) {
	t.Helper()
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			t.Fatalf("%s is missing: run make deps (as root) to install the Debian packages the tests use", p)
		}
	}
}

// renderUnits copies the units into a folder with the paths of this
// checkout: the built binaries (punto's and Litestream's) and the kiosk
// scripts, which systemd-analyze wants to find.
func renderUnits(t *testing.T, bin, litestream string) string {
	t.Helper()
	dir := t.TempDir()
	kiosk, err := filepath.Abs("kiosk")
	if err != nil {
		t.Fatal(err)
	}
	units, _ := filepath.Glob("systemd/*")
	if len(units) == 0 {
		t.Fatal("no units in deploy/systemd")
	}
	for _, u := range units {
		b, err := os.ReadFile(u)
		if err != nil {
			t.Fatal(err)
		}
		s := strings.ReplaceAll(string(b), "/usr/local/bin/punto", bin)
		s = strings.ReplaceAll(s, "/usr/local/bin/litestream", litestream)
		s = strings.ReplaceAll(s, "/usr/local/lib/punto/", kiosk+"/")
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(u)), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// verify runs systemd-analyze verify on units in dir and returns what it
// said: nothing means the units are sound.
func verify(t *testing.T, dir string, units ...string) string {
	t.Helper()
	args := []string{"verify"}
	for _, u := range units {
		args = append(args, filepath.Join(dir, u))
	}
	cmd := exec.Command("systemd-analyze", args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil && out.Len() == 0 {
		return err.Error()
	}
	return out.String()
}

var allUnits = []string{"punto-totem.service", "punto-portal.service", "punto-litestream.service", "punto-kiosk@tty1.service", "punto-kiosk-watchdog.service", "punto-kiosk-watchdog.timer"}

// TestUnitsVerify checks every unit with systemd-analyze verify (which
// needs no running systemd): not a warning allowed.
func TestUnitsVerify(t *testing.T) {
	t.Parallel()
	need(t, "systemd-analyze", "cage", "chromium")
	dir := renderUnits(t, testenv.Binary(t), testenv.Litestream(t))
	for _, u := range allUnits {
		t.Run(u, func(t *testing.T) {
			t.Parallel()
			if out := verify(t, dir, u); out != "" {
				t.Fatalf("systemd-analyze verify %s:\n%s", u, out)
			}
		})
	}
	// The check can fail: a misspelt directive and a missing program are
	// reported.
	b, _ := os.ReadFile(filepath.Join(dir, "punto-totem.service"))
	bad := strings.Replace(string(b), "NoNewPrivileges=yes", "NoNewPrivilege=yes", 1)
	bad = strings.Replace(bad, "ExecStart="+testenv.Binary(t), "ExecStart=/nonexistent/punto", 1)
	os.WriteFile(filepath.Join(dir, "punto-broken.service"), []byte(bad), 0o644)
	out := verify(t, dir, "punto-broken.service")
	if !strings.Contains(out, "NoNewPrivilege") || !strings.Contains(out, "/nonexistent/punto") {
		t.Fatalf("systemd-analyze verify passed a broken unit: %q", out)
	}
}

// TestUnitsHardened checks that the services are sandboxed as promised,
// and measures it with systemd-analyze security.
func TestUnitsHardened(t *testing.T) {
	t.Parallel()
	need(t, "systemd-analyze")
	dir := renderUnits(t, "/bin/true", "/bin/true")
	common := []string{"User=punto", "StateDirectory=punto", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
		"NoNewPrivileges=yes", "PrivateDevices=yes", "Restart=on-failure", "Type=notify", "WatchdogSec=", "SystemCallFilter=@system-service",
		"RestartPreventExitStatus=2"}
	tests := []struct {
		unit string
		want []string
	}{
		{"punto-totem.service", append([]string{"RestartForceExitStatus=75", "SuccessExitStatus=75", "CapabilityBoundingSet=\n", "ExecStart=/bin/true totem --config /etc/punto/totem.toml"}, common...)},
		{"punto-portal.service", append([]string{"CapabilityBoundingSet=CAP_NET_BIND_SERVICE\n", "ExecReload=/bin/kill -HUP $MAINPID", "ExecStart=/bin/true portal --config /etc/punto/portal.toml"}, common...)},
		{"punto-litestream.service", []string{"ExecStart=/bin/true replicate -config /etc/punto/litestream.yml", "User=punto", "StateDirectory=punto punto-replica",
			"PartOf=punto-portal.service", "WantedBy=punto-portal.service", "CapabilityBoundingSet=\n", "ProtectSystem=strict", "NoNewPrivileges=yes", "Restart=always",
			"SystemCallFilter=@system-service"}},
		{"punto-kiosk@.service", []string{"User=punto-kiosk", "PAMName=punto-kiosk", "TTYPath=/dev/%I", "Conflicts=getty@%i.service", "DefaultInstance=tty1", "Restart=always", "ExecStart=/usr/bin/cage -d -- "}},
		{"punto-kiosk-watchdog.timer", []string{"OnUnitInactiveSec=30s", "WantedBy=timers.target"}},
	}
	for _, tt := range tests {
		t.Run(tt.unit, func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(filepath.Join(dir, tt.unit))
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(b), w) {
					t.Errorf("%s lacks %q", tt.unit, w)
				}
			}
			if !strings.HasSuffix(tt.unit, ".service") || strings.Contains(tt.unit, "kiosk") {
				return
			}
			// systemd's own score, 0 (locked down) to 10 (exposed): at most
			// 2.0, "OK" in its words.
			out, err := exec.Command("systemd-analyze", "security", "--offline=yes", "--threshold=20", filepath.Join(dir, tt.unit)).CombinedOutput()
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if err != nil {
				t.Fatalf("systemd-analyze security: %v\n%s", err, out)
			}
			t.Log(lines[len(lines)-1])
		})
	}
}

// TestShellcheck lints the scripts.
func TestShellcheck(t *testing.T) {
	t.Parallel()
	need(t, "shellcheck")
	for _, f := range []string{"install-totem.sh", "kiosk/kiosk-browser"} {
		t.Run(f, func(t *testing.T) {
			t.Parallel()
			out, err := exec.Command("shellcheck", "--shell=sh", f).CombinedOutput()
			if err != nil || len(out) > 0 {
				t.Fatalf("shellcheck %s: %v\n%s", f, err, out)
			}
			info, err := os.Stat(f)
			if err != nil || info.Mode()&0o111 == 0 {
				t.Fatalf("%s is not executable", f)
			}
		})
	}
}

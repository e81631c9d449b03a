package deploy

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/punto-totem/punto/internal/testenv"
)

// start runs a program with env added to the test's, in its own process
// group, so that the test can end chromium's helpers too.
func start(t *testing.T, env []string, name string, args ...string) *testenv.Proc {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return testenv.Start(t, name, cmd)
}

type devtoolsPage struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	URL  string `json:"url"`
	WS   string `json:"webSocketDebuggerUrl"`
}

func pages(devtools string) ([]devtoolsPage, error) {
	res, err := http.Get(devtools + "/json/list")
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var ps []devtoolsPage
	return ps, json.NewDecoder(res.Body).Decode(&ps)
}

// watchdog runs `punto kiosk-watchdog` once and returns its exit status
// and output.
func watchdog(t *testing.T, env []string) (int, string) {
	t.Helper()
	cmd := exec.Command(testenv.Binary(t), "kiosk-watchdog", "--kiosk-timeout", "5s")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

// cdp sends one DevTools command to a page and returns without waiting
// for more than its answer.
func cdp(t *testing.T, ws, method string, params any) {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial(ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	if err := conn.WriteJSON(map[string]any{"id": 7, "method": method, "params": params}); err != nil {
		t.Fatal(err)
	}
	for {
		var msg struct {
			ID    int             `json:"id"`
			Error json.RawMessage `json:"error"`
		}
		if err := conn.ReadJSON(&msg); err != nil {
			t.Fatal(err)
		}
		if msg.ID == 7 {
			if msg.Error != nil {
				t.Fatalf("%s: %s", method, msg.Error)
			}
			return
		}
	}
}

// showing reports whether chromium has a page at url.
func showing(devtools, url string) bool {
	ps, _ := pages(devtools)
	for _, p := range ps {
		if p.Type == "page" && p.URL == url {
			return true
		}
	}
	return false
}

// TestKioskSession runs the kiosk's browser script as cage would start it
// (chromium headless here, as there is no screen) against a real totem,
// and the kiosk watchdog against them: all well, a page gone elsewhere, a
// page that hangs, chromium gone, the totem gone.
func TestKioskSession(t *testing.T) {
	t.Parallel()
	need(t, "chromium", "curl", "sh")
	addr := testenv.FreeAddr(t)
	totem := start(t, nil, testenv.Binary(t), "totem", "--db", testenv.DemoCatalog(t), "--demo", "--addr", addr)
	url := "http://" + addr + "/?kiosk=1"
	devPort := strings.TrimPrefix(testenv.FreeAddr(t), "127.0.0.1:")
	devtools := "http://127.0.0.1:" + devPort
	tmp := t.TempDir()
	restarted := filepath.Join(tmp, "restarted")
	env := []string{"PUNTO_KIOSK_URL=" + url, "PUNTO_KIOSK_DEVTOOLS_PORT=" + devPort, "TMPDIR=" + tmp,
		"PUNTO_KIOSK_RESTART=echo restart >> " + restarted, "PUNTO_KIOSK_UNIT=punto-kiosk@tty1.service"}
	flags := "--headless=new --disable-gpu"
	if os.Geteuid() == 0 {
		flags += " --no-sandbox" // chromium refuses to run as root with its sandbox
	}
	browser := start(t, append(env, "PUNTO_KIOSK_EXTRA_FLAGS="+flags), "sh", "kiosk/kiosk-browser")

	var page devtoolsPage
	testenv.Eventually(t, 90*time.Second, "chromium shows the totem's page", func() bool {
		ps, _ := pages(devtools)
		for _, p := range ps {
			if p.Type == "page" && p.URL == url {
				page = p
				return true
			}
		}
		return false
	})
	profiles, _ := filepath.Glob(filepath.Join(tmp, "punto-kiosk.*"))
	if len(profiles) != 1 {
		t.Fatalf("want one fresh profile folder in TMPDIR, have %v", profiles)
	}
	if entries, _ := os.ReadDir(profiles[0]); len(entries) == 0 {
		t.Fatalf("chromium does not use the fresh profile %s", profiles[0])
	}
	// The flags that make it a kiosk reached chromium.
	ps, _ := exec.Command("ps", "-eo", "args").Output()
	var cmdline string
	for _, line := range strings.Split(string(ps), "\n") {
		if strings.Contains(line, "--user-data-dir="+profiles[0]) && strings.Contains(line, url) {
			cmdline = line
		}
	}
	if cmdline == "" {
		t.Fatalf("no chromium with the fresh profile on the totem's page:\n%s", ps)
	}
	for _, f := range []string{"--kiosk", "--touch-events=enabled", "--disable-pinch", "--overscroll-history-navigation=0", "--no-first-run",
		"--disable-background-networking", "--remote-debugging-address=127.0.0.1"} {
		if !strings.Contains(cmdline, " "+f) {
			t.Errorf("chromium runs without %s: %s", f, cmdline)
		}
	}

	t.Run("all well", func(t *testing.T) {
		code, out := watchdog(t, env)
		if code != 0 || !strings.Contains(out, "the screen shows "+url+" and answers") {
			t.Fatalf("exit %d: %s", code, out)
		}
		if _, err := os.Stat(restarted); err == nil {
			t.Fatal("restarted a healthy kiosk")
		}
	})

	t.Run("a page that went elsewhere is sent back", func(t *testing.T) {
		cdp(t, page.WS, "Page.navigate", map[string]any{"url": "about:blank"})
		testenv.Eventually(t, 20*time.Second, "the page leaves the totem", func() bool { return showing(devtools, "about:blank") })
		code, out := watchdog(t, env)
		if code != 0 || !strings.Contains(out, "sent it back") {
			t.Fatalf("exit %d: %s", code, out)
		}
		testenv.Eventually(t, 20*time.Second, "the page shows the totem again", func() bool { return showing(devtools, url) })
		if _, err := os.Stat(restarted); err == nil {
			t.Fatal("restarted the kiosk to bring a page back")
		}
	})

	t.Run("a page that stops answering gets the screen restarted", func(t *testing.T) {
		// The page's script never returns: its renderer is stuck.
		cdp(t, page.WS, "Runtime.evaluate", map[string]any{"expression": "setTimeout(() => { for (;;) {} }, 0); 1"})
		code, out := watchdog(t, env)
		if code != 3 || !strings.Contains(out, "the page does not answer") {
			t.Fatalf("exit %d: %s", code, out)
		}
		if b, _ := os.ReadFile(restarted); string(b) != "restart\n" {
			t.Fatalf("restart command ran %q", b)
		}
	})

	t.Run("chromium is gone and its profile with it", func(t *testing.T) {
		browser.Stop()
		testenv.Eventually(t, 30*time.Second, "the profile goes with the browser", func() bool {
			_, err := os.Stat(profiles[0])
			return os.IsNotExist(err)
		})
		testenv.Eventually(t, 20*time.Second, "chromium ends with its script", func() bool {
			_, err := http.Get(devtools + "/json/version")
			return err != nil
		})
		os.Remove(restarted)
		code, out := watchdog(t, env)
		if code != 3 || !strings.Contains(out, "DevTools do not answer") {
			t.Fatalf("exit %d: %s", code, out)
		}
	})

	t.Run("the totem is gone: the screen is left alone", func(t *testing.T) {
		totem.Stop()
		os.Remove(restarted)
		code, out := watchdog(t, env)
		if code != 0 || !strings.Contains(out, "does not answer; leaving the screen alone") {
			t.Fatalf("exit %d: %s", code, out)
		}
		if _, err := os.Stat(restarted); err == nil {
			t.Fatal("restarted the kiosk while the totem is down")
		}
	})
}

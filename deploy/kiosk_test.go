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
)

// started is a process of the test, stopped with it.
type started struct {
	cmd  *exec.Cmd
	out  *syncBuf
	done chan struct{}
}

func start(t *testing.T, env []string, name string, args ...string) *started {
	t.Helper()
	p := &started{cmd: exec.Command(name, args...), out: &syncBuf{}, done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("--- %s output:\n%s", name, p.out.String())
		}
	})
	return p
}

// stop sends SIGTERM and waits for the end (SIGKILL after 20 s).
func (p *started) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", within, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type devtoolsPage struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	URL  string `json:"url"`
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

// watchdog runs the kiosk watchdog once and returns its exit status and
// output.
func watchdog(t *testing.T, env []string) (int, string) {
	t.Helper()
	cmd := exec.Command("sh", "kiosk/kiosk-watchdog")
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

// TestKioskSession runs the kiosk's browser script as cage would start it
// (chromium headless here, as there is no screen) against a real totem,
// and the kiosk watchdog against them: all well, then a page gone, then
// chromium gone, then the totem gone.
func TestKioskSession(t *testing.T) {
	need(t, "chromium", "curl", "sh")
	addr := freePort(t)
	totem := start(t, nil, puntoBinary(t), "totem", "--db", filepath.Join(t.TempDir(), "punto.db"), "--demo", "--addr", addr)
	url := "http://" + addr + "/?kiosk=1"
	devPort := strings.TrimPrefix(freePort(t), "127.0.0.1:")
	devtools := "http://127.0.0.1:" + devPort
	tmp := t.TempDir()
	restarted := filepath.Join(tmp, "restarted")
	env := []string{"PUNTO_KIOSK_URL=" + url, "PUNTO_KIOSK_DEVTOOLS_PORT=" + devPort, "TMPDIR=" + tmp,
		"PUNTO_KIOSK_RESTART=echo restart >> " + restarted}
	flags := "--headless=new --disable-gpu"
	if os.Geteuid() == 0 {
		flags += " --no-sandbox" // chromium refuses to run as root with its sandbox
	}
	browser := start(t, append(env, "PUNTO_KIOSK_EXTRA_FLAGS="+flags), "sh", "kiosk/kiosk-browser")

	var page devtoolsPage
	waitFor(t, 90*time.Second, "chromium shows the totem's page", func() bool {
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
		if code != 0 || !strings.Contains(out, "the screen shows") {
			t.Fatalf("exit %d: %s", code, out)
		}
		if _, err := os.Stat(restarted); err == nil {
			t.Fatal("restarted a healthy kiosk")
		}
	})

	t.Run("the page is gone", func(t *testing.T) {
		req, _ := http.NewRequest("PUT", devtools+"/json/new?about:blank", nil)
		if res, err := http.DefaultClient.Do(req); err != nil {
			t.Fatal(err)
		} else {
			res.Body.Close()
		}
		res, err := http.Get(devtools + "/json/close/" + page.ID)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		waitFor(t, 20*time.Second, "the page closes", func() bool {
			ps, _ := pages(devtools)
			for _, p := range ps {
				if p.ID == page.ID {
					return false
				}
			}
			return true
		})
		code, out := watchdog(t, env)
		if code != 3 || !strings.Contains(out, "no page shows") {
			t.Fatalf("exit %d: %s", code, out)
		}
		if b, _ := os.ReadFile(restarted); string(b) != "restart\n" {
			t.Fatalf("restart command ran %q", b)
		}
	})

	t.Run("chromium is gone and its profile with it", func(t *testing.T) {
		browser.stop()
		if _, err := os.Stat(profiles[0]); !os.IsNotExist(err) {
			t.Fatalf("the profile outlived the browser: %v", err)
		}
		waitFor(t, 20*time.Second, "chromium ends with its script", func() bool {
			_, err := http.Get(devtools + "/json/version")
			return err != nil
		})
		os.Remove(restarted)
		code, out := watchdog(t, env)
		if code != 3 || !strings.Contains(out, "do not answer") {
			t.Fatalf("exit %d: %s", code, out)
		}
	})

	t.Run("the totem is gone: the screen is left alone", func(t *testing.T) {
		totem.stop()
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

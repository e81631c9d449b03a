package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/punto-totem/punto/internal/testenv"
)

// TestMirrorPassesOnThePortalsFeed runs a portal, a mirror and totems
// that follow the mirror, as separate processes: a publish reaches the
// totems through the mirror and the mirror's phone API; then the
// mirror's kept files are tampered with (a batch and the snapshot), and
// totems refuse what it passes on, by the portal's signatures.
func TestMirrorPassesOnThePortalsFeed(t *testing.T) {
	t.Parallel()
	n := newNetwork(t)
	token := testenv.RunPunto(t, "", "portal", "totem", "add", "--db", n.portalDB, "--id", "mirror-1", "--lat", "43.6", "--lon", "13.5")
	lines := strings.Split(strings.TrimSpace(token), "\n")
	tokenFile := filepath.Join(n.dir, "mirror.token")
	if err := os.WriteFile(tokenFile, []byte(lines[len(lines)-1]), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := testenv.FreeAddr(t)
	mirrorURL := "http://" + addr
	mirrorDB := filepath.Join(n.dir, "mirror.db")
	mirrorArgs := []string{"mirror", "--db", mirrorDB, "--addr", addr, "--public-url", mirrorURL,
		"--portal", "ws" + strings.TrimPrefix(n.portalURL, "http") + "/sync", "--portal-key", n.portalPub,
		"--token-file", tokenFile, "--totem-id", "mirror-1", "--insecure-dev", "--retry-max", "1s"}
	mirror := testenv.StartPunto(t, "mirror", mirrorArgs...)
	waitHealthy(t, mirrorURL, mirror)
	viaMirror := func(id string) *totemProc {
		tp := n.addTotem(id, 43.6169, 13.5153)
		for i, a := range tp.args {
			if a == "--portal" {
				tp.args[i+1] = "ws://" + addr + "/sync"
			}
		}
		return tp
	}
	admin := loginEditor(t, n.portalURL, "admin", adminPassword)
	svc := nearestService(t, n.portalURL, 43.6169, 13.5153)
	first := admin.rename(svc, "First through the mirror")
	waitSeq(t, mirrorURL, first)

	a := viaMirror("totem-a")
	a.start(t, "totem-a")
	waitSeq(t, a.base, first)
	if d, want := feedOf(t, a.base, true).Digest, feedOf(t, n.portalURL, true).Digest; d != want {
		t.Fatal("the totem behind the mirror differs from the portal")
	}
	live := admin.rename(svc, "Live through the mirror")
	waitSeq(t, a.base, live)
	if got := serviceName(t, a.base, svc); got != "Live through the mirror" {
		t.Fatalf("the totem shows %q", got)
	}
	if got := serviceName(t, mirrorURL, svc); got != "Live through the mirror" {
		t.Fatalf("the mirror's phone API shows %q", got)
	}
	if f := feedOf(t, a.base, false); !f.Link.Connected || !f.Link.Synced {
		t.Errorf("the totem's link through the mirror: %+v", f.Link)
	}
	mirrorRelaysTheFleet(t, admin, a)
	if !regexp.MustCompile(`msg="totem connected" totem=totem-a .*via=mirror-1`).MatchString(n.portal.Output()) ||
		!strings.Contains(mirror.Output(), `msg="mirror: relaying a totem to the portal" totem=totem-a`) {
		t.Error("the portal heard totem-a other than through the mirror's relay")
	}
	if strings.Contains(n.portal.Output(), `msg="totem refused"`) {
		t.Error("the portal refused a dial")
	}

	// Behind deploy/nginx/punto-mirrors.conf, with a second mirror that is
	// down: phones get the mirror's answers, the editor is the portal's.
	ca := newTestCA(t, n.dir)
	certFile, keyFile := ca.issue(t, n.dir, 300)
	front := startNginxSite(t, "punto-mirrors.conf", "phones.example.org", certFile, keyFile,
		[2]string{"server 127.0.0.1:8091 ", "server " + addr + " "},
		[2]string{"server 127.0.0.1:8092 ", "server " + testenv.FreeAddr(t) + " "},
		[2]string{"server portal.internal:8090;", "server " + strings.TrimPrefix(n.portalURL, "http://") + ";"})
	phone := httpsClient(ca)
	waitHTTPS(t, phone, "https://"+front+"/api/v1/healthz", mirror)
	for i := range 4 { // whichever mirror the hash picks first
		res, err := phone.Get("https://" + front + "/api/v1/services/" + svc + "?lang=it")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(body), "Live through the mirror") {
			t.Fatalf("phone request %d through nginx: %d %s", i, res.StatusCode, body)
		}
	}
	res, err := phone.Get("https://" + front + "/editor/api/session")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("the editor through the mirrors' nginx: %d", res.StatusCode)
	}

	// The mirror's host is taken over: what it keeps is altered.
	a.Stop()
	kept := admin.rename(svc, "Kept by the mirror")
	waitSeq(t, mirrorURL, kept)
	mirror.Stop()
	batches, _ := filepath.Glob(filepath.Join(mirrorDB+".mirror", "batches", "*.sig"))
	tampered := 0
	for _, f := range batches {
		data, _ := os.ReadFile(f)
		if bytes.Contains(data, []byte("Kept by the mirror")) {
			os.WriteFile(f, bytes.ReplaceAll(data, []byte("Kept by the mirror"), []byte("Forged by a mirror")), 0o644)
			tampered++
		}
	}
	snap := filepath.Join(mirrorDB+".mirror", "snapshot.db")
	data, err := os.ReadFile(snap)
	if err != nil || tampered != 1 {
		t.Fatalf("the mirror keeps %d batches with the publish, snapshot: %v", tampered, err)
	}
	data[len(data)/2] ^= 0xff
	os.WriteFile(snap, data, 0o644)
	mirror = testenv.StartPunto(t, "mirror", mirrorArgs...)
	waitHealthy(t, mirrorURL, mirror)

	a.start(t, "totem-a")
	b := viaMirror("totem-b")
	b.start(t, "totem-b")
	for _, tc := range []struct {
		tp   *totemProc
		want string
		seq  int64
	}{{a, "signature", live}, {b, "checksum", 0}} {
		testenv.Eventually(t, 20*time.Second, fmt.Sprintf("%s refuses what the mirror altered", tc.tp.base), func() bool {
			return strings.Contains(feedOf(t, tc.tp.base, false).Link.LastError, tc.want)
		})
		if f := feedOf(t, tc.tp.base, false); f.Seq != tc.seq {
			t.Errorf("%s took something from the tampered mirror: seq %d, want %d", tc.tp.base, f.Seq, tc.seq)
		}
	}
	if got := serviceName(t, a.base, svc); got != "Live through the mirror" {
		t.Fatalf("the totem shows %q", got)
	}
	mirrorRefusesFailedDials(t, addr, mirror)
}

// mirrorRelaysTheFleet checks that a totem behind a mirror is on the
// portal's fleet screen (online, in step) and that the
// portal's commands reach it through the mirror: a message shows on it,
// and the portal records it done.
func mirrorRelaysTheFleet(t *testing.T, admin *editorClient, tp *totemProc) {
	t.Helper()
	state := func() (online bool, lag int64, found bool) {
		code, out := admin.do("GET", "/editor/api/fleet", nil)
		var f struct {
			Totems []struct {
				ID     string `json:"id"`
				Online bool   `json:"online"`
				Lag    int64  `json:"lag"`
				Seq    int64  `json:"seq"`
			} `json:"totems"`
		}
		if code != 200 || json.Unmarshal(out, &f) != nil {
			t.Fatalf("fleet: %d %s", code, out)
		}
		for _, x := range f.Totems {
			if x.ID == "totem-a" {
				return x.Online, x.Lag, true
			}
		}
		return false, 0, false
	}
	testenv.Eventually(t, 30*time.Second, "the portal's fleet shows the totem behind the mirror online and in step", func() bool {
		online, lag, found := state()
		return found && online && lag == 0
	})
	code, out := admin.do("POST", "/editor/api/commands", map[string]any{"action": "message", "totems": []string{"totem-a"}, "minutes": 5,
		"text": map[string]string{"it": "Messaggio attraverso lo specchio", "en": "A message through the mirror"}})
	var res struct {
		Command struct {
			ID string `json:"id"`
		} `json:"command"`
	}
	if code != 201 || json.Unmarshal(out, &res) != nil {
		t.Fatalf("command: %d %s", code, out)
	}
	testenv.Eventually(t, 20*time.Second, "the portal's message shows on the totem behind the mirror", func() bool {
		var alerts struct {
			Alerts []struct {
				Kind string `json:"kind"`
				Text struct {
					Text string `json:"text"`
				} `json:"text"`
			} `json:"alerts"`
		}
		testenv.GetJSON(t, tp.base+"/api/v1/alerts?lang=it", &alerts)
		for _, a := range alerts.Alerts {
			if a.Kind == "message" && a.Text.Text == "Messaggio attraverso lo specchio" {
				return true
			}
		}
		return false
	})
	testenv.Eventually(t, 20*time.Second, "the portal records the command done", func() bool {
		_, out := admin.do("GET", "/editor/api/commands", nil)
		var list struct {
			Commands []struct {
				ID      string `json:"id"`
				Targets []struct {
					Totem, State string
				} `json:"targets"`
			} `json:"commands"`
		}
		json.Unmarshal(out, &list)
		for _, c := range list.Commands {
			for _, tg := range c.Targets {
				if c.ID == res.Command.ID && tg.Totem == "totem-a" {
					return tg.State == "done"
				}
			}
		}
		return false
	})
}

// mirrorRefusesFailedDials dials a mirror's /sync wrongly from one
// address: plain requests and websockets that say no hello. After ten in
// a minute the address is answered 429 before anything is read, and the
// mirror logs the refusals once.
func mirrorRefusesFailedDials(t *testing.T, addr string, mirror *testenv.Proc) {
	t.Helper()
	syncURL := "ws://" + addr + "/sync"
	for i := range 10 {
		if i%2 == 0 {
			res, err := http.Get("http://" + addr + "/sync")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("a plain request to the mirror's /sync: %d", res.StatusCode)
			}
			continue
		}
		ws, _, err := websocket.DefaultDialer.Dial(syncURL, nil)
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"nonsense"}`))
		ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, _, err := ws.ReadMessage(); err == nil {
			t.Fatal("the mirror answered a dial without a hello")
		}
		ws.Close()
	}
	_, res, err := websocket.DefaultDialer.Dial(syncURL, nil)
	if err == nil || res == nil || res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("the eleventh failed dial in a minute: %v %+v", err, res)
	}
	testenv.Eventually(t, 10*time.Second, "the mirror logs the refusals", func() bool {
		return strings.Contains(mirror.Output(), `msg="dial refused"`)
	})
	if n := strings.Count(mirror.Output(), `msg="dial refused"`); n != 1 {
		t.Errorf("the mirror logged %d refusals from one address in a minute, want 1", n)
	}
}

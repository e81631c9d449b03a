package main

import (
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"
	"github.com/prometheus/common/expfmt"
	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/internal/browsertest"
	"github.com/punto-totem/punto/internal/testenv"
)

// readyz is a node's readiness answer.
func readyz(t *testing.T, base string) (int, string) {
	t.Helper()
	res, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Status string `json:"status"`
	}
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out.Status
}

// staleMetric reads punto_feed_stale from a node's metrics.
func staleMetric(t *testing.T, base string) float64 {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var parser expfmt.TextParser
	mfs, err := parser.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	m := mfs["punto_feed_stale"].GetMetric()
	if len(m) != 1 {
		t.Fatal("no punto_feed_stale metric")
	}
	return m[0].GetGauge().GetValue()
}

// TestTotemSaysStale puts a real totem process (--max-staleness 3s) under
// a portal that freezes after its welcome (pings only), then under one
// that drips a message a byte at a time: each time the totem reports
// stale in /readyz and its metrics within the limit plus 10 s, a signed
// heartbeat makes it fresh again, and its kiosk screen in chromium shows
// when the information was last checked, in the visitor's language.
func TestTotemSaysStale(t *testing.T) {
	t.Parallel()
	const maxStale = 3 * time.Second
	pub, key, _ := ed25519.GenerateKey(nil)
	fake := newFakePortal(t, key)
	addr := testenv.FreeAddr(t)
	base := "http://" + addr
	db := filepath.Join(t.TempDir(), "totem.db")
	testenv.CopyDemo(t, db)
	totem := testenv.StartPunto(t, "totem", "totem", "--db", db, "--demo", "--addr", addr,
		"--portal", fake.url, "--portal-key", feed.EncodePublicKey(pub), "--token", "pt_test", "--totem-id", "t1", "--insecure-dev",
		"--retry-max", "1s", "--max-staleness", maxStale.String())
	waitHealthy(t, base, totem)

	ws, seq, nonce := fake.acceptHello()
	fake.welcome(ws, nonce, seq)
	heartbeat := func() {
		t.Helper()
		fake.send(ws, feed.Sign(key, feed.EncodeHeartbeat(time.Now().Add(time.Minute), time.Now(), nonce, seq)))
	}
	waitStatus := func(what, want string, within time.Duration) time.Duration {
		t.Helper()
		start := time.Now()
		testenv.Eventually(t, within, what, func() bool {
			code, status := readyz(t, base)
			return code == 200 && status == want
		})
		return time.Since(start)
	}
	waitStatus("fresh after the welcome", "ok", 20*time.Second)
	frozen := time.Now()

	// Frozen: pings only, which the totem answers but does not believe.
	stopPings := make(chan struct{})
	go func() {
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stopPings:
				return
			case <-tick.C:
				if ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(time.Second)) != nil {
					return
				}
			}
		}
	}()
	waitStatus("stale under a frozen portal", "stale", maxStale+10*time.Second)
	t.Logf("stale %v after the last signed word, with pings every 500 ms", time.Since(frozen).Round(100*time.Millisecond))
	if v := staleMetric(t, base); v != 1 {
		t.Errorf("punto_feed_stale = %v while stale", v)
	}
	close(stopPings)
	heartbeat()
	waitStatus("fresh after a signed heartbeat", "ok", 10*time.Second)
	if v := staleMetric(t, base); v != 0 {
		t.Errorf("punto_feed_stale = %v when fresh", v)
	}

	// Drip-feeding: a message begun, a byte every 200 ms.
	dripped := time.Now()
	conn := ws.NetConn()
	if _, err := conn.Write([]byte{0x82, 126, 0x10, 0x00}); err != nil { // a binary frame of 4096 bytes
		t.Fatal(err)
	}
	stopDrip := make(chan struct{})
	defer close(stopDrip)
	go func() {
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stopDrip:
				return
			case <-tick.C:
				if _, err := conn.Write([]byte{'S'}); err != nil {
					return
				}
			}
		}
	}()
	waitStatus("stale under a drip-feeding portal", "stale", maxStale+10*time.Second)
	t.Logf("stale %v after the last signed word, dripped a byte every 200 ms", time.Since(dripped).Round(100*time.Millisecond))

	// The kiosk says when the information was last checked.
	ctx := browser(t, 1080, 1920)
	var line, lang string
	must(t, ctx, chromedp.Navigate(base+"/?kiosk=1"), screen("attract"),
		browsertest.Click(".attract"), screen("languages"),
		browsertest.Click(`.lang[lang="fr"]`), screen("home"),
		browsertest.Visible("#freshness"),
		chromedp.Text("#freshness", &line, chromedp.ByQuery),
		chromedp.AttributeValue("#freshness", "lang", &lang, nil, chromedp.ByQuery))
	if !strings.HasPrefix(line, "Informations vérifiées le ") || lang != "fr" {
		t.Errorf("the freshness line: %q (lang %q)", line, lang)
	}
	if !strings.Contains(line, time.Now().In(rome(t)).Format("2006")) {
		t.Errorf("the freshness line has no date: %q", line)
	}
	t.Logf("kiosk: %q", line)
}

func rome(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/internal/browsertest"
	"github.com/punto-totem/punto/internal/testenv"
)

// editorClient speaks the portal's editor API as the editor UI does: a
// session cookie and the CSRF token on every write.
type editorClient struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

func newEditor(t *testing.T, base string) *editorClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	e := &editorClient{t: t, base: base, http: &http.Client{Jar: jar, Timeout: 60 * time.Second}}
	var s struct {
		CSRF string `json:"csrf_token"`
	}
	if code, body := e.do("GET", "/editor/api/session", nil); code != 200 || json.Unmarshal(body, &s) != nil {
		t.Fatalf("session: %d %s", code, body)
	}
	e.csrf = s.CSRF
	return e
}

func loginEditor(t *testing.T, base, name, password string) *editorClient {
	t.Helper()
	e := newEditor(t, base)
	code, body := e.do("POST", "/editor/api/login", map[string]string{"name": name, "password": password})
	var s struct {
		CSRF string `json:"csrf_token"`
	}
	if code != 200 || json.Unmarshal(body, &s) != nil {
		t.Fatalf("login %s: %d %s", name, code, body)
	}
	e.csrf = s.CSRF
	return e
}

func (e *editorClient) do(method, path string, body any) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if e.csrf != "" && method != "GET" {
		req.Header.Set("X-CSRF-Token", e.csrf)
	}
	res, err := e.http.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

// service returns the published document of a service.
func (e *editorClient) service(id string) map[string]any {
	e.t.Helper()
	code, body := e.do("GET", "/editor/api/services/"+id, nil)
	var rec struct {
		Published map[string]any `json:"published"`
	}
	if code != 200 || json.Unmarshal(body, &rec) != nil || rec.Published == nil {
		e.t.Fatalf("service %s: %d %s", id, code, body)
	}
	return rec.Published
}

// draft saves a service draft and returns the status and answer.
func (e *editorClient) draft(doc map[string]any) (int, []byte) {
	e.t.Helper()
	return e.do("PUT", "/editor/api/services/"+doc["id"].(string)+"/draft", doc)
}

// publish publishes the drafts of the given services and returns the new
// sequence number.
func (e *editorClient) publish(ids ...string) int64 {
	e.t.Helper()
	var drafts []map[string]string
	for _, id := range ids {
		drafts = append(drafts, map[string]string{"kind": "service", "id": id})
	}
	code, body := e.do("POST", "/editor/api/publish", map[string]any{"drafts": drafts})
	var out struct {
		Seq int64 `json:"seq"`
	}
	if code != 200 || json.Unmarshal(body, &out) != nil || out.Seq == 0 {
		e.t.Fatalf("publish: %d %s", code, body)
	}
	return out.Seq
}

// rename saves and publishes a new Italian name for a service.
func (e *editorClient) rename(id, name string) int64 {
	e.t.Helper()
	doc := e.service(id)
	doc["name"].(map[string]any)["it"] = name
	if code, body := e.draft(doc); code != 200 {
		e.t.Fatalf("draft %s: %d %s", id, code, body)
	}
	return e.publish(id)
}

type feedState struct {
	Seq    int64  `json:"seq"`
	Digest string `json:"digest"`
	Link   struct {
		Connected bool   `json:"connected"`
		Synced    bool   `json:"synced"`
		LastError string `json:"last_error"`
	} `json:"link"`
}

func feedOf(t *testing.T, base string, digest bool) feedState {
	t.Helper()
	var f feedState
	q := ""
	if digest {
		q = "?digest=1"
	}
	testenv.GetJSON(t, base+"/api/v1/feed"+q, &f)
	return f
}

func waitSeq(t *testing.T, base string, seq int64) {
	t.Helper()
	testenv.Eventually(t, 20*time.Second, fmt.Sprintf("%s reaches sequence %d", base, seq), func() bool {
		return feedOf(t, base, false).Seq >= seq
	})
}

func serviceName(t *testing.T, base, id string) string {
	t.Helper()
	var out struct {
		Service struct {
			Name struct{ Text string } `json:"name"`
		} `json:"service"`
	}
	testenv.GetJSON(t, base+"/api/v1/services/"+id+"?lang=it", &out)
	return out.Service.Name.Text
}

func nearestService(t *testing.T, base string, lat, lon float64) string {
	t.Helper()
	var out struct {
		Results []struct {
			ID string `json:"id"`
		} `json:"results"`
	}
	testenv.GetJSON(t, fmt.Sprintf("%s/api/v1/services/nearby?lat=%f&lon=%f&limit=1", base, lat, lon), &out)
	if len(out.Results) == 0 {
		t.Fatal("no service near", lat, lon)
	}
	return out.Results[0].ID
}

// network is a portal and its totems, each a separate punto process on
// loopback, with their files in one folder.
type network struct {
	t         *testing.T
	dir       string
	portalDB  string
	portalURL string
	portalPub string
	portal    *testenv.Proc
	portalArg []string
}

const (
	adminPassword  = "correct horse battery staple"
	editorPassword = "another long enough secret"
)

func newNetwork(t *testing.T, portalFlags ...string) *network {
	t.Helper()
	n := &network{t: t, dir: t.TempDir()}
	n.portalDB = filepath.Join(n.dir, "portal.db")
	testenv.CopyDemo(t, n.portalDB)
	testenv.RunPunto(t, adminPassword+"\n", "portal", "user", "add", "--db", n.portalDB, "--name", "admin", "--role", "admin", "--password-stdin")
	testenv.RunPunto(t, editorPassword+"\n", "portal", "user", "add", "--db", n.portalDB, "--name", "editor-ancona", "--role", "editor", "--territory", "ats-11-ancona", "--password-stdin")
	addr := testenv.FreeAddr(t)
	n.portalURL = "http://" + addr
	n.portalArg = append([]string{"portal", "--db", n.portalDB, "--addr", addr, "--key", filepath.Join(n.dir, "portal.key"), "--public-url", n.portalURL}, portalFlags...)
	n.startPortal()
	pub, err := os.ReadFile(filepath.Join(n.dir, "portal.key.pub"))
	if err != nil {
		t.Fatal(err)
	}
	n.portalPub = strings.TrimSpace(string(pub))
	return n
}

func (n *network) startPortal() {
	n.t.Helper()
	n.portal = testenv.StartPunto(n.t, "portal", n.portalArg...)
	waitHealthy(n.t, n.portalURL, n.portal)
}

func waitHealthy(t *testing.T, base string, p *testenv.Proc) {
	t.Helper()
	testenv.Eventually(t, 60*time.Second, base+" answers", func() bool {
		select {
		case <-p.Done():
			t.Fatalf("%s exited:\n%s", p.Name, p.Output())
		default:
		}
		res, err := http.Get(base + "/api/v1/healthz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	})
}

// totem registers a totem with the portal (a token issued on the command
// line) and returns the arguments that start it on its own catalog.
type totemProc struct {
	*testenv.Proc
	base string
	db   string
	args []string
}

func (n *network) addTotem(id string, lat, lon float64) *totemProc {
	n.t.Helper()
	out := testenv.RunPunto(n.t, "", "portal", "totem", "add", "--db", n.portalDB, "--id", id, "--lat", fmt.Sprint(lat), "--lon", fmt.Sprint(lon))
	lines := strings.Split(strings.TrimSpace(out), "\n")
	tokenFile := filepath.Join(n.dir, id+".token")
	if err := os.WriteFile(tokenFile, []byte(lines[len(lines)-1]), 0o600); err != nil {
		n.t.Fatal(err)
	}
	addr := testenv.FreeAddr(n.t)
	tp := &totemProc{base: "http://" + addr, db: filepath.Join(n.dir, id+".db")}
	testenv.CopyDemo(n.t, tp.db) // what --demo would create on the first start
	tp.args = []string{"totem", "--db", tp.db, "--demo", "--addr", addr, "--totem-id", id,
		"--lat", fmt.Sprint(lat), "--lon", fmt.Sprint(lon), "--public-url", n.portalURL,
		"--portal", "ws" + strings.TrimPrefix(n.portalURL, "http") + "/sync", "--portal-key", n.portalPub,
		"--token-file", tokenFile, "--retry-max", "1s", "--insecure-dev"}
	return tp
}

func (tp *totemProc) start(t *testing.T, name string) {
	t.Helper()
	tp.Proc = testenv.StartPunto(t, name, tp.args...)
	waitHealthy(t, tp.base, tp.Proc)
}

// waitSynced waits until each totem has taken the portal's snapshot: linked,
// synced and at the portal's head.
func (n *network) waitSynced(t *testing.T, totems ...*totemProc) {
	t.Helper()
	head := feedOf(t, n.portalURL, false)
	for _, tp := range totems {
		testenv.Eventually(t, 30*time.Second, tp.base+" takes the portal's snapshot", func() bool {
			f := feedOf(t, tp.base, false)
			return f.Link.Synced && f.Seq == head.Seq
		})
	}
}

// syncedTotem registers a totem, starts it and waits until it has taken
// the portal's snapshot.
func (n *network) syncedTotem(t *testing.T, id string, lat, lon float64) *totemProc {
	t.Helper()
	tp := n.addTotem(id, lat, lon)
	tp.start(t, id)
	n.waitSynced(t, tp)
	return tp
}

// TestPortalFeedsTotems runs a portal and two totems as separate processes
// and follows an editor's changes to the totems' APIs and screens, through
// a portal restart, a totem killed mid-apply and a revoked token.
func TestPortalFeedsTotems(t *testing.T) {
	t.Parallel()
	n := newNetwork(t)
	a := n.addTotem("totem-ancona", 43.6169, 13.5153)
	b := n.addTotem("totem-perugia", 43.1107, 12.3908)
	a.start(t, "totem-ancona")
	b.start(t, "totem-perugia")
	admin := loginEditor(t, n.portalURL, "admin", adminPassword)
	head := feedOf(t, n.portalURL, true)
	for _, tp := range []*totemProc{a, b} {
		testenv.Eventually(t, 30*time.Second, "the totem takes the portal's snapshot", func() bool {
			f := feedOf(t, tp.base, false)
			return f.Link.Synced && f.Seq == head.Seq
		})
		if d := feedOf(t, tp.base, true).Digest; d != head.Digest {
			t.Fatalf("totem %s differs from the portal after its snapshot", tp.base)
		}
	}
	// Processes started inside a subtest live on after it: they belong to
	// the whole test.
	whole := t
	inAncona := nearestService(t, n.portalURL, 43.6169, 13.5153)
	inPerugia := nearestService(t, n.portalURL, 43.1107, 12.3908)

	t.Run("an edit reaches both totems and the screen on show", func(t *testing.T) {
		ctx := browser(t, 390, 844)
		must(t, ctx, chromedp.Navigate(a.base+"/s/"+inAncona+"?lang=it"), screen("detail"),
			chromedp.Evaluate(`window.notReloaded = true`, nil))
		// A phone on the portal shows the same service.
		pctx := browser(t, 390, 844)
		must(t, pctx, chromedp.Navigate(n.portalURL+"/s/"+inAncona+"?lang=it"), screen("detail"),
			chromedp.Evaluate(`window.notReloaded = true`, nil))
		name := `<img src=x onerror="window.pwned=1">Sportello <b>rinnovato</b>`
		published := time.Now()
		seq := admin.rename(inAncona, name)
		for _, tp := range []*totemProc{a, b} {
			testenv.Eventually(t, 5*time.Second, "the totem's API has the new name", func() bool { return serviceName(t, tp.base, inAncona) == name })
		}
		for _, sc := range []struct {
			what string
			ctx  context.Context
		}{{"totem", ctx}, {"phone on the portal", pctx}} {
			var title string
			var notReloaded, pwned bool
			var images int
			deadline := time.Now().Add(5 * time.Second)
			for {
				// Read in one step: the page may be redrawing, and a node
				// found first could be gone when its text is asked for.
				must(t, sc.ctx, chromedp.Evaluate(`(document.querySelector("main h1") || {}).textContent || ""`, &title))
				if title == name || time.Now().After(deadline) {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			took := time.Since(published)
			must(t, sc.ctx, chromedp.Evaluate(`window.notReloaded === true`, &notReloaded),
				chromedp.Evaluate(`window.pwned === 1`, &pwned),
				chromedp.Evaluate(`document.querySelectorAll("main h1 img, main h1 b").length`, &images))
			if title != name || !notReloaded || pwned || images != 0 {
				t.Fatalf("%s: title %q (want the markup as text), not reloaded %v, script ran %v, elements from the text %d", sc.what, title, notReloaded, pwned, images)
			}
			t.Logf("publish → %s screen updated within %s (seq %d)", sc.what, took.Round(time.Millisecond), seq)
		}
		browsertest.Screenshot(t, ctx, "sync-totem-updated")
	})

	t.Run("editors are held to their territory and to CSRF", func(t *testing.T) {
		ed := loginEditor(t, n.portalURL, "editor-ancona", editorPassword)
		doc := ed.service(inPerugia)
		doc["name"].(map[string]any)["it"] = "Non mio"
		if code, body := ed.draft(doc); code != 403 {
			t.Fatalf("editor outside their territory: %d %s", code, body)
		}
		mine := ed.service(inAncona)
		csrf := ed.csrf
		ed.csrf = ""
		if code, body := ed.draft(mine); code != 403 || !strings.Contains(string(body), "csrf") {
			t.Fatalf("draft without CSRF token: %d %s", code, body)
		}
		ed.csrf = "forged-" + csrf
		if code, _ := ed.draft(mine); code != 403 {
			t.Fatalf("draft with a wrong CSRF token: %d", code)
		}
		ed.csrf = csrf
		if code, body := ed.draft(mine); code != 200 {
			t.Fatalf("editor in their territory: %d %s", code, body)
		}
		if serviceName(t, b.base, inPerugia) == "Non mio" {
			t.Fatal("a refused edit reached a totem")
		}
	})

	t.Run("after a portal restart the totems reconnect and resume", func(t *testing.T) {
		n.portal.Stop()
		// Meanwhile the totems serve from their replicas.
		if serviceName(t, a.base, inAncona) == "" {
			t.Fatal("totem stopped serving without its portal")
		}
		n.startPortal()
		admin := loginEditor(t, n.portalURL, "admin", adminPassword)
		seq := admin.rename(inPerugia, "Dopo il riavvio")
		for _, tp := range []*totemProc{a, b} {
			waitSeq(t, tp.base, seq)
			if got := serviceName(t, tp.base, inPerugia); got != "Dopo il riavvio" {
				t.Fatalf("after the restart: %q", got)
			}
		}
	})

	t.Run("a totem killed while applying restarts consistent and catches up", func(t *testing.T) {
		admin := loginEditor(t, n.portalURL, "admin", adminPassword)
		a.Stop()
		before := feedOf(t, n.portalURL, true)
		// While the totem is off, many services change: it will receive
		// them as one envelope, applied in one transaction.
		var ids []string
		var near struct {
			Results []struct {
				ID string `json:"id"`
			} `json:"results"`
		}
		testenv.GetJSON(t, n.portalURL+"/api/v1/services/nearby?lat=43.6169&lon=13.5153&limit=100&radius_m=200000", &near)
		seen := map[string]bool{}
		for i, s := range near.Results {
			if seen[s.ID] {
				continue
			}
			seen[s.ID] = true
			doc := admin.service(s.ID)
			doc["name"].(map[string]any)["it"] = fmt.Sprintf("Lotto %d", i)
			if code, body := admin.draft(doc); code != 200 {
				t.Fatalf("draft: %d %s", code, body)
			}
			ids = append(ids, s.ID)
		}
		admin.publish(ids...)
		after := feedOf(t, n.portalURL, true)
		killed := make(chan struct{})
		var once sync.Once
		a.Proc = testenv.StartPuntoHook(whole, "totem-ancona (killed)", func(p *testenv.Proc, line string) {
			if strings.Contains(line, "applying batches") {
				once.Do(func() {
					p.Cmd.Process.Signal(syscall.SIGKILL)
					close(killed)
				})
			}
		}, a.args...)
		select {
		case <-killed:
			<-a.Done()
		case <-time.After(60 * time.Second):
			t.Fatal("the totem never started applying")
		}
		// The file, as the power cut left it.
		db, err := sql.Open("sqlite3", "file:"+a.db+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		var check string
		if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
			t.Fatalf("integrity_check: %q %v", check, err)
		}
		db.Close()
		st, err := content.Open(context.Background(), a.db)
		if err != nil {
			t.Fatal(err)
		}
		state, _ := feed.ReadState(context.Background(), st)
		digest, err := st.Digest(context.Background())
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		switch state.Seq {
		case before.Seq:
			if digest != before.Digest {
				t.Fatal("killed mid-apply: the catalog does not match the portal at its sequence")
			}
			t.Logf("killed before commit: catalog at %d, equal to the portal's at %d", state.Seq, before.Seq)
		case after.Seq:
			if digest != after.Digest {
				t.Fatal("killed after commit: the catalog does not match the portal")
			}
			t.Logf("killed after commit: catalog at %d", state.Seq)
		default:
			t.Fatalf("killed totem holds sequence %d, neither %d nor %d", state.Seq, before.Seq, after.Seq)
		}
		a.start(whole, "totem-ancona (after the kill)")
		waitSeq(t, a.base, after.Seq)
		if d := feedOf(t, a.base, true).Digest; d != after.Digest {
			t.Fatal("after catching up the totem differs from the portal")
		}
	})

	t.Run("an alert shows live on the totem it targets only", func(t *testing.T) {
		admin := loginEditor(t, n.portalURL, "admin", adminPassword)
		ctxA, ctxB := browser(t, 390, 844), browser(t, 390, 844)
		for _, c := range []struct {
			ctx  context.Context
			base string
		}{{ctxA, a.base}, {ctxB, b.base}} {
			must(t, c.ctx, chromedp.Navigate(c.base+"/s/"+inAncona+"?lang=it"), screen("detail"),
				chromedp.Evaluate(`window.notReloaded = true`, nil))
		}
		alert := map[string]any{
			"id": "sportello-chiuso", "text": map[string]string{"it": "Oggi lo sportello è chiuso <script>"},
			"starts_at": time.Now().Add(-time.Minute).UTC().Format(time.RFC3339), "ends_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
			"severity": "warning", "target_kind": "totems", "target": "totem-ancona",
		}
		if code, body := admin.do("PUT", "/editor/api/alerts/sportello-chiuso/draft", alert); code != 200 {
			t.Fatalf("alert draft: %d %s", code, body)
		}
		code, body := admin.do("POST", "/editor/api/publish", map[string]any{"drafts": []map[string]string{{"kind": "alert", "id": "sportello-chiuso"}}})
		if code != 200 {
			t.Fatalf("publish alert: %d %s", code, body)
		}
		var banner string
		var notReloaded bool
		testenv.Eventually(t, 5*time.Second, "the banner shows on the targeted totem", func() bool {
			must(t, ctxA, chromedp.Evaluate(`(document.querySelector("#alerts") || {}).textContent || ""`, &banner))
			return strings.Contains(banner, "Oggi lo sportello è chiuso <script>")
		})
		must(t, ctxA, chromedp.Evaluate(`window.notReloaded === true`, &notReloaded))
		if !notReloaded {
			t.Fatal("the totem page reloaded")
		}
		browsertest.Screenshot(t, ctxA, "sync-alert-targeted")
		// The other totem has the alert in its replica but does not show it:
		// an alert for it published afterwards shows, so its screen has
		// taken the earlier one in too.
		waitSeq(t, b.base, feedOf(t, n.portalURL, false).Seq)
		alert["id"], alert["target"], alert["text"] = "avviso-perugia", "totem-perugia", map[string]string{"it": "Avviso per Perugia"}
		if code, body := admin.do("PUT", "/editor/api/alerts/avviso-perugia/draft", alert); code != 200 {
			t.Fatalf("alert draft: %d %s", code, body)
		}
		if code, body := admin.do("POST", "/editor/api/publish", map[string]any{"drafts": []map[string]string{{"kind": "alert", "id": "avviso-perugia"}}}); code != 200 {
			t.Fatalf("publish alert: %d %s", code, body)
		}
		testenv.Eventually(t, 5*time.Second, "the later banner shows on the other totem", func() bool {
			must(t, ctxB, chromedp.Evaluate(`(document.querySelector("#alerts") || {}).textContent || ""`, &banner))
			return strings.Contains(banner, "Avviso per Perugia")
		})
		if strings.Contains(banner, "sportello") {
			t.Fatalf("an alert for totem-ancona shows on totem-perugia: %q", banner)
		}
	})

	t.Run("the fleet view shows each totem's report", func(t *testing.T) {
		admin := loginEditor(t, n.portalURL, "admin", adminPassword)
		var fleet struct {
			Totems []struct {
				ID     string `json:"id"`
				Online bool   `json:"online"`
				State  struct {
					Seq     int64 `json:"seq"`
					Screens int   `json:"screens"`
				} `json:"state"`
			} `json:"totems"`
		}
		code, body := admin.do("GET", "/editor/api/fleet", nil)
		if code != 200 || json.Unmarshal(body, &fleet) != nil || len(fleet.Totems) != 2 {
			t.Fatalf("fleet: %d %s", code, body)
		}
		for _, tt := range fleet.Totems {
			if !tt.Online {
				t.Errorf("%s shown offline: %s", tt.ID, body)
			}
		}
		ed := loginEditor(t, n.portalURL, "editor-ancona", editorPassword)
		if code, _ := ed.do("GET", "/editor/api/fleet", nil); code != 403 {
			t.Errorf("an editor sees the fleet: %d", code)
		}
	})

	t.Run("a revoked token disconnects the totem", func(t *testing.T) {
		admin := loginEditor(t, n.portalURL, "admin", adminPassword)
		if code, body := admin.do("POST", "/editor/api/totems/totem-perugia/revoke", map[string]any{}); code != 200 && code != 204 {
			t.Fatalf("revoke: %d %s", code, body)
		}
		testenv.Eventually(t, 10*time.Second, "the revoked totem is disconnected", func() bool {
			f := feedOf(t, b.base, false)
			return !f.Link.Connected && strings.Contains(f.Link.LastError, "refused")
		})
		seq := admin.rename(inPerugia, "Non per i revocati")
		waitSeq(t, a.base, seq)
		if got := serviceName(t, b.base, inPerugia); got == "Non per i revocati" {
			t.Fatal("a revoked totem still receives changes")
		}
		// It keeps serving what it holds.
		if got := serviceName(t, b.base, inPerugia); got != "Dopo il riavvio" {
			t.Fatalf("revoked totem serves %q", got)
		}
	})
}

package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/internal/browsertest"
	"github.com/punto-totem/punto/internal/testenv"
)

// TestFleet runs a portal and two totems as separate processes, with a
// heartbeat every second, and checks what the people who run them see and
// do: an alert aimed at a drawn area shows on the totem inside it only;
// commands reach only the totem they name; the needs figures of a visit
// travel to the portal with the heartbeats, without anything a visitor
// typed.
func TestFleet(t *testing.T) {
	t.Parallel()
	n := newNetwork(t, "--heartbeat", "1s")
	a := n.addTotem("totem-ancona", 43.6169, 13.5153)
	b := n.addTotem("totem-perugia", 43.1107, 12.3908)
	for _, tp := range []*totemProc{a, b} {
		tp.args = append(tp.args, "--heartbeat", "1s")
	}
	a.start(t, "totem-ancona")
	b.start(t, "totem-perugia")
	n.waitSynced(t, a, b)
	admin := loginEditor(t, n.portalURL, "admin", adminPassword)
	whole := t

	t.Run("an alert for a drawn area shows on the totems inside it only", func(t *testing.T) {
		ctxA, ctxB := browser(t, 390, 844), browser(t, 390, 844)
		inAncona := nearestService(t, n.portalURL, 43.6169, 13.5153)
		for _, c := range []struct {
			ctx  context.Context
			base string
		}{{ctxA, a.base}, {ctxB, b.base}} {
			must(t, c.ctx, chromedp.Navigate(c.base+"/s/"+inAncona+"?lang=it"), screen("detail"))
		}
		// Ancona's harbour and the town centre, not Perugia.
		area := `{"type":"Polygon","coordinates":[[[13.45,43.58],[13.58,43.58],[13.58,43.65],[13.45,43.65],[13.45,43.58]]]}`
		code, body := admin.do("POST", "/editor/api/alerts/reach", map[string]any{"target_kind": "area", "target": area})
		if code != 200 || !strings.Contains(string(body), "totem-ancona") || strings.Contains(string(body), "totem-perugia") {
			t.Fatalf("reach: %d %s", code, body)
		}
		alert := map[string]any{
			"id": "zona-porto", "text": map[string]string{"it": "Lavori al porto: lo sportello si sposta"},
			"starts_at": time.Now().Add(-time.Minute).UTC().Format(time.RFC3339), "ends_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
			"severity": "warning", "target_kind": "area", "target": area,
		}
		if code, body := admin.do("PUT", "/editor/api/alerts/zona-porto/draft", alert); code != 200 {
			t.Fatalf("alert draft: %d %s", code, body)
		}
		if code, body := admin.do("POST", "/editor/api/publish", map[string]any{"drafts": []map[string]string{{"kind": "alert", "id": "zona-porto"}}}); code != 200 {
			t.Fatalf("publish: %d %s", code, body)
		}
		var banner string
		testenv.Eventually(t, 10*time.Second, "the banner shows on the totem inside the area", func() bool {
			must(t, ctxA, chromedp.Evaluate(`document.querySelector("#alerts").textContent`, &banner))
			return strings.Contains(banner, "Lavori al porto")
		})
		browsertest.Screenshot(t, ctxA, "fleet-area-alert-inside")
		waitSeq(t, b.base, feedOf(t, n.portalURL, false).Seq)
		must(t, ctxB, chromedp.Evaluate(`document.querySelector("#alerts").textContent`, &banner))
		if strings.Contains(banner, "Lavori al porto") {
			t.Fatalf("the area's alert shows on the totem outside it: %q", banner)
		}
		// Reloaded, the outside totem still does not show it.
		must(t, ctxB, chromedp.Reload(), screen("detail"), chromedp.Sleep(500*time.Millisecond),
			chromedp.Evaluate(`document.querySelector("#alerts").textContent`, &banner))
		if strings.Contains(banner, "Lavori al porto") {
			t.Fatalf("after a reload the area's alert shows outside it: %q", banner)
		}
		browsertest.Screenshot(t, ctxB, "fleet-area-alert-outside")
	})

	t.Run("the needs of a visit reach the portal, and nothing typed", func(t *testing.T) {
		ctx := browser(t, 1080, 1920)
		must(t, ctx, chromedp.Navigate(a.base+"/?kiosk=1"), screen("attract"),
			browsertest.Click(".attract"), screen("languages"),
			browsertest.Click(`.lang[lang="ar"]`), screen("home"),
			browsertest.Click(`.tile[data-category="health"]`), screen("results"))
		var id string
		must(t, ctx, chromedp.Evaluate(`document.querySelector(".row").dataset.id`, &id),
			browsertest.Click(".row"), screen("detail"),
			chromedp.ScrollIntoView("#qr", chromedp.ByQuery))
		// The screen counts the QR code once it has been in view: wait for
		// that count (visit, language, category, service, QR) to be sent
		// before leaving, however loaded the machine.
		testenv.Eventually(t, 30*time.Second, "the screen counts the QR code shown", func() bool {
			var sent int
			must(t, ctx, chromedp.Evaluate(`performance.getEntriesByType("resource").filter(e => e.name.endsWith("/api/v1/tally")).length`, &sent))
			return sent >= 5
		})
		must(t, ctx, browsertest.Click("#home"), screen("home"),
			browsertest.Click(".tile.search"), screen("search"),
			chromedp.SendKeys("#q", "zqxwvy", chromedp.ByQuery), browsertest.Visible(".suggest .empty"))
		// The screen shows each keystroke's answer: leave only once the
		// whole word's (which finds nothing) is in, however slow the machine.
		testenv.Eventually(t, 30*time.Second, "the answer to the whole word", func() bool {
			var done bool
			must(t, ctx, chromedp.Evaluate(`performance.getEntriesByType("resource").some(e => e.name.includes("/api/v1/search?") && new URL(e.name).searchParams.get("q") === "zqxwvy" && e.responseEnd > 0)`, &done))
			return done
		})
		must(t, ctx, browsertest.Visible(".suggest .empty"), chromedp.Sleep(100*time.Millisecond),
			browsertest.Click("#home"), screen("home"))
		type needs struct {
			Totals map[string]int64 `json:"totals"`
			Series []struct {
				Key   string `json:"key"`
				Total int64  `json:"total"`
			} `json:"series"`
		}
		today := time.Now().In(content.Rome).Format("2006-01-02")
		byTotem := func(q string) needs {
			code, body := admin.do("GET", "/editor/api/needs?from="+today+"&to="+today+q, nil)
			var out needs
			if code != 200 || json.Unmarshal(body, &out) != nil {
				t.Fatalf("needs: %d %s", code, body)
			}
			return out
		}
		want := map[string]int64{"visit": 1, "language": 1, "category": 1, "service": 1, "qr": 1, "search_empty": 1}
		var got map[string]int64
		reached := func() bool {
			got = byTotem("&by=totem").Totals
			for k, v := range want {
				if got[k] < v {
					return false
				}
			}
			return true
		}
		deadline := time.Now().Add(time.Minute)
		for !reached() && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("the visit's figures at the portal: %v, want %v", got, want)
			}
		}
		if s := byTotem("&by=language").Series; len(s) != 1 || s[0].Key != "ar" {
			t.Errorf("languages: %+v", s)
		}
		if s := byTotem("&by=service").Series; len(s) != 1 || s[0].Key != id {
			t.Errorf("services: %+v, want %s", s, id)
		}
		if s := byTotem("&by=totem").Series; len(s) != 1 || s[0].Key != "totem-ancona" {
			t.Errorf("totems: %+v", s)
		}
		code, body := admin.do("GET", "/editor/api/needs.csv?by=totem&from="+today+"&to="+today, nil)
		rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if code != 200 || err != nil || len(rows) != 7 {
			t.Fatalf("csv: %d %v %s", code, err, body)
		}
		for _, r := range rows[1:] {
			if r[4] != "<5" {
				t.Errorf("a count of one is shown: %v", r)
			}
		}
		// What the visitor typed is nowhere: not on the portal, not in the
		// totem's files.
		if strings.Contains(string(body), "zqxwvy") {
			t.Fatal("the export holds typed text")
		}
		for _, path := range []string{a.db, a.db + "-wal", n.portalDB, n.portalDB + "-wal"} {
			raw, err := os.ReadFile(path)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			if bytes.Contains(raw, []byte("zqxwvy")) {
				t.Fatalf("%s holds what the visitor typed", filepath.Base(path))
			}
		}
	})

	t.Run("commands reach only the totems they name", func(t *testing.T) {
		ctxA, ctxB := browser(t, 1080, 1920), browser(t, 1080, 1920)
		for _, c := range []struct {
			ctx  context.Context
			base string
		}{{ctxA, a.base}, {ctxB, b.base}} {
			must(t, c.ctx, chromedp.Navigate(c.base+"/?kiosk=1"), screen("attract"), chromedp.Evaluate(`window.notReloaded = true`, nil))
		}
		send := func(body map[string]any) string {
			t.Helper()
			code, out := admin.do("POST", "/editor/api/commands", body)
			var res struct {
				Command struct {
					ID string `json:"id"`
				} `json:"command"`
			}
			if code != 201 || json.Unmarshal(out, &res) != nil {
				t.Fatalf("command: %d %s", code, out)
			}
			return res.Command.ID
		}
		state := func(id, totem string) string {
			_, out := admin.do("GET", "/editor/api/commands", nil)
			var res struct {
				Commands []struct {
					ID      string `json:"id"`
					Targets []struct {
						Totem, State string
					} `json:"targets"`
				} `json:"commands"`
			}
			json.Unmarshal(out, &res)
			for _, c := range res.Commands {
				for _, tg := range c.Targets {
					if c.ID == id && tg.Totem == totem {
						return tg.State
					}
				}
			}
			return ""
		}
		msg := send(map[string]any{"action": "message", "totems": []string{"totem-ancona"}, "minutes": 5,
			"text": map[string]string{"it": "Il totem si spegne alle 19", "en": "This totem switches off at 7 pm"}})
		var banner string
		testenv.Eventually(t, 10*time.Second, "the message shows on the attract screen of the totem it names", func() bool {
			must(t, ctxA, chromedp.Evaluate(`document.querySelector("#alerts").textContent`, &banner))
			return strings.Contains(banner, "Il totem si spegne alle 19")
		})
		browsertest.Screenshot(t, ctxA, "fleet-message")
		testenv.Eventually(t, 10*time.Second, "the portal records it done", func() bool { return state(msg, "totem-ancona") == "done" })
		must(t, ctxB, chromedp.Evaluate(`document.querySelector("#alerts").textContent`, &banner))
		if strings.Contains(banner, "spegne") {
			t.Fatal("the message shows on the other totem")
		}
		var onB struct {
			Alerts []struct{ Kind string } `json:"alerts"`
		}
		testenv.GetJSON(t, b.base+"/api/v1/alerts?lang=it", &onB)
		for _, x := range onB.Alerts {
			if x.Kind == "message" {
				t.Fatal("the other totem holds the message")
			}
		}
		if state(msg, "totem-perugia") != "" {
			t.Fatal("the other totem has a state for it")
		}

		reload := send(map[string]any{"action": "reload", "totems": []string{"totem-ancona"}})
		testenv.Eventually(t, 10*time.Second, "the named totem's screen reloads", func() bool {
			var left bool
			must(t, ctxA, chromedp.Evaluate(`window.notReloaded !== true`, &left))
			return left
		})
		must(t, ctxA, screen("attract"))
		testenv.Eventually(t, 10*time.Second, "reload done", func() bool { return state(reload, "totem-ancona") == "done" })
		// A command sent to the other totem afterwards reaches its screen
		// over the same link and stream, behind anything sent before it:
		// once it shows, a stray reload would have shown too.
		send(map[string]any{"action": "message", "totems": []string{"totem-perugia"}, "minutes": 5, "text": map[string]string{"it": "Messaggio per Perugia"}})
		testenv.Eventually(t, 10*time.Second, "a later message shows on the other totem", func() bool {
			must(t, ctxB, chromedp.Evaluate(`document.querySelector("#alerts").textContent`, &banner))
			return strings.Contains(banner, "Messaggio per Perugia")
		})
		var still bool
		must(t, ctxB, chromedp.Evaluate(`window.notReloaded === true`, &still))
		if !still {
			t.Fatal("the other totem's screen reloaded")
		}

		restart := send(map[string]any{"action": "restart", "totems": []string{"totem-ancona"}})
		select {
		case <-a.Done():
		case <-time.After(30 * time.Second):
			t.Fatal("the totem did not exit on the restart command")
		}
		if code := a.Cmd.ProcessState.ExitCode(); code != exitRestart {
			t.Fatalf("exit status %d, want %d:\n%s", code, exitRestart, a.Output())
		}
		if b.Exited() {
			t.Fatal("the other totem exited")
		}
		testenv.Eventually(t, 10*time.Second, "restart done", func() bool { return state(restart, "totem-ancona") == "done" })
		// Its supervisor starts it again: it comes back, in step, and the
		// restart does not run twice.
		a.start(whole, "totem-ancona (restarted)")
		testenv.Eventually(t, 30*time.Second, "back in step", func() bool { return feedOf(t, a.base, false).Link.Synced })
		// The portal sends a totem what it still owes it before anything
		// new: once a later command is done, a restart sent again would
		// have been carried out.
		later := send(map[string]any{"action": "message", "totems": []string{"totem-ancona"}, "minutes": 5, "text": map[string]string{"it": "Di nuovo in linea"}})
		testenv.Eventually(t, 10*time.Second, "a later command done", func() bool { return state(later, "totem-ancona") == "done" })
		if a.Exited() || strings.Contains(a.Output(), "restarting on the portal's command") {
			t.Fatalf("the restarted totem restarted again:\n%s", a.Output())
		}
	})

	t.Run("the dashboard flags a totem that stops reporting", func(t *testing.T) {
		type fleet struct {
			Totems []struct {
				ID     string `json:"id"`
				Online bool   `json:"online"`
				Flag   string `json:"flag"`
			} `json:"totems"`
		}
		flagOf := func(id string) string {
			code, out := admin.do("GET", "/editor/api/fleet", nil)
			var f fleet
			if code != 200 || json.Unmarshal(out, &f) != nil {
				t.Fatalf("fleet: %d %s", code, out)
			}
			for _, x := range f.Totems {
				if x.ID == id {
					return fmt.Sprintf("%v/%s", x.Online, x.Flag)
				}
			}
			return "missing"
		}
		testenv.Eventually(t, 10*time.Second, "both online", func() bool { return flagOf("totem-perugia") == "true/" && flagOf("totem-ancona") == "true/" })
		b.Stop()
		testenv.Eventually(t, 10*time.Second, "shown offline within two intervals", func() bool { return flagOf("totem-perugia") == "false/offline" })
		if flagOf("totem-ancona") != "true/" {
			t.Error("the other totem is flagged too")
		}
	})
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/punto-totem/punto/internal/browsertest"
	"github.com/punto-totem/punto/internal/testenv"
)

// TestTotemCallback: a visitor at a totem in Perugia, in Arabic, opens
// "talk to someone in your language" under a list, sees the Arabic
// mediator's on-call hours in Arabic digits, types a number on the keypad
// and sends: the call-back is in Perugia's queue when the screen says thanks, from the
// totem. Then the limits (3 a day per number at the portal, the totem's
// own per hour: both 429, the second said on screen), bad input at the
// totem and at the portal (400 naming the field), and what is kept: the
// typed numbers are in no file of the totem, in neither process's log,
// not in clear in the portal's database or WAL; a closed call-back is
// gone, and the others after the retention. With the portal gone, the
// screen says the service can't be reached and shows the desks' phones.
func TestTotemCallback(t *testing.T) {
	t.Parallel()
	// Long enough for every step below on a loaded machine before the
	// queue is read; then the test waits it out.
	const retention = 30 * time.Second
	n := newNetwork(t, "--callback-retention", retention.String())
	admin := loginEditor(t, n.portalURL, "admin", adminPassword)
	const coord, pass = "coord.pg@example.org", "a coordinator's long password"
	if code, raw := admin.do("POST", "/editor/api/accounts", map[string]any{"name": coord, "role": "coordinator", "territories": []string{"zona-2-perugia"}, "password": pass}); code != 201 {
		t.Fatalf("coordinator: %d %s", code, raw)
	}
	pg := loginEditor(t, n.portalURL, coord, pass)
	week := []map[string]any{}
	for d := 1; d <= 7; d++ {
		week = append(week, map[string]any{"weekday": d, "from": "00:00", "to": "23:59"})
	}
	if code, raw := pg.do("POST", "/editor/api/mediation/mediators", map[string]any{"name": "Amina (demo)", "email": "amina@example.org", "languages": []string{"ar"},
		"territories": []string{"zona-2-perugia"}, "modes": []string{"phone"}, "active": true, "week": week}); code != 201 {
		t.Fatalf("mediator: %d %s", code, raw)
	}
	queue := func() []map[string]any {
		t.Helper()
		code, raw := pg.do("GET", "/editor/api/callbacks", nil)
		var out struct{ Callbacks []map[string]any }
		if code != 200 || json.Unmarshal(raw, &out) != nil {
			t.Fatalf("queue: %d %s", code, raw)
		}
		return out.Callbacks
	}

	// The totem keeps its files in a folder of its own.
	tp := n.addTotem("totem-perugia", 43.1107, 12.3908)
	totemDir := t.TempDir()
	for i, a := range tp.args {
		if a == "--db" {
			tp.db = filepath.Join(totemDir, "punto.db")
			tp.args[i+1] = tp.db
		}
	}
	testenv.CopyDemo(t, tp.db)
	tp.args = append(tp.args, "--callbacks-per-hour", "5", "--idle", "600")
	tp.start(t, "totem-perugia")
	// In step, its first snapshot applied (the link answers nothing
	// while a snapshot is applied).
	testenv.Eventually(t, 30*time.Second, "the totem in step with the portal", func() bool {
		return feedOf(t, tp.base, false).Link.Synced && strings.Contains(tp.Output(), "msg=applied")
	})

	// The nearest desk gets a phone desk answering in Arabic round the
	// clock: the screen shows its number, open now.
	const line = "+39 075 000 4242"
	var talk struct {
		Desks []struct {
			ID     string
			Phones []struct {
				Number string
				Open   *struct{ Open bool }
			}
		}
	}
	testenv.GetJSON(t, tp.base+"/api/v1/talk?lang=ar", &talk)
	if len(talk.Desks) == 0 {
		t.Fatal("no phone desk near the totem")
	}
	desk := talk.Desks[0].ID
	doc := admin.service(desk)
	var always []map[string]any
	for d := 1; d <= 7; d++ {
		always = append(always, map[string]any{"weekday": d, "opens": "00:00", "closes": "24:00"})
	}
	doc["channels"] = []map[string]any{{"id": "line", "kind": "phone", "phone": line, "languages": []string{"ar", "it"}, "hours": map[string]any{"weekly": always}}}
	if code, body := admin.draft(doc); code != 200 {
		t.Fatalf("draft: %d %s", code, body)
	}
	waitSeq(t, tp.base, admin.publish(desk))
	testenv.GetJSON(t, tp.base+"/api/v1/talk?lang=ar", &talk)
	if d := talk.Desks[0]; d.ID != desk || len(d.Phones) != 1 || d.Phones[0].Number != line || d.Phones[0].Open == nil || !d.Phones[0].Open.Open {
		t.Errorf("the desk's phone desk: %+v", talk.Desks)
	}

	ctx := browsertest.Start(t, 1080, 1920, 2*time.Minute)
	openTalk := func() {
		t.Helper()
		must(t, ctx, chromedp.Navigate(tp.base+"/?kiosk=1"), screen("attract"), browsertest.Click(".attract"), screen("languages"),
			browsertest.Click(`.lang[lang="ar"]`), screen("home"),
			browsertest.Click(`.tile[data-category="health"]`), screen("results"))
		// The list may be drawn again as it settles (a node clicked may
		// be gone): click until the panel opens.
		// The panel waits for the totem's answer (at most a few seconds
		// for the portal's): a loaded machine may take longer.
		for try := 0; ; try++ {
			step, cancel := context.WithTimeout(ctx, 8*time.Second)
			err := chromedp.Run(step, browsertest.Click("#talk:not([disabled])"), browsertest.Visible(".talk-panel"))
			cancel()
			if err == nil {
				return
			}
			if try == 4 {
				var state string
				_ = chromedp.Run(ctx, chromedp.Evaluate(`(() => { const b = document.querySelector("#talk"); return document.body.dataset.screen + " talk:" + (b ? "disabled=" + b.disabled + " hidden=" + b.hidden : "none") + " panel:" + !!document.querySelector(".talk-panel"); })()`, &state))
				browsertest.Screenshot(t, ctx, "callback-talk-not-open")
				t.Fatalf("the talk panel does not open: %v (%s)", err, state)
			}
		}
	}
	openTalk()
	var shown struct {
		Zero, Online, Now, Hours, Desks string
		Keys                            []string
		KeysTop                         float64
		ReachTop                        float64
	}
	must(t, ctx, chromedp.Evaluate(`(() => {
		const q = (s) => document.querySelector(s);
		return { zero: new Intl.NumberFormat("ar").format(0), online: q(".talk-panel").dataset.online, now: q(".talk-now") ? q(".talk-now").textContent : "",
			hours: q(".talk-hours") ? q(".talk-hours").textContent : "", desks: q(".desks") ? q(".desks").textContent : "",
			keys: [...document.querySelectorAll(".keypad .key")].map((b) => b.textContent),
			keysTop: Math.min(...[...document.querySelectorAll(".keypad .key")].map((b) => b.getBoundingClientRect().top)),
			reachTop: +document.body.dataset.reach.split(" ")[0] * innerHeight };
	})()`, &shown))
	if shown.Online != "true" || !strings.Contains(shown.Now, "الآن") {
		t.Fatalf("the panel: online %q, %q", shown.Online, shown.Now)
	}
	// Monday to Sunday, 00:00–23:59 in the digits Arabic is written
	// with on this screen (chromium's CLDR: Latin or Arabic-Indic).
	arDigits := func(s string) string {
		zero := []rune(shown.Zero)[0]
		return strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return zero + r - '0'
			}
			return r
		}, s)
	}
	if !strings.Contains(shown.Hours, "الاثنين") || !strings.Contains(shown.Hours, "الأحد") || !strings.Contains(shown.Hours, arDigits("00:00–23:59")) {
		t.Errorf("the hours in Arabic: %q", shown.Hours)
	}
	if !strings.Contains(shown.Desks, line) || !strings.Contains(shown.Desks, "مفتوح") {
		t.Errorf("the phone desk, open now, not shown: %q", shown.Desks)
	}
	if strings.Join(shown.Keys, "") != arDigits("123456789+0⌫") {
		t.Errorf("the keypad: %q", shown.Keys)
	}
	if shown.KeysTop < shown.ReachTop {
		t.Errorf("the keypad starts at %.0f px, above the reach zone (%.0f px)", shown.KeysTop, shown.ReachTop)
	}
	const first, second, third = "+393331112233", "+393334445566", "+393337778899"
	var keys []chromedp.Action
	for _, k := range "+3933311122334" { // a digit too many, taken back
		keys = append(keys, browsertest.Click(fmt.Sprintf(`.keypad .key[data-key=%q]`, string(k))))
	}
	keys = append(keys, browsertest.Click(`.keypad .key[data-key="del"]`), browsertest.Click(`input[name="callback-topic"][value="health"]`))
	must(t, ctx, keys...)
	var typed string
	must(t, ctx, chromedp.Text("#callback-number", &typed, chromedp.ByQuery))
	if typed != first {
		t.Fatalf("typed %q, want %q", typed, first)
	}
	browsertest.Screenshot(t, ctx, "totem-callback-ar")
	browsertest.Axe(t, ctx, "totem call-back, Arabic")
	must(t, ctx, browsertest.Click("#callback-send"), browsertest.Visible(".callback-done"))
	// The totem says thanks once the portal has queued it (202 from the
	// portal, over the link): it is in the queue now, not "soon".
	cbs := queue()
	if len(cbs) != 1 {
		t.Fatalf("the screen says thanks, and Perugia's queue holds %d call-backs", len(cbs))
	}
	if c := cbs[0]; c["number"] != first || c["language"] != "ar" || c["topic"] != "health" || c["territory"] != "zona-2-perugia" || c["source"] != "totem:totem-perugia" {
		t.Errorf("in the queue: %v", c)
	}

	post := func(base, path string, body map[string]any) (int, map[string]any) {
		t.Helper()
		b, _ := json.Marshal(body)
		res, err := http.Post(base+path, "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		var out map[string]any
		json.Unmarshal(raw, &out)
		return res.StatusCode, out
	}
	// Bad input, at the totem and at the portal: 400 naming the field.
	for _, c := range []struct{ field, number, lang, topic string }{
		{"number", "12345", "ar", "health"}, {"number", "+3933311122334455", "ar", "health"}, {"number", "333 abc 4567", "ar", "health"},
		{"language", first, "xx", "health"}, {"language", first, "arabic", "health"}, {"topic", first, "ar", "food"},
	} {
		body := map[string]any{"number": c.number, "language": c.lang, "topic": c.topic}
		if code, out := post(tp.base, "/api/v1/callback", body); code != 400 || out["field"] != c.field {
			t.Errorf("totem, bad %s %v: %d %v", c.field, body, code, out)
		}
		body["territory"] = "zona-2-perugia"
		if code, out := post(n.portalURL, "/callback/v1/requests", body); code != 400 || out["field"] != c.field {
			t.Errorf("portal, bad %s %v: %d %v", c.field, body, code, out)
		}
	}
	// 3 a day per number (the portal's 429), then the totem's own limit
	// (5 an hour here: its 429).
	for i, want := range []int{202, 202, 429} {
		if code, out := post(tp.base, "/api/v1/callback", map[string]any{"number": first, "language": "ar", "topic": "work"}); code != want || (code == 429 && out["code"] != "rate_limited") {
			t.Errorf("the number's call-back %d: %d %v, want %d", i+2, code, out, want)
		}
	}
	if code, out := post(tp.base, "/api/v1/callback", map[string]any{"number": second, "language": "ar", "topic": "legal"}); code != 202 {
		t.Errorf("another number: %d %v", code, out)
	}
	if code, out := post(tp.base, "/api/v1/callback", map[string]any{"number": third, "language": "ar", "topic": "legal"}); code != 429 || out["code"] != "totem_busy" {
		t.Errorf("past the totem's limit: %d %v", code, out)
	}
	// The visitor is told so.
	openTalk()
	for _, k := range third[1:] {
		must(t, ctx, browsertest.Click(fmt.Sprintf(`.keypad .key[data-key=%q]`, string(k))))
	}
	var said string
	must(t, ctx, browsertest.Click(`input[name="callback-topic"][value="school"]`), browsertest.Click("#callback-send"),
		browsertest.Poll(`document.querySelector(".callback-status").textContent`, &said, chromedp.WithPollingTimeout(10*time.Second)))
	if !strings.Contains(said, "طلبات كثيرة") {
		t.Errorf("past the totem's limit the screen says %q", said)
	}

	// A phone asks the portal who is on call where it stands: Arabic in
	// Perugia, nobody by phone in Ancona.
	var phone struct {
		Online    bool
		Languages []struct {
			Language string
			Now      bool
		}
		Desks []struct{ Phones []struct{ Number string } }
	}
	testenv.GetJSON(t, n.portalURL+"/api/v1/talk?lang=ar&lat=43.1107&lon=12.3908", &phone)
	if !phone.Online || len(phone.Languages) != 1 || phone.Languages[0].Language != "ar" || !phone.Languages[0].Now || len(phone.Desks) == 0 {
		t.Errorf("a phone in Perugia is told %+v", phone)
	}
	phone.Languages = nil
	testenv.GetJSON(t, n.portalURL+"/api/v1/talk?lang=ar&lat=43.6169&lon=13.5153", &phone)
	if !phone.Online || len(phone.Languages) != 0 {
		t.Errorf("a phone in Ancona is told %+v", phone)
	}
	if code, out := post(n.portalURL, "/api/v1/callback", map[string]any{"number": second, "language": "ar", "topic": "legal"}); code != 404 {
		t.Errorf("the portal's kiosk endpoint for call-backs: %d %v", code, out)
	}

	// Closed, a call-back is gone; the others go after the retention.
	if cbs = queue(); len(cbs) != 4 {
		t.Fatalf("queue: %d call-backs, want 4", len(cbs))
	}
	if code, raw := pg.do("POST", fmt.Sprintf("/editor/api/callbacks/%v/done", cbs[0]["id"]), nil); code != 200 {
		t.Fatalf("done: %d %s", code, raw)
	}
	if l := queue(); len(l) != 3 || l[0]["id"] == cbs[0]["id"] {
		t.Errorf("after done: %v", l)
	}
	testenv.Eventually(t, 4*retention, "the call-backs deleted after the retention", func() bool {
		return len(queue()) == 0 && strings.Contains(n.portal.Output(), "expired requests deleted")
	})

	scan := totemScanner(t, totemDir, []string{first, second, third})
	if files := scan("running"); files < 3 {
		t.Errorf("only %d files in the running totem's folder", files)
	}

	// Offline: the screen says so and shows the desks' numbers.
	n.portal.Stop()
	testenv.Eventually(t, 10*time.Second, "the totem sees its link down", func() bool { return !feedOf(t, tp.base, false).Link.Connected })
	openTalk()
	var offline, desks string
	must(t, ctx, chromedp.Text(".talk-offline", &offline, chromedp.ByQuery), chromedp.Text(".desks", &desks, chromedp.ByQuery))
	if !strings.Contains(offline, "لا يمكن الوصول") || !strings.Contains(desks, "+39") {
		t.Errorf("offline: %q, desks %q", offline, desks)
	}
	var forms int
	must(t, ctx, chromedp.Evaluate(`document.querySelectorAll(".callback-form").length`, &forms))
	if forms != 0 {
		t.Error("offline, the screen still offers the call-back form")
	}
	tp.Stop()

	// Nothing of the numbers anywhere: the totem's files (every one, its
	// WAL too, running and stopped), both logs, the portal's database and
	// WAL in clear.
	scan("stopped")
	for _, f := range []string{n.portalDB, n.portalDB + "-wal"} {
		if raw, err := os.ReadFile(f); err == nil {
			holdsNumber(t, "the portal's "+filepath.Base(f), raw, first, second, third)
		}
	}
	holdsNumber(t, "the totem's log", []byte(tp.Output()), first, second, third)
	holdsNumber(t, "the portal's log", []byte(n.portal.Output()), first, second, third)
}

// holdsNumber fails the test if raw holds any of the numbers, whole,
// without its +, without +39, or its last 7 digits.
func holdsNumber(t *testing.T, what string, raw []byte, numbers ...string) {
	t.Helper()
	for _, num := range numbers {
		for _, s := range []string{num, num[1:], num[3:], num[len(num)-7:]} {
			if bytes.Contains(raw, []byte(s)) {
				t.Errorf("%s holds %s", what, s)
			}
		}
	}
}

// totemScanner returns a scan of every file under dir for the numbers; it
// says how many files it read.
func totemScanner(t *testing.T, dir string, numbers []string) func(when string) int {
	return func(when string) int {
		t.Helper()
		files := 0
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			raw, err := os.ReadFile(path)
			if os.IsNotExist(err) {
				return nil // a -shm or journal gone meanwhile
			}
			if err != nil {
				return err
			}
			files++
			holdsNumber(t, fmt.Sprintf("the totem's %s (%s)", d.Name(), when), raw, numbers...)
			return nil
		})
		if err != nil {
			t.Error(err)
		}
		return files
	}
}

package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/internal/browsertest"
	"github.com/punto-totem/punto/internal/testenv"
)

type closureAnswer struct {
	Closure *struct {
		ID    string `json:"id"`
		Desks []struct {
			ServiceID string `json:"service_id"`
			Phone     string `json:"phone"`
		} `json:"desks"`
	} `json:"closure"`
}

// Closure mode, end to end: an editor gives an Ancona desk a phone desk
// with its own hours, then closes the territory of Ancona. Within a second
// the totem standing in Ancona (and not the one in Perugia) answers with
// the closure; its kiosk opens on the phone-first screen, the Perugia
// kiosk does not; ending it restores both.
func TestClosureModeReachesTheTerritory(t *testing.T) {
	t.Parallel()
	n := newNetwork(t)
	a := n.addTotem("totem-closed", 43.6169, 13.5153)
	b := n.addTotem("totem-open", 43.1107, 12.3908)
	a.start(t, "totem-closed")
	b.start(t, "totem-open")
	head := feedOf(t, n.portalURL, false)
	for _, tp := range []*totemProc{a, b} {
		testenv.Eventually(t, 30*time.Second, "the totem takes the portal's snapshot", func() bool {
			f := feedOf(t, tp.base, false)
			return f.Link.Synced && f.Seq == head.Seq
		})
	}
	ed := loginEditor(t, n.portalURL, "editor-ancona", editorPassword)

	// The desk's channels: its counter, and a phone desk answering in
	// Arabic and Italian every day.
	const service, number = "ancona-info-0", "+39 071 000 4242"
	doc := ed.service(service)
	loc := doc["locations"].([]any)[0].(map[string]any)["id"]
	var week []map[string]any
	for d := 1; d <= 7; d++ {
		week = append(week, map[string]any{"weekday": d, "opens": "00:00", "closes": "24:00"})
	}
	doc["channels"] = []map[string]any{
		{"id": "counter", "kind": "in_person", "location_id": loc, "languages": []string{"it"}, "hours": map[string]any{"weekly": week}},
		{"id": "line", "kind": "phone", "phone": "call us", "languages": []string{"ar", "it"}, "hours": map[string]any{"weekly": week}},
	}
	if code, body := ed.draft(doc); code != 400 || !strings.Contains(string(body), `"channels[1].phone"`) {
		t.Fatalf("a phone desk with a bad number: %d %s", code, body)
	}
	doc["channels"].([]map[string]any)[1]["phone"] = number
	if code, body := ed.draft(doc); code != 200 {
		t.Fatalf("draft: %d %s", code, body)
	}
	waitSeq(t, a.base, ed.publish(service))

	// Bad closures, each naming its field; another territory is not the
	// Ancona editor's to close.
	today := time.Now().In(content.Rome)
	day := func(d int) string { return today.AddDate(0, 0, d).Format(time.DateOnly) }
	for _, c := range []struct {
		body  map[string]string
		code  int
		field string
	}{
		{map[string]string{"territory": "ats-11-ancona", "starts_on": day(3), "ends_on": day(1)}, 400, "ends_on"},
		{map[string]string{"territory": "ats-11-ancona", "starts_on": day(0), "ends_on": day(400)}, 400, "ends_on"},
		{map[string]string{"territory": "ats-99-atlantis", "starts_on": day(0), "ends_on": day(1)}, 400, "territory"},
		{map[string]string{"territory": "ats-11-ancona", "starts_on": "tomorrow", "ends_on": day(1)}, 400, "starts_on"},
		{map[string]string{"territory": "zona-2-perugia", "starts_on": day(0), "ends_on": day(1)}, 403, ""},
	} {
		code, body := ed.do("POST", "/editor/api/closures", c.body)
		if code != c.code || !strings.Contains(string(body), fmt.Sprintf(`"field":%q`, c.field)) && c.field != "" {
			t.Errorf("closure %v: %d %s", c.body, code, body)
		}
	}

	// Both kiosks wait on their attract screens, in one browser.
	tabA := browser(t, 1080, 1920)
	tabB, cancel := chromedp.NewContext(tabA)
	t.Cleanup(cancel)
	must(t, tabA, chromedp.Navigate(a.base+"/?kiosk=1"), screen("attract"))
	must(t, tabB, chromedp.Navigate(b.base+"/?kiosk=1"), screen("attract"))

	started := time.Now()
	code, body := ed.do("POST", "/editor/api/closures", map[string]string{"territory": "ats-11-ancona", "starts_on": day(0), "ends_on": day(7)})
	var out struct {
		Seq     int64 `json:"seq"`
		Closure struct {
			ID string `json:"id"`
		} `json:"closure"`
	}
	if code != 200 || json.Unmarshal(body, &out) != nil || out.Seq == 0 {
		t.Fatalf("start closure mode: %d %s", code, body)
	}
	var here closureAnswer
	testenv.Eventually(t, 5*time.Second, "the Ancona totem in closure mode", func() bool {
		testenv.GetJSON(t, a.base+"/api/v1/closure?lang=ar", &here)
		return here.Closure != nil
	})
	waitSeq(t, b.base, out.Seq)
	took := time.Since(started)
	var there closureAnswer
	testenv.GetJSON(t, b.base+"/api/v1/closure?lang=ar", &there)
	t.Logf("closure mode on both totems' feeds %v after the editor's action (its speed is BenchmarkFanout's)", took)
	if there.Closure != nil {
		t.Errorf("the Perugia totem is in closure mode: %+v", there.Closure)
	}
	if len(here.Closure.Desks) != 1 || here.Closure.Desks[0].Phone != number || here.Closure.Desks[0].ServiceID != service {
		t.Errorf("phone desks of the closure: %+v", here.Closure.Desks)
	}
	var v struct {
		Service struct {
			Channels []struct {
				Kind   string `json:"kind"`
				Closed bool   `json:"closed"`
			} `json:"channels"`
		} `json:"service"`
	}
	testenv.GetJSON(t, a.base+"/api/v1/services/"+service+"?lang=ar", &v)
	if ch := v.Service.Channels; len(ch) != 2 || ch[0].Kind != "phone" || ch[1].Kind != "in_person" || !ch[1].Closed {
		t.Errorf("the desk's channels during closure mode: %+v", ch)
	}

	// The Ancona kiosk shows the number on its attract screen and opens on
	// where to call, in Persian words and digits; the Perugia kiosk opens
	// as ever.
	must(t, tabA, browsertest.Visible("#closure-phones"))
	var phones string
	must(t, tabA, chromedp.Text("#closure-phones", &phones, chromedp.ByQuery),
		browsertest.Click(`.langs button[lang="fa"]`), screen("closure"),
		browsertest.Visible(`#closure .desk[data-service="`+service+`"]`))
	if !strings.Contains(phones, number) {
		t.Errorf("attract screen in closure mode: %q", phones)
	}
	var call, lead, dir string
	must(t, tabA, chromedp.Text("#closure .desk .call", &call, chromedp.ByQuery), chromedp.Text("#closure .lead", &lead, chromedp.ByQuery),
		chromedp.Evaluate(`document.documentElement.dir`, &dir))
	if call != number || dir != "rtl" || !strings.Contains(lead, "دفترها") || !strings.Contains(lead, "دسامبر") && !strings.Contains(lead, "ژانویه") ||
		strings.ContainsAny(lead, "0123456789") || !strings.ContainsAny(lead, "۰۱۲۳۴۵۶۷۸۹") {
		t.Errorf("phone-first screen: call %q, dir %q, lead %q (Persian words and digits, a Gregorian date)", call, dir, lead)
	}
	browsertest.Screenshot(t, tabA, "totem-closure-fa")
	axeCheck(t, tabA, "closure mode's phone-first screen")
	must(t, tabB, browsertest.Click(`.langs button[lang="ar"]`), screen("home"))
	var closedB bool
	must(t, tabB, chromedp.Evaluate(`"closure" in document.body.dataset || !!document.querySelector("#closure-phones")`, &closedB))
	if closedB {
		t.Error("the Perugia kiosk shows closure mode")
	}

	// On a phone, the desk's page says its desks are closed and lists the
	// phone desk first, to call with a tap, and the counter closed.
	var page struct {
		Kinds []string
		Shut  bool
		Note  bool
		Tel   string
	}
	must(t, tabB, chromedp.Navigate(b.base+"/s/"+service+"?lang=ar"), screen("detail"), browsertest.Visible(".channels"),
		chromedp.Evaluate(`({Kinds: [...document.querySelectorAll(".channels > li")].map(e => e.dataset.kind),
			Shut: document.querySelector('.channels > li[data-kind="in_person"]').classList.contains("shut"),
			Note: !!document.querySelector("#closure-note"),
			Tel: document.querySelector('.channels > li[data-kind="phone"] a.tel').getAttribute("href")})`, &page))
	if strings.Join(page.Kinds, ",") != "phone,in_person" || !page.Shut || !page.Note || page.Tel != "tel:+390710004242" {
		t.Errorf("the desk's page during closure mode: %+v", page)
	}

	// Ending it restores the Ancona screens.
	if code, body := ed.do("DELETE", "/editor/api/closures/"+out.Closure.ID, nil); code != 200 {
		t.Fatalf("end closure mode: %d %s", code, body)
	}
	must(t, tabA, screen("home"))
	var still bool
	must(t, tabA, chromedp.Evaluate(`"closure" in document.body.dataset`, &still))
	if still {
		t.Error("the Ancona kiosk still in closure mode once it ended")
	}
	// Both actions are in the editorial audit log.
	admin := loginEditor(t, n.portalURL, "admin", adminPassword)
	code, body = admin.do("GET", "/editor/api/audit?kind=closure", nil)
	if code != 200 || !strings.Contains(string(body), `"closure.start"`) || !strings.Contains(string(body), `"closure.end"`) {
		t.Errorf("audit log: %d %s", code, body)
	}
}

package kiosk

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/fleet"
)

// serve runs srv on a loopback port and returns its base URL.
func post(t *testing.T, url, body string) (int, string) {
	t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestTally(t *testing.T) {
	t.Parallel()
	srv := newTestServerWith(t, func(c *Config) { c.Role = "totem" })
	base := listen(t, srv)
	for _, body := range []string{
		`{"event":"visit"}`, `{"event":"visit"}`, `{"event":"language","value":"ti"}`, `{"event":"category","value":"housing"}`,
		`{"event":"service","value":"ancona-info-0"}`, `{"event":"qr"}`, `{"event":"search_empty"}`,
	} {
		if code, out := post(t, base+"/api/v1/tally", body); code != 204 {
			t.Fatalf("%s: %d %s", body, code, out)
		}
	}
	for _, tt := range []struct{ body, field string }{
		{`{"event":"search_empty","value":"permesso di soggiorno"}`, "value"},
		{`{"event":"language","value":"xx"}`, "value"},
		{`{"event":"service","value":"no-such-service"}`, "value"},
		{`{"event":"category","value":"food"}`, "value"},
		{`{"event":"typed","value":"hello"}`, "event"},
		{`{"event":"visit","visitor":"42"}`, "body"},
		{`not json`, "body"},
	} {
		code, out := post(t, base+"/api/v1/tally", tt.body)
		if code != 400 || !strings.Contains(out, `"field":"`+tt.field+`"`) {
			t.Errorf("%s: %d %s, want 400 on %s", tt.body, code, out, tt.field)
		}
	}
	counts, err := srv.cfg.Needs.(*fleet.Store).NeedsCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, c := range counts {
		got[c.Event+" "+c.Value] += c.N
		if !c.Hour.Equal(fleet.NeedsHour(time.Now())) && !c.Hour.Equal(fleet.NeedsHour(time.Now().Add(-time.Minute))) {
			t.Errorf("counted in hour %s", c.Hour)
		}
	}
	want := map[string]int64{"visit ": 2, "language ti": 1, "category housing": 1, "service ancona-info-0": 1, "qr ": 1, "search_empty ": 1}
	if len(got) != len(want) {
		t.Errorf("counts %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %d, want %d", k, got[k], v)
		}
	}

	// Only the totem's own screen counts: not another machine (Fiber's
	// test connection comes from no loopback address), and not a portal.
	res, err := srv.App().Test(httptest.NewRequest("POST", "/api/v1/tally", strings.NewReader(`{"event":"visit"}`)), -1)
	if err != nil || res.StatusCode != 403 {
		t.Errorf("from elsewhere: %v %v", res.StatusCode, err)
	}
	portal := newTestServerWith(t, func(c *Config) { c.Role = "portal" })
	if code, _ := post(t, listen(t, portal)+"/api/v1/tally", `{"event":"visit"}`); code != 404 {
		t.Errorf("a portal counts: %d", code)
	}
	uncounted := newTestServerWith(t, func(c *Config) { c.Role, c.Needs = "totem", nil })
	if code, _ := post(t, listen(t, uncounted)+"/api/v1/tally", `{"event":"visit"}`); code != 404 {
		t.Errorf("a totem without needs figures counts: %d", code)
	}
}

func TestOperatorMessage(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	cmd := fleet.Command{ID: "cmd-1", Action: fleet.CommandMessage, Totems: []string{"demo-totem"},
		Text: content.Text{"it": "Oggi si chiude alle 13", "ar": "نغلق اليوم الساعة 13"}, Minutes: 10}
	if err := srv.Command(cmd); err != nil {
		t.Fatal(err)
	}
	_, b := get(t, srv, "/api/v1/alerts?lang=ar")
	first := b["alerts"].([]any)[0].(map[string]any)
	if first["kind"] != "message" || first["text"].(map[string]any)["text"] != "نغلق اليوم الساعة 13" || first["severity"] != "warning" {
		t.Fatalf("alerts: %v", b)
	}
	at := time.Now().Add(11 * time.Minute).UTC().Format(time.RFC3339)
	_, b = get(t, srv, "/api/v1/alerts?lang=ar&at="+at)
	for _, a := range b["alerts"].([]any) {
		if a.(map[string]any)["kind"] == "message" {
			t.Fatalf("the message outlives its minutes: %v", b)
		}
	}
	if err := srv.Command(fleet.Command{ID: "cmd-2", Action: fleet.CommandRestart}); err == nil {
		t.Error("the screen took a restart")
	}
}

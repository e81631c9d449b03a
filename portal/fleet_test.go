package portal

import (
	"context"
	"crypto/ed25519"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/fleet"
	"github.com/punto-totem/punto/relay"
)

var (
	perugiaPoint = orb.Point{12.3908, 43.1107}
	anconaPoint  = content.DemoTotem
)

// fleetEnv is an env whose portal sends commands through a real hub, with
// two registered totems: one in Ancona, one in Perugia.
func fleetEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	_, key, _ := ed25519.GenerateKey(nil)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	hub, err := relay.NewHub(relay.HubConfig{Store: e.st, Fleet: fleetOf(t, e.st), Key: key, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(hub.Close)
	e.app = fiber.New()
	if err := Mount(e.app, Config{Editorial: edOf(t, e.st, nil), Totems: fleetOf(t, e.st), Publisher: e.pub, Log: quiet, Now: e.clock.Now, Commander: hub}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for id, pt := range map[string]orb.Point{"t-ancona": anconaPoint, "t-perugia": perugiaPoint} {
		if _, err := fleetOf(t, e.st).AddTotem(ctx, id, id, pt); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func TestCommandsAPI(t *testing.T) {
	t.Parallel()
	e := fleetEnv(t)
	admin := e.login(adminName, adminPass)
	for _, tt := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"unknown totem", map[string]any{"action": "reload", "totems": []string{"t-nowhere"}}, "totems"},
		{"no totem", map[string]any{"action": "reload"}, "totems"},
		{"unknown action", map[string]any{"action": "shutdown", "totems": []string{"t-ancona"}}, "action"},
		{"message without text", map[string]any{"action": "message", "totems": []string{"t-ancona"}, "minutes": 5}, "text"},
		{"message for a week", map[string]any{"action": "message", "totems": []string{"t-ancona"}, "text": map[string]string{"it": "x"}, "minutes": 10080}, "minutes"},
		{"ttl of two days", map[string]any{"action": "reload", "totems": []string{"t-ancona"}, "ttl_s": 172800}, "ttl_s"},
		{"unknown field", map[string]any{"action": "reload", "totems": []string{"t-ancona"}, "force": true}, "body"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if r := admin.do("POST", "/editor/api/commands", tt.body); r.status != 400 || r.str("field") != tt.field {
				t.Fatalf("%d %s, want 400 on %s", r.status, r.raw, tt.field)
			}
		})
	}
	r := admin.do("POST", "/editor/api/commands", map[string]any{"action": "message", "totems": []string{"t-ancona"},
		"text": map[string]string{"it": "Sportello chiuso oggi", "ar": "المكتب مغلق اليوم"}, "minutes": 30})
	if r.status != 201 || at(r.json, "command", "action") != "message" {
		t.Fatalf("send: %d %s", r.status, r.raw)
	}
	id := at(r.json, "command", "id").(string)
	r = admin.do("GET", "/editor/api/commands", nil)
	if r.status != 200 || at(r.json, "commands", 0, "id") != id || at(r.json, "commands", 0, "targets", 0, "state") != "pending" ||
		at(r.json, "commands", 0, "targets", 0, "totem") != "t-ancona" || at(r.json, "commands", 0, "author") != adminName {
		t.Fatalf("list: %s", r.raw)
	}
	if n := len(at(r.json, "commands", 0, "targets").([]any)); n != 1 {
		t.Fatalf("targets: %d", n)
	}
	r = admin.do("GET", "/editor/api/audit?kind=command", nil)
	if at(r.json, "entries", 0, "action") != "command.message" {
		t.Errorf("audit: %s", r.raw)
	}
	ed := e.login(editorName, editorPass)
	for _, m := range []string{"GET", "POST"} {
		if r := ed.do(m, "/editor/api/commands", map[string]any{"action": "reload", "totems": []string{"t-ancona"}}); r.status != 403 {
			t.Errorf("editor %s commands: %d", m, r.status)
		}
	}
	if r := admin.do("POST", "/editor/api/commands", map[string]any{"action": "reload", "totems": []string{"t-ancona"}}, csrfHeader, "-"); r.status != 403 {
		t.Errorf("without CSRF: %d", r.status)
	}
}

// square is a GeoJSON polygon of side 2d around c.
func square(c orb.Point, d float64) string {
	ring := [][2]float64{{c[0] - d, c[1] - d}, {c[0] + d, c[1] - d}, {c[0] + d, c[1] + d}, {c[0] - d, c[1] + d}, {c[0] - d, c[1] - d}}
	b, _ := json.Marshal(map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ring}})
	return string(b)
}

func TestAreaAlerts(t *testing.T) {
	t.Parallel()
	e := fleetEnv(t)
	admin := e.login(adminName, adminPass)
	ed := e.login(editorName, editorPass) // Ancona's editor
	alert := func(target string) map[string]any {
		return map[string]any{"id": "area-1", "text": map[string]any{"it": "Avviso di zona"}, "starts_at": "2026-11-23T00:00:00Z",
			"ends_at": "2026-11-30T00:00:00Z", "target_kind": "area", "target": target}
	}
	reach := func(cl *client, target string) []string {
		t.Helper()
		r := cl.do("POST", "/editor/api/alerts/reach", map[string]any{"target_kind": "area", "target": target})
		if r.status != 200 {
			t.Fatalf("reach: %d %s", r.status, r.raw)
		}
		var ids []string
		for _, x := range r.json["totems"].([]any) {
			ids = append(ids, at(x, "id").(string))
		}
		return ids
	}
	small := square(anconaPoint, 0.02)
	wide := square(orb.Point{13, 43.4}, 0.8) // Ancona and Perugia
	if got := reach(ed, small); !slices.Equal(got, []string{"t-ancona"}) {
		t.Errorf("small area reaches %v", got)
	}
	if got := reach(admin, wide); !slices.Equal(got, []string{"t-ancona", "t-perugia"}) {
		t.Errorf("wide area reaches %v", got)
	}
	for _, tt := range []struct {
		name   string
		cl     *client
		target string
		status int
	}{
		{"editor inside their territory", ed, small, 200},
		{"editor beyond it", ed, wide, 403},
		{"editor, a corner outside", ed, square(orb.Point{13.2, 43.6}, 0.3), 403},
		{"admin anywhere", admin, wide, 200},
		{"not GeoJSON", admin, "not json", 400},
		{"a line", admin, `{"type":"LineString","coordinates":[[13,43],[14,44]]}`, 400},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.cl.do("PUT", "/editor/api/alerts/area-1/draft", alert(tt.target))
			if r.status != tt.status {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			if tt.status == 400 && r.str("field") != "target" {
				t.Errorf("field %q", r.str("field"))
			}
		})
	}
	if r := admin.do("POST", "/editor/api/alerts/reach", map[string]any{"target_kind": "area", "target": "{}"}); r.status != 400 || r.str("field") != "target" {
		t.Errorf("bad reach: %d %s", r.status, r.raw)
	}
	if r := admin.do("POST", "/editor/api/alerts/reach", map[string]any{"target_kind": "totems", "target": "t-perugia,t-x"}); r.status != 200 || len(r.json["totems"].([]any)) != 1 {
		t.Errorf("reach by ids: %d %s", r.status, r.raw)
	}
	if r := admin.do("POST", "/editor/api/alerts/reach", map[string]any{"target_kind": "territory", "target": "zona-2-perugia"}); r.status != 200 || at(r.json, "totems", 0, "id") != "t-perugia" {
		t.Errorf("reach by territory: %d %s", r.status, r.raw)
	}
	// Ancona's editor asking about every totem, or Perugia's by name,
	// learns nothing of the totems outside Ancona's territory.
	for _, in := range []map[string]any{{"target_kind": "all"}, {"target_kind": "totems", "target": "t-perugia"}, {"target_kind": "territory", "target": "zona-2-perugia"}} {
		r := ed.do("POST", "/editor/api/alerts/reach", in)
		if r.status != 200 || strings.Contains(string(r.raw), "t-perugia") {
			t.Errorf("an editor's reach of %v: %d %s", in, r.status, r.raw)
		}
	}
	if r := admin.do("POST", "/editor/api/alerts/reach", map[string]any{"target_kind": "all"}); !strings.Contains(string(r.raw), "t-perugia") {
		t.Errorf("the admin's reach of all: %s", r.raw)
	}
}

// seedNeeds stores the figures two totems reported over two days.
func seedNeeds(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, content.Rome)
	report := func(totem string, hour time.Time, event, value string, n int64) {
		if err := fleetOf(t, e.st).RecordNeeds(ctx, totem, []fleet.NeedsCount{{Hour: fleet.NeedsHour(hour), Event: event, Value: value, N: n}}); err != nil {
			t.Fatal(err)
		}
	}
	for d := range 2 {
		for _, h := range []int{9, 10, 15} {
			at := day.AddDate(0, 0, d).Add(time.Duration(h) * time.Hour)
			report("t-ancona", at, fleet.NeedVisit, "", 10)
			report("t-perugia", at, fleet.NeedVisit, "", 3)
			report("t-ancona", at, fleet.NeedLanguage, "ar", 6)
			report("t-ancona", at, fleet.NeedLanguage, "ti", 1)
			report("t-perugia", at, fleet.NeedCategory, "health", 2)
			report("t-ancona", at, fleet.NeedSearchEmpty, "", 4)
		}
	}
}

func TestNeedsReport(t *testing.T) {
	t.Parallel()
	e := fleetEnv(t)
	seedNeeds(t, e)
	admin := e.login(adminName, adminPass)
	q := "/editor/api/needs?from=2026-11-20&to=2026-11-21"
	series := func(r *resp) map[string]float64 {
		out := map[string]float64{}
		for _, s := range r.json["series"].([]any) {
			out[at(s, "key").(string)] = at(s, "total").(float64)
		}
		return out
	}
	r := admin.do("GET", q+"&by=totem", nil)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	// Counts add up across hours and totems: 3 hours × 2 days.
	if got := series(r); got["t-ancona"] != 60 || got["t-perugia"] != 18 {
		t.Errorf("visits by totem: %v", got)
	}
	if v := at(r.json, "totals", "visit"); v != 78.0 {
		t.Errorf("total visits %v", v)
	}
	if n := len(r.json["buckets"].([]any)); n != 2 {
		t.Errorf("%d day buckets", n)
	}
	if c := at(r.json, "series", 0, "counts"); fmt.Sprint(c) != "[30 30]" {
		t.Errorf("Ancona per day: %v", c)
	}
	r = admin.do("GET", q+"&by=territory", nil)
	if got := series(r); got[anconaTerritory] != 60 || got["zona-2-perugia"] != 18 {
		t.Errorf("visits by territory: %v", got)
	}
	if v := at(r.json, "totals", "visit"); v != 78.0 {
		t.Errorf("total visits by territory %v (a totem counts once)", v)
	}
	r = admin.do("GET", q+"&by=language", nil)
	if got := series(r); got["ar"] != 36 || got["ti"] != 6 || len(got) != 2 {
		t.Errorf("languages: %v", got)
	}
	r = admin.do("GET", q+"&by=category&bucket=hour", nil)
	if got := series(r); got["health"] != 12 {
		t.Errorf("categories: %v", got)
	}
	if n := len(r.json["buckets"].([]any)); n != 48 {
		t.Errorf("%d hour buckets", n)
	}
	// Ancona's editor sees Ancona's totem only.
	ed := e.login(editorName, editorPass)
	r = ed.do("GET", q+"&by=totem", nil)
	if got := series(r); got["t-ancona"] != 60 || len(got) != 1 || at(r.json, "totals", "visit") != 60.0 {
		t.Errorf("the editor sees %v, totals %v", got, r.json["totals"])
	}
	for _, tt := range []struct{ query, field string }{
		{"from=2026-11-22&to=2026-11-20", "from"},
		{"from=20-11-2026", "from"},
		{"to=tomorrow", "to"},
		{"by=visitor", "by"},
		{"bucket=minute", "bucket"},
		{"event=typed", "event"},
		{"from=2024-01-01&to=2026-11-20", "from"},
		{"from=2026-09-01&to=2026-11-20&bucket=hour", "bucket"},
	} {
		if r := admin.do("GET", "/editor/api/needs?"+tt.query, nil); r.status != 400 || r.str("field") != tt.field {
			t.Errorf("%s: %d %s, want 400 on %s", tt.query, r.status, r.raw, tt.field)
		}
	}
}

func TestNeedsCSV(t *testing.T) {
	t.Parallel()
	e := fleetEnv(t)
	seedNeeds(t, e)
	admin := e.login(adminName, adminPass)
	read := func(query string) [][]string {
		t.Helper()
		r := admin.do("GET", "/editor/api/needs.csv?from=2026-11-20&to=2026-11-21&"+query, nil)
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") || !strings.Contains(r.header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("csv: %d %v %s", r.status, r.header, r.raw)
		}
		rows, err := csv.NewReader(strings.NewReader(string(r.raw))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	rows := read("by=totem&bucket=hour")
	if strings.Join(rows[0], ",") != "period_start,totem,event,value,count" {
		t.Fatalf("header %v", rows[0])
	}
	sums := map[string]int{}
	small := 0
	for _, row := range rows[1:] {
		if _, err := time.Parse(time.RFC3339, row[0]); err != nil {
			t.Errorf("period %q", row[0])
		}
		if !slices.Contains(fleet.NeedsEvents, row[2]) {
			t.Errorf("event %q", row[2])
		}
		if row[4] == "<5" {
			small++
			continue
		}
		n, err := strconv.Atoi(row[4])
		if err != nil || n < 5 {
			t.Errorf("a count under 5 is shown: %v", row)
		}
		sums[row[1]+" "+row[2]+" "+row[3]] += n
	}
	// 6 hours: ti (1), Perugia's visits (3), health (2) and the searches
	// with no result (4) are each under 5 in every hour.
	if small != 6*4 {
		t.Errorf("%d cells suppressed, want 24", small)
	}
	if sums["t-ancona visit "] != 60 || sums["t-ancona language ar"] != 36 {
		t.Errorf("sums: %v", sums)
	}
	// By day the same figures are large enough to show.
	byDay := read("by=totem")
	for _, row := range byDay[1:] {
		if row[1] == "t-perugia" && row[2] == "visit" && row[4] != "9" {
			t.Errorf("Perugia's visits a day: %v", row)
		}
		if row[3] == "ti" && row[4] != "<5" {
			t.Errorf("Tigrinya a day (3): %v", row)
		}
	}
	// Without a split: one table, no totem, no territory.
	all := read("")
	if strings.Join(all[0], ",") != "period_start,event,value,count" {
		t.Errorf("plain header %v", all[0])
	}
	// Nothing in the export identifies anyone or carries free text: every
	// value is empty, a language tag, a category or a service ID.
	for _, row := range all[1:] {
		c := fleet.NeedsCount{Event: row[1], Value: row[2], N: 1, Hour: fleet.NeedsHour(time.Now())}
		if err := c.Validate(); err != nil {
			t.Errorf("exported %v: %v", row, err)
		}
	}
}

package content

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

// box is a closed rectangular ring around a point, as GeoJSON.
func box(c orb.Point, d float64) string {
	ring := [][2]float64{{c[0] - d, c[1] - d}, {c[0] + d, c[1] - d}, {c[0] + d, c[1] + d}, {c[0] - d, c[1] + d}, {c[0] - d, c[1] - d}}
	b, _ := json.Marshal(map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ring}})
	return string(b)
}

func TestAlertArea(t *testing.T) {
	ctx := context.Background()
	s := openDemo(t)
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	perugia := orb.Point{12.3908, 43.1107}
	a := Alert{ID: "around-ancona", Text: Text{"it": "solo qui"}, StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour),
		TargetKind: "area", Target: box(DemoTotem, 0.05)}
	if err := s.Write(ctx, func(b *Batch) error { return b.PutAlert(&a) }); err != nil {
		t.Fatal(err)
	}
	reaches := func(pos orb.Point) bool {
		as, err := s.ActiveAlerts(ctx, pos, "", now)
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(as, func(x Alert) bool { return x.ID == "around-ancona" })
	}
	if !reaches(DemoTotem) {
		t.Error("a totem inside the area does not get its alert")
	}
	if reaches(perugia) {
		t.Error("a totem outside the area gets its alert")
	}
	got, err := s.Alert(ctx, "around-ancona")
	if err != nil || got.TargetKind != "area" || !strings.Contains(got.Target, `"MultiPolygon"`) {
		t.Fatalf("stored alert: %+v %v", got, err)
	}

	for _, c := range []struct{ name, target, reason string }{
		{"not JSON", "{", "not a GeoJSON"},
		{"a point", `{"type":"Point","coordinates":[13.5,43.6]}`, "Polygon or MultiPolygon"},
		{"open ring", `{"type":"Polygon","coordinates":[[[13,43],[14,43],[14,44],[13,44]]]}`, "closed"},
		{"two corners", `{"type":"Polygon","coordinates":[[[13,43],[14,43],[13,43]]]}`, "closed"},
		{"outside the world", `{"type":"Polygon","coordinates":[[[13,43],[14,43],[14,95],[13,43]]]}`, "ring 0"},
		{"flat", `{"type":"Polygon","coordinates":[[[13,43],[14,43],[15,43],[13,43]]]}`, "no area"},
		{"too large", `{"type":"Polygon","coordinates":[[` + strings.Repeat("[13,43],", 9000) + `[13,43]]]}`, "larger than"},
	} {
		t.Run(c.name, func(t *testing.T) {
			bad := Alert{ID: "bad", Text: Text{"it": "x"}, StartsAt: now, EndsAt: now.Add(time.Hour), TargetKind: "area", Target: c.target}
			err := s.Write(ctx, func(b *Batch) error { return b.PutAlert(&bad) })
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != "target" || !strings.Contains(ve.Reason, c.reason) {
				t.Fatalf("got %v, want a target error saying %q", err, c.reason)
			}
		})
	}
	if _, err := s.Alert(ctx, "bad"); !errors.Is(err, ErrNotFound) {
		t.Error("a refused alert was written")
	}
}

func TestCommandValidate(t *testing.T) {
	ok := Command{ID: "cmd-1", Action: CommandMessage, Totems: []string{"t1"}, Text: Text{"it": "Chiuso alle 18"}, Minutes: 10}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		edit  func(*Command)
		field string
	}{
		{"no totem", func(c *Command) { c.Totems = nil }, "totems"},
		{"bad totem", func(c *Command) { c.Totems = []string{"t 1"} }, "totems"},
		{"unknown action", func(c *Command) { c.Action = "format-disk" }, "action"},
		{"no text", func(c *Command) { c.Text = nil }, "text"},
		{"no minutes", func(c *Command) { c.Minutes = 0 }, "minutes"},
		{"a day and more", func(c *Command) { c.Minutes = MaxCommandMinutes + 1 }, "minutes"},
		{"reload with text", func(c *Command) { c.Action = CommandReload }, "action"},
		{"bad id", func(c *Command) { c.ID = "" }, "id"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := ok
			cmd.Totems = slices.Clone(ok.Totems)
			c.edit(&cmd)
			var ve *ValidationError
			if err := cmd.Validate(); !errors.As(err, &ve) || ve.Field != c.field {
				t.Fatalf("got %v, want an error on %s", err, c.field)
			}
		})
	}
}

func TestCommandDelivery(t *testing.T) {
	ctx := context.Background()
	s := openDemo(t)
	cmd := &Command{ID: NewCommandID(), Action: CommandReload, Totems: []string{"t1", "t2"}}
	if err := s.AddCommand(ctx, cmd, "admin", time.Now().Add(time.Minute), []byte("signed")); err != nil {
		t.Fatal(err)
	}
	old := &Command{ID: NewCommandID(), Action: CommandReload, Totems: []string{"t1"}}
	if err := s.AddCommand(ctx, old, "admin", time.Now().Add(-time.Minute), []byte("lapsed")); err != nil {
		t.Fatal(err)
	}
	ids, signed, err := s.PendingCommands(ctx, "t1", time.Now())
	if err != nil || !slices.Equal(ids, []string{cmd.ID}) || string(signed[0]) != "signed" {
		t.Fatalf("pending for t1: %v %q %v", ids, signed, err)
	}
	if ids, _, _ := s.PendingCommands(ctx, "t3", time.Now()); len(ids) != 0 {
		t.Fatalf("a command for t1 and t2 is pending for t3: %v", ids)
	}
	for _, step := range []struct{ totem, state string }{{"t1", "sent"}, {"t1", "done"}, {"t2", "refused"}, {"t1", "sent"}, {"t3", "done"}} {
		if err := s.CommandReported(ctx, cmd.ID, step.totem, step.state, "because"); err != nil {
			t.Fatal(err)
		}
	}
	if ids, _, _ := s.PendingCommands(ctx, "t1", time.Now()); len(ids) != 0 {
		t.Fatalf("a command carried out is still pending: %v", ids)
	}
	list, err := s.Commands(ctx, 10)
	if err != nil || len(list) != 2 {
		t.Fatalf("commands: %+v %v", list, err)
	}
	states := map[string]string{}
	for _, r := range list {
		for _, tg := range r.Targets {
			states[r.ID+"/"+tg.Totem] = tg.State
		}
	}
	want := map[string]string{cmd.ID + "/t1": "done", cmd.ID + "/t2": "refused", old.ID + "/t1": "expired"}
	for k, v := range want {
		if states[k] != v {
			t.Errorf("%s: %s, want %s (all: %v)", k, states[k], v, states)
		}
	}
	if len(states) != 3 {
		t.Errorf("a totem the command does not name got a state: %v", states)
	}

	// On a totem: a command is carried out once.
	exp := time.Now().Add(time.Minute)
	for i, want := range []bool{false, true, true} {
		already, err := s.CommandSeen(ctx, "cmd-x", exp)
		if err != nil || already != want {
			t.Fatalf("seen #%d: %v %v, want %v", i, already, err, want)
		}
	}
}

func TestNeedsCounts(t *testing.T) {
	ctx := context.Background()
	totem := openDemo(t)
	h9 := time.Date(2026, 12, 1, 9, 15, 0, 0, time.UTC)
	h10 := h9.Add(time.Hour)
	for _, e := range []struct {
		at           time.Time
		event, value string
	}{
		{h9, NeedVisit, ""}, {h9, NeedVisit, ""}, {h9, NeedLanguage, "ar"}, {h9, NeedCategory, "health"},
		{h9, NeedService, "ancona-info-0"}, {h10, NeedVisit, ""}, {h10, NeedQR, ""}, {h10, NeedSearchEmpty, ""},
	} {
		if err := totem.CountNeed(ctx, e.at, e.event, e.value); err != nil {
			t.Fatal(err)
		}
	}
	for _, bad := range []struct{ event, value, field string }{
		{NeedVisit, "someone", "value"}, {NeedLanguage, "Arabic please", "value"}, {NeedCategory, "food", "value"},
		{NeedService, "<script>", "value"}, {"typed", "", "event"}, {NeedSearchEmpty, "permesso di soggiorno", "value"},
	} {
		var ve *ValidationError
		if err := totem.CountNeed(ctx, h9, bad.event, bad.value); !errors.As(err, &ve) || ve.Field != bad.field {
			t.Errorf("%s %q: %v, want an error on %s", bad.event, bad.value, err, bad.field)
		}
	}
	counts, err := totem.NeedsToReport(ctx, 100)
	if err != nil || len(counts) != 7 {
		t.Fatalf("to report: %+v %v", counts, err)
	}
	if c := counts[slices.IndexFunc(counts, func(c NeedsCount) bool { return c.Event == NeedVisit })]; c.N != 2 || !c.Hour.Equal(NeedsHour(h9)) {
		t.Errorf("visits at 9: %+v", c)
	}

	// The portal keeps what each totem reports, absolute: a report sent
	// twice counts once, and a later one replaces it.
	portal := openDemo(t)
	for range 2 {
		if err := portal.RecordNeeds(ctx, "t1", counts); err != nil {
			t.Fatal(err)
		}
	}
	if err := totem.NeedsReported(ctx, counts); err != nil {
		t.Fatal(err)
	}
	if more, _ := totem.NeedsToReport(ctx, 100); len(more) != 0 {
		t.Fatalf("reported figures are reported again: %+v", more)
	}
	if err := totem.CountNeed(ctx, h10, NeedVisit, ""); err != nil {
		t.Fatal(err)
	}
	more, _ := totem.NeedsToReport(ctx, 100)
	if len(more) != 1 || more[0].N != 2 {
		t.Fatalf("after one more visit at 10: %+v", more)
	}
	if err := portal.RecordNeeds(ctx, "t1", more); err != nil {
		t.Fatal(err)
	}
	if err := portal.RecordNeeds(ctx, "t2", []NeedsCount{{Hour: NeedsHour(h9), Event: NeedVisit, N: 5}}); err != nil {
		t.Fatal(err)
	}
	hours := []time.Time{NeedsHour(h9), NeedsHour(h10), NeedsHour(h10).Add(time.Hour)}
	rows, err := portal.NeedsReports(ctx, hours, nil)
	if err != nil {
		t.Fatal(err)
	}
	visits := map[string]int64{}
	var all int64
	for _, r := range rows {
		if r.Event == NeedVisit {
			visits[r.Totem+" "+r.Hour.Format("15")] += r.N
			all += r.N
		}
	}
	if visits["t1 09"] != 2 || visits["t1 10"] != 2 || visits["t2 09"] != 5 || all != 9 {
		t.Errorf("visits: %v (all %d), want t1: 2 at 9 and 2 at 10, t2: 5 at 9", visits, all)
	}
	if only, _ := portal.NeedsReports(ctx, hours, []string{"t2"}); len(only) != 1 {
		t.Errorf("t2 only: %+v", only)
	}

	// A report with anything wrong is refused whole.
	bad := []NeedsCount{{Hour: NeedsHour(h9), Event: NeedVisit, N: 1}, {Hour: h9, Event: NeedVisit, N: 1}}
	if err := portal.RecordNeeds(ctx, "t3", bad); err == nil {
		t.Error("a figure for a part of an hour was stored")
	}
	if rows, _ := portal.NeedsReports(ctx, hours, []string{"t3"}); len(rows) != 0 {
		t.Errorf("a refused report left %+v", rows)
	}

	// A new link sends the recent figures again.
	if err := totem.ResendNeeds(ctx, h9); err != nil {
		t.Fatal(err)
	}
	if again, _ := totem.NeedsToReport(ctx, 100); len(again) != 7 {
		t.Errorf("resend: %d figures, want 7", len(again))
	}
}

// TestNeedsHoldNoVisitorData reads every column of the figures' tables,
// on the totem and on the portal: only hours, event names, catalog values
// and counts are there.
func TestNeedsHoldNoVisitorData(t *testing.T) {
	ctx := context.Background()
	s := openDemo(t)
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for _, e := range [][2]string{{NeedVisit, ""}, {NeedLanguage, "ti"}, {NeedService, "ancona-info-0"}, {NeedSearchEmpty, ""}} {
		if err := s.CountNeed(ctx, at, e[0], e[1]); err != nil {
			t.Fatal(err)
		}
	}
	counts, _ := s.NeedsToReport(ctx, 100)
	if err := s.RecordNeeds(ctx, "t1", counts); err != nil {
		t.Fatal(err)
	}
	for table, want := range map[string][]string{
		"needs_count":  {"hour", "event", "value", "n", "reported"},
		"needs_report": {"totem_id", "hour", "event", "value", "n"},
	} {
		rows, err := s.r.QueryContext(ctx, "SELECT name FROM pragma_table_info(?)", table)
		if err != nil {
			t.Fatal(err)
		}
		var cols []string
		for rows.Next() {
			var c string
			rows.Scan(&c)
			cols = append(cols, c)
		}
		rows.Close()
		if !slices.Equal(cols, want) {
			t.Errorf("%s has columns %v, want %v", table, cols, want)
		}
	}
	rows, err := s.r.QueryContext(ctx, "SELECT hour, event, value FROM needs_count UNION ALL SELECT hour, event, value FROM needs_report")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var hour, event, value string
		rows.Scan(&hour, &event, &value)
		c := NeedsCount{Event: event, Value: value, N: 1}
		c.Hour, _ = time.Parse(hourFormat, hour)
		if err := c.Validate(); err != nil {
			t.Errorf("stored figure %s %s %q: %v", hour, event, value, err)
		}
	}
}

// BenchmarkCountNeed is one tap counted on a totem: an upsert in its
// catalog file.
func BenchmarkCountNeed(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, b.TempDir()+"/c.db")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	at := time.Now()
	for i := 0; b.Loop(); i++ {
		if err := s.CountNeed(ctx, at, NeedCategory, Categories[i%len(Categories)].ID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNeedsReports sums a month of one portal's figures by day: 40
// totems, every hour, 12 figures an hour (345,600 stored rows).
func BenchmarkNeedsReports(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, b.TempDir()+"/p.db")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	start := NeedsHour(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	for tt := range 40 {
		var counts []NeedsCount
		for h := range 30 * 24 {
			hour := start.Add(time.Duration(h) * time.Hour)
			for i := range 12 {
				counts = append(counts, NeedsCount{Hour: hour, Event: NeedCategory, Value: Categories[i].ID, N: int64(i + 1)})
			}
		}
		if err := s.RecordNeeds(ctx, fmt.Sprintf("t%02d", tt), counts); err != nil {
			b.Fatal(err)
		}
	}
	var days []time.Time
	for d := range 31 {
		days = append(days, start.AddDate(0, 0, d))
	}
	b.ResetTimer()
	for b.Loop() {
		rows, err := s.NeedsReports(ctx, days, nil)
		var sum int64
		for _, r := range rows {
			sum += r.N
		}
		if err != nil || len(rows) != 40*30*12 || sum != 40*30*24*78 {
			b.Fatalf("%d rows adding up to %d, %v", len(rows), sum, err)
		}
	}
}

func TestTotemTokens(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	tok, err := s.AddTotem(ctx, "ancona-1", "Ancona, municipio", orb.Point{13.5, 43.6})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthenticateTotem(ctx, "ancona-1", tok); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]string{{"ancona-1", tok + "x"}, {"ancona-2", tok}, {"ancona-1", ""}} {
		if _, err := s.AuthenticateTotem(ctx, c[0], c[1]); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("%v: %v", c, err)
		}
	}
	if err := s.RevokeTotem(ctx, "ancona-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthenticateTotem(ctx, "ancona-1", tok); !errors.Is(err, ErrUnauthorized) {
		t.Fatal("a revoked token still works")
	}
	if _, err := s.AddTotem(ctx, "bad id", "", orb.Point{13, 43}); err == nil {
		t.Fatal("bad id accepted")
	}
	ts, _ := s.Totems(ctx)
	if len(ts) != 1 || !ts[0].Revoked {
		t.Fatalf("totems: %+v", ts)
	}
}

package fleet

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/punto-totem/punto/content"
)

func TestNeedsCounts(t *testing.T) {
	ctx := context.Background()
	totem := openTest(t)
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
		var ve *content.ValidationError
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
	portal := openTest(t)
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
	s := openTest(t)
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
		rows, err := s.db.R.QueryContext(ctx, "SELECT name FROM pragma_table_info(?)", table)
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
	rows, err := s.db.R.QueryContext(ctx, "SELECT hour, event, value FROM needs_count UNION ALL SELECT hour, event, value FROM needs_report")
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

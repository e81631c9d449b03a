package kiosk

import (
	"context"
	"io"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/content"
	"github.com/teambition/rrule-go"
)

// hostileEvent is an event whose texts carry every character iCalendar
// must escape, in Latin, Arabic and Chinese script, long enough to fold.
func hostileEvent() content.Service {
	return content.Service{
		ID: "test-event", Status: content.StatusActive, Categories: []string{"events"}, Languages: []string{"ar", "it", "zh"},
		Name: content.Text{
			"it": `Festa, musica; danza \ e "amici"` + "\nsecondo rigo",
			"ar": `مهرجان الموسيقى، الرقص؛ والطعام, Ancona; \ ليلة`,
			"zh": `春节庆典，音乐；舞蹈, Ancona; \ 新年`,
		},
		Description: content.Text{
			"it": "Una sera di musica, danze e cucina da tanti paesi: porta chi vuoi; ingresso libero, offerta gradita.\r\nSeconda riga.",
			"ar": "أمسية موسيقى ورقص وطعام من بلدان كثيرة: أحضر من تريد؛ الدخول مجاني، والتبرع مرحب به.\nسطر ثانٍ.",
		},
		Hours: content.Schedule{
			Weekly: []content.Slot{{Weekday: 2, Opens: "18:00", Closes: "20:00"}, {Weekday: 6, Opens: "10:00", Closes: "24:00"}},
			Exceptions: []content.Exception{
				{Date: "2026-12-12", Closed: true, Note: content.Text{"it": "Chiuso, per lavori"}},
				{Date: "2026-12-15", Opens: "17:00", Closes: "19:00", Note: content.Text{"it": "Prima, per il concerto; poi cena", "ar": "أبكر، بسبب الحفل"}},
				{Date: "2026-11-03", Opens: "09:00", Closes: "10:00"}, // past: not in the calendar
			},
		},
		Locations: []content.Location{{
			ID: "loc-test-event", Name: content.Text{"it": "Sala \"Grande\", piano 1", "ar": "القاعة الكبرى، الطابق ١"},
			Address: "Via Roma 1, scala B; interno 3", Comune: "Ancona", Province: "AN", Region: "Marche",
			Point: orb.Point{13.5153, 43.6169},
		}},
	}
}

// TestEventCalendar writes an event's calendar at a fixed moment and reads
// it back with a second, independent parser (emersion/go-ical) and its
// weekly dates with rrule-go: escaping, folding, time zone, recurrence,
// closures, holidays and special dates.
func TestEventCalendar(t *testing.T) {
	t.Parallel()
	srv := newTestServerWith(t, func(c *Config) { c.PublicURL = "https://punto.example" })
	svc := hostileEvent()
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, content.Rome) // a Wednesday
	for _, tt := range []struct{ lang, nameLang string }{{"ar", "ar"}, {"zh", "zh"}, {"it", "it"}, {"ti", "it"}} {
		t.Run(tt.lang, func(t *testing.T) {
			t.Parallel()
			raw, err := srv.buildCalendar(&svc, tt.lang, now)
			if err != nil {
				t.Fatal(err)
			}
			checkContentLines(t, raw)
			cal, err := ical.NewDecoder(strings.NewReader(raw)).Decode()
			if err != nil {
				t.Fatalf("does not parse: %v\n%s", err, raw)
			}
			if v := cal.Props.Get(ical.PropVersion); v == nil || v.Value != "2.0" {
				t.Errorf("VERSION %v", v)
			}
			if cal.Props.Get(ical.PropProductID) == nil {
				t.Error("no PRODID")
			}
			checkTimezone(t, cal)
			events := cal.Events()
			if len(events) != 3 {
				t.Fatalf("%d events, want 2 weekly and 1 special date", len(events))
			}
			uids := map[string]bool{}
			for _, e := range events {
				uid := text(t, e.Props.Get(ical.PropUID))
				if uid == "" || uids[uid] || !strings.HasSuffix(uid, "@punto.example") {
					t.Errorf("UID %q", uid)
				}
				uids[uid] = true
				if stamp, err := e.Props.DateTime(ical.PropDateTimeStamp, nil); err != nil || !stamp.Equal(now) {
					t.Errorf("DTSTAMP %v %v", stamp, err)
				}
				for _, p := range []string{ical.PropDateTimeStart, ical.PropDateTimeEnd} {
					if tz := e.Props.Get(p).Params.Get(ical.ParamTimezoneID); tz != "Europe/Rome" {
						t.Errorf("%s TZID %q", p, tz)
					}
				}
				summary := e.Props.Get(ical.PropSummary)
				if got, want := text(t, summary), svc.Name[tt.nameLang]; got != want {
					t.Errorf("SUMMARY %q, want %q", got, want)
				}
				if l := summary.Params.Get(ical.ParamLanguage); l != tt.nameLang {
					t.Errorf("SUMMARY LANGUAGE %q", l)
				}
				wantDesc := strings.ReplaceAll(svc.Description.Pick(tt.lang).Text, "\r\n", "\n")
				if got := text(t, e.Props.Get(ical.PropDescription)); got != wantDesc {
					t.Errorf("DESCRIPTION %q, want %q", got, wantDesc)
				}
				loc := svc.Locations[0]
				if got, want := text(t, e.Props.Get(ical.PropLocation)), loc.Name.Pick(tt.lang).Text+", "+loc.Address+", Ancona"; got != want {
					t.Errorf("LOCATION %q, want %q", got, want)
				}
				if g := e.Props.Get(ical.PropGeo); g == nil || g.Value != "43.616900;13.515300" {
					t.Errorf("GEO %v", g)
				}
				if u := e.Props.Get(ical.PropURL); u == nil || u.Value != "https://punto.example/s/test-event?lang="+tt.lang {
					t.Errorf("URL %v", u)
				}
			}
			// The weekly dates, expanded by rrule-go, are every Tuesday and
			// Saturday for a year but the closure, the special date (its
			// own event) and the public holidays (8 and 26 December, 1 May).
			until := time.Date(2027, 12, 2, 0, 0, 0, 0, content.Rome)
			var got, want []string
			for _, e := range events {
				if e.Props.Get(ical.PropRecurrenceRule) == nil {
					start, _ := e.DateTimeStart(nil)
					end, _ := e.DateTimeEnd(nil)
					if start.In(content.Rome).Format(time.DateTime) != "2026-12-15 17:00:00" || end.In(content.Rome).Format(time.DateTime) != "2026-12-15 19:00:00" {
						t.Errorf("special date %v – %v", start, end)
					}
					if tt.lang == "ar" && text(t, e.Props.Get(ical.PropComment)) != "أبكر، بسبب الحفل" {
						t.Errorf("special date's note %q", text(t, e.Props.Get(ical.PropComment)))
					}
					continue
				}
				for _, at := range occurrences(t, e) {
					got = append(got, at.In(content.Rome).Format("2006-01-02 15:04"))
				}
				start, _ := e.DateTimeStart(nil)
				end, _ := e.DateTimeEnd(nil)
				if start.In(content.Rome).Hour() == 10 && end.In(content.Rome).Format("15:04 Mon") != "00:00 Sun" {
					t.Errorf("a slot to 24:00 ends at %v", end.In(content.Rome))
				}
			}
			for d := now; d.Before(until); d = d.AddDate(0, 0, 1) {
				date := d.Format(time.DateOnly)
				if content.Holiday(d.Year(), d.Month(), d.Day()) != "" || date == "2026-12-12" || date == "2026-12-15" {
					continue
				}
				switch d.Weekday() {
				case time.Tuesday:
					want = append(want, date+" 18:00")
				case time.Saturday:
					want = append(want, date+" 10:00")
				}
			}
			slices.Sort(got)
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("weekly dates\n got %v\nwant %v", got, want)
			}
			for _, skipped := range []string{"2026-12-08 18:00", "2026-12-26 10:00", "2027-05-01 10:00", "2026-12-12 10:00", "2026-12-15 18:00"} {
				if slices.Contains(got, skipped) {
					t.Errorf("%s is in the calendar", skipped)
				}
			}
			if !slices.Contains(got, "2027-06-05 10:00") {
				t.Error("a summer date (CEST) is missing or at the wrong hour")
			}
		})
	}
}

// checkContentLines checks RFC 5545's framing by hand: CRLF line ends,
// lines of at most 75 octets folded with a space, and text escaped.
func checkContentLines(t *testing.T, raw string) {
	t.Helper()
	if !strings.HasSuffix(raw, "\r\n") || strings.Contains(strings.ReplaceAll(raw, "\r\n", ""), "\n") || strings.Contains(strings.ReplaceAll(raw, "\r\n", ""), "\r") {
		t.Fatalf("lines do not all end with CRLF")
	}
	folded := 0
	for _, line := range strings.Split(strings.TrimSuffix(raw, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("a line of %d octets: %q", len(line), line)
		}
		if strings.HasPrefix(line, " ") {
			folded++
		}
	}
	if folded == 0 {
		t.Error("no line was folded, though the texts are long")
	}
	unfolded := strings.ReplaceAll(raw, "\r\n ", "")
	for _, want := range []string{`\,`, `\;`, `\\`} {
		if !strings.Contains(unfolded, want) {
			t.Errorf("no %s escape in the calendar", want)
		}
	}
	if !strings.Contains(unfolded, "RRULE:FREQ=WEEKLY;UNTIL=") {
		t.Error("the recurrence rule is escaped or missing")
	}
}

// checkTimezone checks the VTIMEZONE of Europe/Rome: CET in winter, CEST
// in summer.
func checkTimezone(t *testing.T, cal *ical.Calendar) {
	t.Helper()
	for _, c := range cal.Children {
		if c.Name != ical.CompTimezone {
			continue
		}
		if id := c.Props.Get(ical.PropTimezoneID); id == nil || id.Value != "Europe/Rome" {
			t.Errorf("VTIMEZONE %v", id)
		}
		kinds := map[string]string{}
		for _, sub := range c.Children {
			kinds[sub.Name] = sub.Props.Get(ical.PropTimezoneOffsetTo).Value
		}
		if kinds[ical.CompTimezoneStandard] != "+0100" || kinds[ical.CompTimezoneDaylight] != "+0200" {
			t.Errorf("VTIMEZONE offsets %v", kinds)
		}
		return
	}
	t.Error("no VTIMEZONE")
}

// occurrences expands an event's RRULE less its EXDATEs with rrule-go.
func occurrences(t *testing.T, e ical.Event) []time.Time {
	t.Helper()
	opt, err := e.Props.RecurrenceRule()
	if err != nil || opt == nil {
		t.Fatalf("RRULE: %v", err)
	}
	start, err := e.DateTimeStart(nil)
	if err != nil {
		t.Fatal(err)
	}
	opt.Dtstart = start
	rule, err := rrule.NewRRule(*opt)
	if err != nil {
		t.Fatal(err)
	}
	var set rrule.Set
	set.RRule(rule)
	for _, p := range e.Props.Values(ical.PropExceptionDates) {
		ex, err := p.DateTime(nil)
		if err != nil {
			t.Fatal(err)
		}
		if p.Params.Get(ical.ParamTimezoneID) != "Europe/Rome" {
			t.Errorf("EXDATE without the time zone: %v", p)
		}
		set.ExDate(ex)
	}
	return set.All()
}

func text(t *testing.T, p *ical.Prop) string {
	t.Helper()
	if p == nil {
		return ""
	}
	s, err := p.Text()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestEventCalendarServed: the endpoint answers an event as text/calendar
// in the language asked, and refuses what is not an event.
func TestEventCalendarServed(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	svc := hostileEvent()
	if err := srv.store.Write(context.Background(), func(b *content.Batch) error { return b.PutService(&svc) }); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, url string
		status    int
		summary   string
	}{
		{"in Chinese", "/api/v1/services/test-event/event.ics?lang=zh", 200, svc.Name["zh"]},
		{"in Italian by default", "/api/v1/services/test-event/event.ics", 200, svc.Name["it"]},
		{"a demo event", "/api/v1/services/falconara-marittima-events-27/event.ics?lang=fr", 200, "Cinéma et cultures du monde – Falconara Marittima (démo)"},
		{"not an event", "/api/v1/services/ancona-info-0/event.ics", 404, ""},
		{"unknown", "/api/v1/services/nope/event.ics", 404, ""},
		{"bad id", "/api/v1/services/%20x/event.ics", 400, ""},
		{"bad lang", "/api/v1/services/test-event/event.ics?lang=%3C%3E", 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := srv.App().Test(httptest.NewRequest("GET", tt.url, nil), -1)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tt.status, body)
			}
			if tt.status != 200 {
				if !strings.Contains(string(body), `"error"`) {
					t.Errorf("error body %s", body)
				}
				return
			}
			if ct := res.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			cal, err := ical.NewDecoder(strings.NewReader(string(body))).Decode()
			if err != nil {
				t.Fatal(err)
			}
			events := cal.Events()
			if len(events) == 0 {
				t.Fatal("no event")
			}
			if got := text(t, events[0].Props.Get(ical.PropSummary)); got != tt.summary {
				t.Errorf("SUMMARY %q, want %q", got, tt.summary)
			}
			start, err := events[0].DateTimeStart(nil)
			if err != nil || start.Before(time.Now().AddDate(0, 0, -1)) {
				t.Errorf("first date %v %v: not from today on", start, err)
			}
		})
	}
}

// The events of a service that is closed for now or withdrawn come out
// CANCELLED, under the same UIDs, so that a calendar drops them; an active
// one's are CONFIRMED.
func TestEventCalendarCancelled(t *testing.T) {
	t.Parallel()
	srv := newTestServerWith(t, func(c *Config) { c.PublicURL = "https://punto.example" })
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, content.Rome)
	uids := map[content.Status][]string{}
	for _, st := range []content.Status{content.StatusActive, content.StatusTemporarilyClosed, content.StatusWithdrawn} {
		svc := hostileEvent()
		svc.Status = st
		raw, err := srv.buildCalendar(&svc, "it", now)
		if err != nil {
			t.Fatal(err)
		}
		cal, err := ical.NewDecoder(strings.NewReader(raw)).Decode()
		if err != nil {
			t.Fatal(err)
		}
		want := "CONFIRMED"
		if st != content.StatusActive {
			want = "CANCELLED"
		}
		for _, e := range cal.Events() {
			if p := e.Props.Get(ical.PropStatus); p == nil || p.Value != want {
				t.Errorf("%s: STATUS %v, want %s", st, p, want)
			}
			uid, _ := e.Props.Text(ical.PropUID)
			uids[st] = append(uids[st], uid)
		}
	}
	if !slices.Equal(uids[content.StatusActive], uids[content.StatusWithdrawn]) || len(uids[content.StatusActive]) == 0 {
		t.Errorf("UIDs differ: %v, %v", uids[content.StatusActive], uids[content.StatusWithdrawn])
	}
}

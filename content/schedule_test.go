package content

import (
	"testing"
	"time"
)

func TestEaster(t *testing.T) {
	for _, c := range []struct {
		y int
		m time.Month
		d int
	}{{2024, time.March, 31}, {2025, time.April, 20}, {2026, time.April, 5}, {2027, time.March, 28}, {2028, time.April, 16}, {2038, time.April, 25}, {2285, time.March, 22}} {
		if m, d := Easter(c.y); m != c.m || d != c.d {
			t.Errorf("Easter(%d) = %s %d, want %s %d", c.y, m, d, c.m, c.d)
		}
	}
}

func TestHoliday(t *testing.T) {
	for _, c := range []struct {
		date string
		want string
	}{
		{"2026-01-01", "new-year"}, {"2026-01-06", "epiphany"}, {"2026-04-05", "easter"},
		{"2026-04-06", "easter-monday"}, {"2027-03-29", "easter-monday"}, {"2026-04-25", "liberation"},
		{"2026-05-01", "labour"}, {"2026-06-02", "republic"}, {"2026-08-15", "assumption"},
		{"2026-10-04", "st-francis"}, {"2025-10-04", ""}, {"2026-11-01", "all-saints"},
		{"2026-12-08", "immaculate"}, {"2026-12-25", "christmas"}, {"2026-12-26", "st-stephen"},
		{"2026-11-23", ""}, {"2026-04-07", ""},
	} {
		d, _ := time.Parse(time.DateOnly, c.date)
		if got := Holiday(d.Year(), d.Month(), d.Day()); got != c.want {
			t.Errorf("Holiday(%s) = %q, want %q", c.date, got, c.want)
		}
	}
}

func rome(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, Rome)
	if err != nil {
		panic(err)
	}
	return t
}

func TestOpenState(t *testing.T) {
	split := Schedule{Weekly: demoSchedules["office-split"].Weekly, Exceptions: []Exception{
		{Date: "2026-11-25", Closed: true},                    // a Wednesday closure
		{Date: "2026-11-28", Opens: "10:00", Closes: "12:00"}, // an extra Saturday opening
		{Date: "2026-12-24", Opens: "09:00", Closes: "11:00"}, // short hours on Christmas Eve
		{Date: "2026-12-25", Opens: "10:00", Closes: "11:00"}, // an exception beats the holiday
	}}
	h := compileHours(split, false)
	tests := []struct {
		name   string
		at     string
		open   bool
		closes string
		opens  string
	}{
		{"monday morning", "2026-11-23 10:15", true, "2026-11-23 12:30", ""},
		{"lunch break", "2026-11-23 13:00", false, "", "2026-11-23 15:00"},
		{"at closing time it is closed", "2026-11-23 12:30", false, "", "2026-11-23 15:00"},
		{"at opening time it is open", "2026-11-23 09:00", true, "2026-11-23 12:30", ""},
		{"evening: opens tomorrow", "2026-11-23 19:00", false, "", "2026-11-24 09:00"},
		{"closure day", "2026-11-25 10:00", false, "", "2026-11-26 09:00"},
		{"tuesday evening skips the closure", "2026-11-24 20:00", false, "", "2026-11-26 09:00"},
		{"extra saturday opening", "2026-11-28 10:30", true, "2026-11-28 12:00", ""},
		{"sunday: opens monday", "2026-11-29 11:00", false, "", "2026-11-30 09:00"},
		{"immaculate conception (tuesday holiday)", "2026-12-08 10:00", false, "", "2026-12-09 09:00"},
		{"christmas eve short hours", "2026-12-24 10:59", true, "2026-12-24 11:00", ""},
		{"christmas by exception", "2026-12-25 10:30", true, "2026-12-25 11:00", ""},
		{"after christmas: st stephen and weekend closed", "2026-12-25 12:00", false, "", "2026-12-28 09:00"},
		{"easter monday 2027", "2027-03-29 10:00", false, "", "2027-03-30 09:00"},
		{"DST ends sunday night", "2026-10-25 01:30", false, "", "2026-10-26 09:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := h.state(rome(tt.at))
			if st.Open != tt.open {
				t.Fatalf("open = %v, want %v", st.Open, tt.open)
			}
			if h.openAt(rome(tt.at)) != tt.open {
				t.Fatalf("openAt disagrees with state")
			}
			check := func(what string, got time.Time, want string) {
				if want == "" {
					if !got.IsZero() {
						t.Errorf("%s = %v, want none", what, got)
					}
					return
				}
				if !got.Equal(rome(want)) {
					t.Errorf("%s = %v, want %s", what, got.In(Rome), want)
				}
			}
			check("closes_at", st.ClosesAt, tt.closes)
			check("opens_at", st.OpensAt, tt.opens)
		})
	}
}

func TestOpenStateEdges(t *testing.T) {
	events := compileHours(demoSchedules["weekend-events"], true)
	if !events.openAt(rome("2026-12-26 20:00")) {
		t.Error("events open on holidays should be open on St Stephen's Saturday")
	}
	late := compileHours(Schedule{Weekly: []Slot{{5, "20:00", "24:00"}}}, false)
	st := late.state(rome("2026-11-27 23:30"))
	if !st.Open || !st.ClosesAt.Equal(rome("2026-11-28 00:00")) {
		t.Errorf("until midnight: %+v", st)
	}
	// An opening to midnight goes on into one from midnight: a night desk
	// closes the next morning, a desk open round the clock never closes.
	night := compileHours(Schedule{Weekly: []Slot{{5, "20:00", "24:00"}, {6, "00:00", "02:00"}}}, false)
	if st := night.state(rome("2026-11-27 23:30")); !st.Open || !st.ClosesAt.Equal(rome("2026-11-28 02:00")) {
		t.Errorf("through the night: %+v", st)
	}
	var always []Slot
	for d := 1; d <= 7; d++ {
		always = append(always, Slot{d, "00:00", "24:00"})
	}
	if st := compileHours(Schedule{Weekly: always}, true).state(rome("2026-11-27 23:30")); !st.Open || !st.ClosesAt.IsZero() {
		t.Errorf("round the clock: %+v", st)
	}
	never := compileHours(Schedule{}, false)
	if st := never.state(rome("2026-11-27 10:00")); st.Open || !st.OpensAt.IsZero() {
		t.Errorf("no hours: %+v", st)
	}
	days := compileHours(demoSchedules["office-mornings"], false).days(rome("2026-12-07 08:00"), 3)
	if days[1].Holiday != "immaculate" || len(days[1].Slots) != 0 || days[0].Weekday != 1 || len(days[2].Slots) != 1 {
		t.Errorf("days around the 8th of December: %+v", days)
	}
}

func TestScheduleValidate(t *testing.T) {
	tests := []struct {
		name  string
		s     Schedule
		field string
	}{
		{"weekday 0", Schedule{Weekly: []Slot{{0, "09:00", "10:00"}}}, "hours.weekly[0].weekday"},
		{"bad clock", Schedule{Weekly: []Slot{{1, "9am", "10:00"}}}, "hours.weekly[0].opens"},
		{"25 o'clock", Schedule{Weekly: []Slot{{1, "09:00", "25:00"}}}, "hours.weekly[0].closes"},
		{"closes before opening", Schedule{Weekly: []Slot{{1, "12:00", "09:00"}}}, "hours.weekly[0].closes"},
		{"opens at 24:00", Schedule{Weekly: []Slot{{1, "24:00", "24:00"}}}, "hours.weekly[0].opens"},
		{"bad date", Schedule{Exceptions: []Exception{{Date: "2026-13-01", Closed: true}}}, "hours.exceptions[0].date"},
		{"closure with hours", Schedule{Exceptions: []Exception{{Date: "2026-12-01", Closed: true, Opens: "09:00"}}}, "hours.exceptions[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Validate()
			ve, ok := err.(*ValidationError)
			if !ok || ve.Field != tt.field {
				t.Fatalf("err = %v, want a validation error on %s", err, tt.field)
			}
		})
	}
}

package content

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Slot is one opening on a weekday: from Opens to Closes ("HH:MM", Europe/Rome
// local time; Closes may be "24:00"). Weekday 1 is Monday, 7 is Sunday.
type Slot struct {
	Weekday int    `json:"weekday"`
	Opens   string `json:"opens"`
	Closes  string `json:"closes"`
}

// Exception changes one date: a closure (Closed) or special hours that
// replace the week's slots that day (several exceptions on one date add
// slots). Note says why, per locale.
type Exception struct {
	Date   string `json:"date"` // YYYY-MM-DD
	Closed bool   `json:"closed"`
	Opens  string `json:"opens,omitempty"`
	Closes string `json:"closes,omitempty"`
	Note   Text   `json:"note,omitempty"`
}

// Schedule is a service's opening hours: weekly slots plus dated exceptions.
// National public holidays close a service unless it is open on holidays.
type Schedule struct {
	Weekly     []Slot      `json:"weekly"`
	Exceptions []Exception `json:"exceptions,omitempty"`
}

// parseClock reads "HH:MM" as minutes after midnight; "24:00" is allowed
// only as a closing time.
func parseClock(s string, closing bool) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	if m < 0 || m > 59 || h < 0 || h > 24 || (h == 24 && (m != 0 || !closing)) {
		return 0, false
	}
	return h*60 + m, true
}

func validSpan(field, opens, closes string) error {
	o, ok := parseClock(opens, false)
	if !ok {
		return invalid(field+".opens", "%q is not a time HH:MM", opens)
	}
	c, ok := parseClock(closes, true)
	if !ok {
		return invalid(field+".closes", "%q is not a time HH:MM", closes)
	}
	if c <= o {
		return invalid(field+".closes", "%s is not after %s", closes, opens)
	}
	return nil
}

// Validate checks every slot and exception.
func (s *Schedule) Validate() error {
	for i, sl := range s.Weekly {
		f := fmt.Sprintf("hours.weekly[%d]", i)
		if sl.Weekday < 1 || sl.Weekday > 7 {
			return invalid(f+".weekday", "%d is not 1 (Monday) … 7 (Sunday)", sl.Weekday)
		}
		if err := validSpan(f, sl.Opens, sl.Closes); err != nil {
			return err
		}
	}
	for i, ex := range s.Exceptions {
		f := fmt.Sprintf("hours.exceptions[%d]", i)
		if _, err := time.Parse(time.DateOnly, ex.Date); err != nil {
			return invalid(f+".date", "%q is not a date YYYY-MM-DD", ex.Date)
		}
		if ex.Closed {
			if ex.Opens != "" || ex.Closes != "" {
				return invalid(f, "a closure has no hours")
			}
		} else if err := validSpan(f, ex.Opens, ex.Closes); err != nil {
			return err
		}
		if err := ValidText(f+".note", ex.Note, false); err != nil {
			return err
		}
	}
	return nil
}

// span is an opening in minutes after midnight, [from, to).
type span struct{ from, to int16 }

type civilDate struct {
	y int16
	m time.Month
	d int8
}

func dateOf(t time.Time) civilDate {
	y, m, d := t.Date()
	return civilDate{int16(y), m, int8(d)}
}

// hours is a Schedule compiled for fast "open now" checks. Identical
// schedules share one *hours (see internHours).
type hours struct {
	week       [7][]span // Monday first
	exceptions map[civilDate][]span
	holidays   bool // open on public holidays
}

func mergeSpans(s []span) []span {
	slices.SortFunc(s, func(a, b span) int { return int(a.from) - int(b.from) })
	out := s[:0]
	for _, x := range s {
		if n := len(out); n > 0 && x.from <= out[n-1].to {
			out[n-1].to = max(out[n-1].to, x.to)
			continue
		}
		out = append(out, x)
	}
	return out
}

func compileHours(s Schedule, openOnHolidays bool) *hours {
	h := &hours{holidays: openOnHolidays}
	for _, sl := range s.Weekly {
		o, _ := parseClock(sl.Opens, false)
		c, _ := parseClock(sl.Closes, true)
		h.week[sl.Weekday-1] = append(h.week[sl.Weekday-1], span{int16(o), int16(c)})
	}
	for i := range h.week {
		h.week[i] = mergeSpans(h.week[i])
	}
	for _, ex := range s.Exceptions {
		t, err := time.Parse(time.DateOnly, ex.Date)
		if err != nil {
			continue
		}
		if h.exceptions == nil {
			h.exceptions = map[civilDate][]span{}
		}
		d := dateOf(t)
		cur := h.exceptions[d]
		if cur == nil {
			cur = []span{}
		}
		if !ex.Closed {
			o, _ := parseClock(ex.Opens, false)
			c, _ := parseClock(ex.Closes, true)
			cur = mergeSpans(append(cur, span{int16(o), int16(c)}))
		}
		h.exceptions[d] = cur
	}
	return h
}

// hoursKey is a canonical form of a schedule, for interning: schedules
// with the same key compile to the same hours.
func hoursKey(s Schedule, holidays bool) string {
	parts := make([]string, 0, len(s.Weekly)+len(s.Exceptions)+1)
	if holidays {
		parts = append(parts, "H")
	}
	for _, sl := range s.Weekly {
		parts = append(parts, strconv.Itoa(sl.Weekday)+sl.Opens+sl.Closes)
	}
	for _, ex := range s.Exceptions {
		parts = append(parts, ex.Date+strconv.FormatBool(ex.Closed)+ex.Opens+ex.Closes)
	}
	slices.Sort(parts)
	return strings.Join(parts, "|")
}

// day returns the openings on a civil date, and the holiday key or whether
// an exception applies.
func (h *hours) day(d civilDate, weekday time.Weekday) (spans []span, holiday string, exception bool) {
	if ex, ok := h.exceptions[d]; ok {
		return ex, "", true
	}
	holiday = Holiday(int(d.y), d.m, int(d.d))
	if holiday != "" && !h.holidays {
		return nil, holiday, false
	}
	return h.week[(int(weekday)+6)%7], holiday, false
}

// OpenState tells whether a service is open at a moment, until when, or
// when it opens next (within two weeks).
type OpenState struct {
	Open     bool      `json:"open"`
	ClosesAt time.Time `json:"closes_at,omitzero"`
	OpensAt  time.Time `json:"opens_at,omitzero"`
}

const lookAheadDays = 14

func at(d time.Time, minute int) time.Time {
	y, m, dd := d.Date()
	return time.Date(y, m, dd, minute/60, minute%60, 0, 0, Rome)
}

// openAt reports only whether the hours are open at t: the hot path of the
// open-now filter.
func (h *hours) openAt(t time.Time) bool {
	t = t.In(Rome)
	spans, _, _ := h.day(dateOf(t), t.Weekday())
	m := int16(t.Hour()*60 + t.Minute())
	for _, s := range spans {
		if m >= s.from && m < s.to {
			return true
		}
	}
	return false
}

// state computes the full OpenState at t.
func (h *hours) state(t time.Time) OpenState {
	t = t.In(Rome)
	m := t.Hour()*60 + t.Minute()
	for i := 0; i <= lookAheadDays; i++ {
		d := t.AddDate(0, 0, i)
		spans, _, _ := h.day(dateOf(d), d.Weekday())
		for _, s := range spans {
			switch {
			case i == 0 && m >= int(s.from) && m < int(s.to):
				return OpenState{Open: true, ClosesAt: h.closesAfter(d, s)}
			case i > 0 || int(s.from) > m:
				return OpenState{OpensAt: at(d, int(s.from))}
			}
		}
	}
	return OpenState{}
}

// closesAfter is when an opening that is on at date d ends: an opening
// that runs to midnight goes on into one that starts at midnight the next
// day, so a desk open round the clock does not "close at 00:00". Zero when
// it never closes within the look-ahead.
func (h *hours) closesAfter(d time.Time, s span) time.Time {
	for range lookAheadDays {
		if s.to < 24*60 {
			return at(d, int(s.to))
		}
		d = d.AddDate(0, 0, 1)
		spans, _, _ := h.day(dateOf(d), d.Weekday())
		if len(spans) == 0 || spans[0].from != 0 {
			return at(d, 0)
		}
		s = spans[0]
	}
	return time.Time{}
}

// DayHours is what a service's hours are on one date, for showing a week.
type DayHours struct {
	Date      string `json:"date"`
	Weekday   int    `json:"weekday"` // 1 Monday … 7 Sunday
	Slots     []Span `json:"slots"`
	Holiday   string `json:"holiday,omitempty"`   // the national holiday that day
	Exception bool   `json:"exception,omitempty"` // special hours or a closure
}

// Span is an opening as local clock times.
type Span struct {
	Opens  string `json:"opens"`
	Closes string `json:"closes"`
}

func clock(m int16) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// days lists n days of hours starting with the date of t.
func (h *hours) days(t time.Time, n int) []DayHours {
	t = t.In(Rome)
	out := make([]DayHours, 0, n)
	for i := range n {
		d := t.AddDate(0, 0, i)
		spans, holiday, ex := h.day(dateOf(d), d.Weekday())
		dh := DayHours{Date: d.Format(time.DateOnly), Weekday: (int(d.Weekday())+6)%7 + 1, Slots: []Span{}, Holiday: holiday, Exception: ex}
		for _, s := range spans {
			dh.Slots = append(dh.Slots, Span{clock(s.from), clock(s.to)})
		}
		out = append(out, dh)
	}
	return out
}

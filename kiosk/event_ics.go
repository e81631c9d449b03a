package kiosk

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
)

// calendarYear is how far ahead an event's weekly dates recur in its
// calendar: far enough to plan, short enough that the closures and
// holidays it leaves out are all known.
const calendarYear = 365

// romeTZID names the time zone of every date in a calendar; the VTIMEZONE
// the calendar carries describes it.
const romeTZID = "Europe/Rome"

// icsLocal is the form of a local date-time with a TZID (RFC 5545 3.3.5).
const icsLocal = "20060102T150405"

// eventCalendar serves /api/v1/services/{id}/event.ics: an event (a
// service of the category events) as iCalendar, so that a visitor adds
// its dates to their phone's calendar. Each weekly slot is a VEVENT that
// recurs every week for a year, less the dates it is closed or has other
// hours; each dated special opening is a VEVENT of its own.
func (s *Server) eventCalendar(c *fiber.Ctx) error {
	id, err := serviceID(c)
	if err != nil {
		return err
	}
	lang, err := langParam(c)
	if err != nil {
		return err
	}
	svc, err := s.store.Service(c.UserContext(), id)
	if err != nil {
		return err
	}
	if !slices.Contains(svc.Categories, "events") {
		return notFound("service " + id + " is not an event")
	}
	cal, err := s.buildCalendar(svc, lang, time.Now())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="`+id+`.ics"`)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.SendString(cal)
}

// buildCalendar writes the calendar of an event in lang, its dates from
// the day of now on: a weekly series per slot, less the dates it does not
// happen, and an event per special opening.
func (s *Server) buildCalendar(svc *content.Service, lang string, now time.Time) (string, error) {
	b := s.newCalendar(svc, lang, now)
	events := 0
	for _, sl := range svc.Hours.Weekly {
		if err := b.addWeekly(sl); err != nil {
			return "", err
		}
		events++
	}
	for _, ex := range svc.Hours.Exceptions {
		added, err := b.addSpecial(ex)
		if err != nil {
			return "", err
		}
		if added {
			events++
		}
	}
	if events == 0 {
		return "", notFound("event " + svc.ID + " has no dates ahead")
	}
	return b.cal.Serialize(ics.WithNewLine("\r\n")), nil
}

// calendarBuilder is an event's calendar being written.
type calendarBuilder struct {
	s           *Server
	svc         *content.Service
	lang        string
	now         time.Time
	host, page  string
	name        content.Localized
	today, last time.Time       // the first and last day written, in Rome
	skip        map[string]bool // dates whose weekly slots do not happen
	cal         *ics.Calendar
}

func (s *Server) newCalendar(svc *content.Service, lang string, now time.Time) *calendarBuilder {
	b := &calendarBuilder{s: s, svc: svc, lang: lang, now: now, host: "punto", name: svc.Name.Pick(lang)}
	if u, err := url.Parse(s.cfg.PublicURL); err == nil && u.Hostname() != "" {
		b.host = u.Hostname()
	}
	b.page = strings.TrimSuffix(s.cfg.PublicURL, "/") + "/s/" + url.PathEscape(svc.ID) + "?" + langQuery(lang)
	b.cal = ics.NewCalendarFor("Punto")
	b.cal.SetProductId("-//Punto//Punto events//EN")
	b.cal.SetCalscale("GREGORIAN")
	b.cal.SetMethod(ics.MethodPublish)
	b.cal.SetXWRCalName(icsText(b.name.Text))
	addRomeTimezone(b.cal)
	today := now.In(content.Rome)
	b.today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, content.Rome)
	b.last = b.today.AddDate(0, 0, calendarYear)
	b.skip = skippedDates(svc, b.today, b.last)
	return b
}

// skippedDates are the dates between from and until whose weekly slots do
// not happen: a closure, special hours (which replace the week's that
// day), or a public holiday for an event that is not held on holidays.
func skippedDates(svc *content.Service, from, until time.Time) map[string]bool {
	skip := map[string]bool{}
	for _, ex := range svc.Hours.Exceptions {
		skip[ex.Date] = true
	}
	if !svc.OpenOnHolidays {
		for d := from; !d.After(until); d = d.AddDate(0, 0, 1) {
			if content.Holiday(d.Year(), d.Month(), d.Day()) != "" {
				skip[d.Format(time.DateOnly)] = true
			}
		}
	}
	return skip
}

// describe gives an event the service's name, description, place, page
// and categories. The events of a service that is temporarily closed or
// withdrawn are CANCELLED: a calendar that added them (same UIDs) drops
// them when it reads the file again.
func (b *calendarBuilder) describe(e *ics.VEvent) {
	svc, lang := b.svc, b.lang
	e.SetDtStampTime(b.now)
	if svc.Status == content.StatusTemporarilyClosed || svc.Status == content.StatusWithdrawn {
		e.SetStatus(ics.ObjectStatusCancelled)
	} else {
		e.SetStatus(ics.ObjectStatusConfirmed)
	}
	e.SetSummary(icsText(b.name.Text), withLanguage(b.name.Lang))
	if d := svc.Description.Pick(lang); d.Text != "" {
		e.SetDescription(icsText(d.Text), withLanguage(d.Lang))
	}
	if len(svc.Locations) > 0 {
		l := svc.Locations[0]
		where := l.Address + ", " + l.Comune
		locLang := lang
		if n := l.Name.Pick(lang); n.Text != "" {
			where, locLang = n.Text+", "+where, n.Lang
		}
		e.SetLocation(icsText(where), withLanguage(locLang))
		if !l.NoPoint {
			e.SetGeo(strconv.FormatFloat(l.Point[1], 'f', 6, 64), strconv.FormatFloat(l.Point[0], 'f', 6, 64))
		}
	}
	e.SetURL(b.page)
	for _, cat := range svc.Categories {
		e.AddCategory(icsText(b.s.msgs.Localize(lang, "category."+cat).Text))
	}
}

// addWeekly writes a weekly slot as a series until the last day, less the
// skipped dates.
func (b *calendarBuilder) addWeekly(sl content.Slot) error {
	first := b.today
	for int(first.Weekday()) != sl.Weekday%7 {
		first = first.AddDate(0, 0, 1)
	}
	start, end, err := span(first, sl.Opens, sl.Closes)
	if err != nil {
		return err
	}
	e := b.cal.AddEvent(fmt.Sprintf("%s-w%d-%s@%s", b.svc.ID, sl.Weekday, strings.ReplaceAll(sl.Opens, ":", ""), b.host))
	b.describe(e)
	e.SetProperty(ics.ComponentPropertyDtStart, start.Format(icsLocal), ics.WithTZID(romeTZID))
	e.SetProperty(ics.ComponentPropertyDtEnd, end.Format(icsLocal), ics.WithTZID(romeTZID))
	// With a DTSTART in a time zone, UNTIL is in UTC (RFC 5545 3.3.10).
	e.AddRrule("FREQ=WEEKLY;UNTIL=" + b.last.UTC().Format("20060102T150405Z"))
	for d := first; !d.After(b.last); d = d.AddDate(0, 0, 7) {
		if b.skip[d.Format(time.DateOnly)] {
			st, _, _ := span(d, sl.Opens, sl.Closes)
			e.AddExdate(st.Format(icsLocal), ics.WithTZID(romeTZID))
		}
	}
	return nil
}

// addSpecial writes a special opening ahead as an event of its own; a
// closure, or a date outside the calendar, adds nothing.
func (b *calendarBuilder) addSpecial(ex content.Exception) (bool, error) {
	date, err := time.ParseInLocation(time.DateOnly, ex.Date, content.Rome)
	if err != nil || ex.Closed || date.Before(b.today) || date.After(b.last) {
		return false, nil
	}
	start, end, err := span(date, ex.Opens, ex.Closes)
	if err != nil {
		return false, err
	}
	e := b.cal.AddEvent(fmt.Sprintf("%s-%s-%s@%s", b.svc.ID, strings.ReplaceAll(ex.Date, "-", ""), strings.ReplaceAll(ex.Opens, ":", ""), b.host))
	b.describe(e)
	e.SetProperty(ics.ComponentPropertyDtStart, start.Format(icsLocal), ics.WithTZID(romeTZID))
	e.SetProperty(ics.ComponentPropertyDtEnd, end.Format(icsLocal), ics.WithTZID(romeTZID))
	if n := ex.Note.Pick(b.lang); n.Text != "" {
		e.AddComment(icsText(n.Text), withLanguage(n.Lang))
	}
	return true, nil
}

// span is the start and end of an opening on a date, in Rome; "24:00"
// ends at the next midnight.
func span(date time.Time, opens, closes string) (time.Time, time.Time, error) {
	o, err := clockMinutes(opens)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	c, err := clockMinutes(closes)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	y, m, d := date.Date()
	return time.Date(y, m, d, 0, o, 0, 0, content.Rome), time.Date(y, m, d, 0, c, 0, 0, content.Rome), nil
}

// clockMinutes reads "HH:MM" (validated when the catalog was written) as
// minutes after midnight.
func clockMinutes(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil {
		return 0, fmt.Errorf("kiosk: calendar: %q is not a time HH:MM", s)
	}
	return hh*60 + mm, nil
}

// icsText readies catalog text for a TEXT property: the library escapes
// \ ; , and newlines and folds long lines; a carriage return has no place
// inside a content line.
func icsText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// withLanguage is the LANGUAGE parameter of a text (RFC 5545 3.2.10).
func withLanguage(tag string) ics.PropertyParameter {
	return &ics.KeyValues{Key: string(ics.ParameterLanguage), Value: []string{tag}}
}

// addRomeTimezone describes Europe/Rome as it is now kept (EU rules:
// summer time from the last Sunday of March, 02:00, to the last Sunday of
// October, 03:00), so calendars that lack the zone still place the dates.
func addRomeTimezone(cal *ics.Calendar) {
	tz := cal.AddTimezone(romeTZID)
	summer := &ics.Daylight{}
	summer.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), "+0100")
	summer.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), "+0200")
	summer.SetProperty(ics.ComponentProperty(ics.PropertyTzname), "CEST")
	summer.SetProperty(ics.ComponentPropertyDtStart, "19700329T020000")
	summer.AddRrule("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU")
	winter := tz.AddStandard()
	winter.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), "+0200")
	winter.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), "+0100")
	winter.SetProperty(ics.ComponentProperty(ics.PropertyTzname), "CET")
	winter.SetProperty(ics.ComponentPropertyDtStart, "19701025T030000")
	winter.AddRrule("FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU")
	tz.Components = append([]ics.Component{summer}, tz.Components...)
}

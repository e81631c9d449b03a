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
	id := c.Params("id")
	if !content.ValidID(id) {
		return badRequest("id", "is not a valid service id")
	}
	lang, err := langParam(c)
	if err != nil {
		return err
	}
	svc, err := s.store.Service(c.UserContext(), id)
	if err != nil {
		return err
	}
	if svc.Status == content.StatusWithdrawn {
		return notFound("service " + id + " is withdrawn")
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
// the day of now on.
func (s *Server) buildCalendar(svc *content.Service, lang string, now time.Time) (string, error) {
	host := "punto"
	if u, err := url.Parse(s.cfg.PublicURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	page := strings.TrimSuffix(s.cfg.PublicURL, "/") + "/s/" + url.PathEscape(svc.ID) + "?lang=" + url.QueryEscape(lang)
	cal := ics.NewCalendarFor("Punto")
	cal.SetProductId("-//Punto//Punto events//EN")
	cal.SetCalscale("GREGORIAN")
	cal.SetMethod(ics.MethodPublish)
	name := svc.Name.Pick(lang)
	cal.SetXWRCalName(icsText(name.Text))
	addRomeTimezone(cal)

	today := now.In(content.Rome)
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, content.Rome)
	until := today.AddDate(0, 0, calendarYear)
	// Dates whose weekly slots do not happen: a closure, special hours
	// (which replace the week's that day), or a public holiday for an
	// event that is not held on holidays.
	skip := map[string]bool{}
	for _, ex := range svc.Hours.Exceptions {
		skip[ex.Date] = true
	}
	if !svc.OpenOnHolidays {
		for d := today; !d.After(until); d = d.AddDate(0, 0, 1) {
			if content.Holiday(d.Year(), d.Month(), d.Day()) != "" {
				skip[d.Format(time.DateOnly)] = true
			}
		}
	}
	describe := func(e *ics.VEvent) {
		e.SetDtStampTime(now)
		e.SetSummary(icsText(name.Text), withLanguage(name.Lang))
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
			e.SetGeo(strconv.FormatFloat(l.Point[1], 'f', 6, 64), strconv.FormatFloat(l.Point[0], 'f', 6, 64))
		}
		e.SetURL(page)
		for _, cat := range svc.Categories {
			e.AddCategory(icsText(s.msgs.Localize(lang, "category."+cat).Text))
		}
	}
	events := 0
	for _, sl := range svc.Hours.Weekly {
		first := today
		for int(first.Weekday()) != sl.Weekday%7 {
			first = first.AddDate(0, 0, 1)
		}
		start, end, err := span(first, sl.Opens, sl.Closes)
		if err != nil {
			return "", err
		}
		e := cal.AddEvent(fmt.Sprintf("%s-w%d-%s@%s", svc.ID, sl.Weekday, strings.ReplaceAll(sl.Opens, ":", ""), host))
		describe(e)
		e.SetProperty(ics.ComponentPropertyDtStart, start.Format(icsLocal), ics.WithTZID(romeTZID))
		e.SetProperty(ics.ComponentPropertyDtEnd, end.Format(icsLocal), ics.WithTZID(romeTZID))
		// With a DTSTART in a time zone, UNTIL is in UTC (RFC 5545 3.3.10).
		e.AddRrule("FREQ=WEEKLY;UNTIL=" + until.UTC().Format("20060102T150405Z"))
		for d := first; !d.After(until); d = d.AddDate(0, 0, 7) {
			if skip[d.Format(time.DateOnly)] {
				st, _, _ := span(d, sl.Opens, sl.Closes)
				e.AddExdate(st.Format(icsLocal), ics.WithTZID(romeTZID))
			}
		}
		events++
	}
	for _, ex := range svc.Hours.Exceptions {
		date, err := time.ParseInLocation(time.DateOnly, ex.Date, content.Rome)
		if err != nil || ex.Closed || date.Before(today) || date.After(until) {
			continue
		}
		start, end, err := span(date, ex.Opens, ex.Closes)
		if err != nil {
			return "", err
		}
		e := cal.AddEvent(fmt.Sprintf("%s-%s-%s@%s", svc.ID, strings.ReplaceAll(ex.Date, "-", ""), strings.ReplaceAll(ex.Opens, ":", ""), host))
		describe(e)
		e.SetProperty(ics.ComponentPropertyDtStart, start.Format(icsLocal), ics.WithTZID(romeTZID))
		e.SetProperty(ics.ComponentPropertyDtEnd, end.Format(icsLocal), ics.WithTZID(romeTZID))
		if n := ex.Note.Pick(lang); n.Text != "" {
			e.AddComment(icsText(n.Text), withLanguage(n.Lang))
		}
		events++
	}
	if events == 0 {
		return "", notFound("event " + svc.ID + " has no dates ahead")
	}
	return cal.Serialize(ics.WithNewLine("\r\n")), nil
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

package mediation

import (
	"fmt"
	"strings"
)

// invitation is an iCalendar (RFC 5545) request, or its cancellation, for
// a mediator's assignment. Times are UTC; the UID is stable per request
// and SEQUENCE grows with each change, so calendars update the event.
func invitation(r *Request, organizer, attendee string, cancel bool) []byte {
	method, status := "REQUEST", "CONFIRMED"
	if cancel {
		method, status = "CANCEL", "CANCELLED"
	}
	const utc = "20060102T150405Z"
	where := r.Address
	if r.Mode != ModeInPerson {
		where = map[string]string{ModePhone: "Telefono / phone", ModeVideo: "Video"}[r.Mode]
	}
	lines := []string{
		"BEGIN:VCALENDAR",
		"VERSION:2.0",
		"PRODID:-//Punto//Mediazione//IT",
		"CALSCALE:GREGORIAN",
		"METHOD:" + method,
		"BEGIN:VEVENT",
		fmt.Sprintf("UID:mediation-request-%d@punto", r.ID),
		fmt.Sprintf("SEQUENCE:%d", r.UpdatedAt.Unix()-r.CreatedAt.Unix()),
		"DTSTAMP:" + r.UpdatedAt.UTC().Format(utc),
		"DTSTART:" + r.StartsAt.UTC().Format(utc),
		"DTEND:" + r.EndsAt.UTC().Format(utc),
		"SUMMARY:" + icsText(fmt.Sprintf("Mediazione %s — %s (%s)", r.Language, r.OrgName, r.Topic)),
		"LOCATION:" + icsText(where),
		"DESCRIPTION:" + icsText(fmt.Sprintf("Richiesta n. %d. Durata prevista %.1f h. Referente: %s %s", r.ID, r.Duration, r.ContactName, r.ContactPhone)),
		"STATUS:" + status,
		"ORGANIZER:mailto:" + organizer,
		"ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:" + attendee,
		"END:VEVENT",
		"END:VCALENDAR",
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(fold(l))
	}
	return []byte(b.String())
}

// icsText escapes a TEXT value (RFC 5545 3.3.11).
func icsText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`).Replace(s)
}

// fold ends a content line with CRLF, folded at 75 octets without
// splitting a UTF-8 sequence.
func fold(l string) string {
	var b strings.Builder
	n := 0
	for _, r := range l {
		w := len(string(r))
		if n+w > 75 {
			b.WriteString("\r\n ")
			n = 1
		}
		b.WriteRune(r)
		n += w
	}
	b.WriteString("\r\n")
	return b.String()
}

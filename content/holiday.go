package content

import (
	"time"
	_ "time/tzdata" // Europe/Rome must resolve on a totem without zoneinfo
)

// Rome is the time zone every schedule is read in.
var Rome = mustLoad("Europe/Rome")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("content: time zone " + name + ": " + err.Error())
	}
	return loc
}

// Easter returns the date of Easter Sunday (Gregorian calendar) in year y,
// by the anonymous Gregorian computus (Meeus/Jones/Butcher).
func Easter(y int) (time.Month, int) {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Month(month), day
}

// Holiday returns the key of the Italian national public holiday that falls
// on the given civil date ("easter-monday", "republic", …), or "" when the
// day is not one. Local patron saints' days are not national holidays: give
// them to a service as schedule exceptions.
func Holiday(y int, m time.Month, d int) string {
	switch {
	case m == time.January && d == 1:
		return "new-year"
	case m == time.January && d == 6:
		return "epiphany"
	case m == time.April && d == 25:
		return "liberation"
	case m == time.May && d == 1:
		return "labour"
	case m == time.June && d == 2:
		return "republic"
	case m == time.August && d == 15:
		return "assumption"
	case m == time.October && d == 4 && y >= 2026:
		// San Francesco d'Assisi, a national holiday again from 2026
		// (legge 151/2025).
		return "st-francis"
	case m == time.November && d == 1:
		return "all-saints"
	case m == time.December && d == 8:
		return "immaculate"
	case m == time.December && d == 25:
		return "christmas"
	case m == time.December && d == 26:
		return "st-stephen"
	}
	em, ed := Easter(y)
	easter := time.Date(y, em, ed, 12, 0, 0, 0, time.UTC)
	switch date := time.Date(y, m, d, 12, 0, 0, 0, time.UTC); {
	case date.Equal(easter):
		return "easter"
	case date.Equal(easter.AddDate(0, 0, 1)):
		return "easter-monday"
	}
	return ""
}

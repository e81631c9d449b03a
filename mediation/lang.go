package mediation

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
)

var langPattern = regexp.MustCompile(`^[a-z]{2,3}$`)

// Lang checks an ISO 639 language code (639-1, or 639-2/3 where there is no
// 639-1 one) and returns its shortest form: "pan" → "pa".
func Lang(code string) (string, error) {
	code = strings.TrimSpace(code)
	if !langPattern.MatchString(code) {
		return "", fmt.Errorf("%q is not an ISO 639 code (two or three lower-case letters)", code)
	}
	b, err := language.ParseBase(code)
	if err != nil || b.String() == "und" || (b.String() >= "qaa" && b.String() <= "qtz") {
		return "", fmt.Errorf("%q is not an ISO 639 language", code)
	}
	return b.String(), nil
}

// The ways a mediator works, and a request's place.
const (
	ModeInPerson = "in_person"
	ModePhone    = "phone"
	ModeVideo    = "video"
)

// Modes lists the ways of working.
var Modes = []string{ModeInPerson, ModePhone, ModeVideo}

// Topics a request can be about.
var Topics = []string{"health", "school", "legal", "social", "housing", "work"}

// clock reads "HH:MM" as minutes after midnight (24:00 is the day's end).
func clock(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, fmt.Errorf("%q is not a time HH:MM", s)
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("%q is not a time HH:MM", s)
	}
	return hh*60 + mm, nil
}

func clockString(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

// day reads a date YYYY-MM-DD.
func day(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date YYYY-MM-DD", s)
	}
	return t, nil
}

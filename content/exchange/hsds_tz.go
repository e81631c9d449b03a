package exchange

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/punto-totem/punto/content"
)

// Time zones of HSDS schedules. Punto keeps hours as Europe/Rome
// wall-clock times. A schedule may say otherwise: its timezone member (a
// UTC offset in hours) or a time written with an offset ("10:00Z",
// "09:00:00-05:00"). An offset Rome has (+1 in winter, +2 in summer) is
// taken as Italian local time and the times kept as they are; any other
// is converted to Rome's time on the day of the import (a phone line in
// New York open 9:00-17:00 is open 15:00-23:00 for a visitor in Italy in
// winter), the weekday moving with it across midnight.

// scheduleZone is the UTC offset (seconds) a schedule's times are in, and
// its times without the offset; ok is false when none is given.
func scheduleZone(sc *hsdsSchedule) (offset int, opens, closes string, ok bool, err error) {
	opens, o1, ok1, err := splitOffset(sc.OpensAt)
	if err != nil {
		return 0, "", "", false, err
	}
	closes, o2, ok2, err := splitOffset(sc.ClosesAt)
	if err != nil {
		return 0, "", "", false, err
	}
	switch {
	case ok1 && ok2 && o1 != o2:
		return 0, "", "", false, fmt.Errorf("opens_at and closes_at are in different time zones")
	case ok1:
		return o1, opens, closes, true, nil
	case ok2:
		return o2, opens, closes, true, nil
	case sc.Timezone != nil:
		if *sc.Timezone < -14 || *sc.Timezone > 14 {
			return 0, "", "", false, fmt.Errorf("timezone %v is not a UTC offset in hours (-14 to 14)", *sc.Timezone)
		}
		return int(*sc.Timezone * 3600), opens, closes, true, nil
	}
	return 0, opens, closes, false, nil
}

// splitOffset cuts a time's "Z" or "±HH:MM" suffix.
func splitOffset(t string) (string, int, bool, error) {
	t = strings.TrimSpace(t)
	if strings.HasSuffix(t, "Z") || strings.HasSuffix(t, "z") {
		return t[:len(t)-1], 0, true, nil
	}
	i := strings.LastIndexAny(t, "+-")
	if i <= 0 {
		return t, 0, false, nil
	}
	off := t[i+1:]
	h, m, _ := strings.Cut(off, ":")
	hh, err1 := strconv.Atoi(h)
	mm := 0
	var err2 error
	if m != "" {
		mm, err2 = strconv.Atoi(m)
	}
	if err1 != nil || err2 != nil || hh > 14 || mm > 59 || len(h) != 2 {
		return "", 0, false, fmt.Errorf("%q is not a time with a UTC offset (HH:MM+01:00)", t)
	}
	sec := hh*3600 + mm*60
	if t[i] == '-' {
		sec = -sec
	}
	return t[:i], sec, true, nil
}

// romeOffset: an offset Rome's own times are written with.
func romeOffset(sec int) bool { return sec == 3600 || sec == 7200 }

// toRome converts a wall-clock HH:MM at offset sec to Rome's, on the
// import day: the time, and by how many days it moved (-1, 0, 1).
func toRome(hm string, sec int) (string, int, bool) {
	t, err := time.Parse("15:04", hhmm(hm))
	if err != nil {
		return hm, 0, false
	}
	day := importDay()
	at := time.Date(day.Year(), day.Month(), day.Day(), t.Hour(), t.Minute(), 0, 0, time.FixedZone("", sec))
	r := at.In(content.Rome)
	shift := int(time.Date(r.Year(), r.Month(), r.Day(), 0, 0, 0, 0, time.UTC).Sub(time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)).Hours() / 24)
	return r.Format("15:04"), shift, true
}

// zoned returns a schedule's opening and closing times in Rome's time,
// and the days they moved; a problem is reported on the schedule.
func zoned(sc *hsdsSchedule, is *issues) (opens, closes string, shift int, ok bool) {
	off, opens, closes, given, err := scheduleZone(sc)
	if err != nil {
		is.add(sc.at.issue("opens_at", err.Error()))
		return "", "", 0, false
	}
	if !given || romeOffset(off) {
		return opens, closes, 0, true
	}
	o, s1, ok1 := toRome(opens, off)
	c, s2, ok2 := toRome(closes, off)
	if !ok1 || !ok2 {
		return opens, closes, 0, true // not times: Validate names them
	}
	if s1 != s2 {
		is.add(sc.at.issue("opens_at", fmt.Sprintf("%s-%s at UTC%+g is %s-%s in Europe/Rome, across midnight: give the hours in two schedules", opens, closes, float64(off)/3600, o, c)))
		return "", "", 0, false
	}
	return o, c, s1, true
}

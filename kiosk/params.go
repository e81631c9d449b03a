package kiosk

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/internal/apierr"
	"golang.org/x/text/language"
)

// query reads one query parameter (apierr.Param: twice is a 400).
var query = apierr.Param

func floatParam(c *fiber.Ctx, name string, def, lo, hi float64) (float64, error) {
	s, ok, err := query(c, name)
	if err != nil || !ok {
		return def, err
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, badRequest(name, "must be a number")
	}
	if v < lo || v > hi {
		return 0, badRequest(name, "must be between "+fmtNum(lo)+" and "+fmtNum(hi))
	}
	return v, nil
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// intParam reads a whole-number parameter within bounds.
var intParam = apierr.IntParam

func boolParam(c *fiber.Ctx, name string) (bool, error) {
	s, ok, err := query(c, name)
	if err != nil || !ok {
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off", "":
		return false, nil
	}
	return false, badRequest(name, "must be true or false")
}

// langParam reads the locale asked for: a BCP 47 tag such as "ar" or
// "pt-BR". It defaults to Italian.
func langParam(c *fiber.Ctx) (string, error) {
	s, ok, err := query(c, "lang")
	if err != nil {
		return "", err
	}
	if !ok || s == "" {
		return "it", nil
	}
	if len(s) > 35 {
		return "", badRequest("lang", "is not a language tag")
	}
	tag, err := language.Parse(s)
	if err != nil {
		return "", badRequest("lang", "is not a language tag (e.g. it, en, ar, pt-BR)")
	}
	base, _ := tag.Base()
	out := base.String()
	if r, conf := tag.Region(); conf == language.Exact {
		out += "-" + r.String()
	}
	return out, nil
}

// atParam reads the moment that open-now refers to (RFC 3339); default now.
func atParam(c *fiber.Ctx) (time.Time, error) {
	s, ok, err := query(c, "at")
	if err != nil || !ok {
		return time.Now(), err
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, badRequest("at", "must be a time like 2026-11-22T10:30:00+01:00")
	}
	if t.Year() < 2000 || t.Year() > 2100 {
		return time.Time{}, badRequest("at", "must be between the years 2000 and 2100")
	}
	return t, nil
}

package kiosk

import (
	"errors"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/internal/apierr"
	"golang.org/x/text/language"
)

// serviceID reads the service ID of the path, percent-decoded, so that
// /services/abc%3A and /services/abc: name the same service.
func serviceID(c *fiber.Ctx) (string, error) {
	id, err := url.PathUnescape(c.Params("id"))
	if err != nil || !content.ValidID(id) {
		return "", badRequest("id", "is not a valid service id")
	}
	return id, nil
}

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

// langParam reads the languages the visitor reads: lang, a BCP 47 tag
// such as "ar" or "pt-BR" (default Italian), then second (or its alias
// fallback), a second language they chose to read when a text is not in
// their own. It returns them as the priority list content.Text.Pick reads
// ("ti" or "ti,en"): the second language comes before the fixed fallback
// chain. content.PrimaryLang gives the visitor's own language back.
func langParam(c *fiber.Ctx) (string, error) {
	lang, err := tagParam(c, "lang")
	if err != nil {
		return "", err
	}
	if lang == "" {
		lang = "it"
	}
	second, err := tagParam(c, "second")
	if err != nil {
		return "", err
	}
	if second == "" {
		if second, err = tagParam(c, "fallback"); err != nil {
			return "", err
		}
	}
	return content.Prefs(lang, second), nil
}

// langSyntax is the language tags the API document allows (BCP 47:
// language, script, region, variants, private use).
var langSyntax = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*(-x(-[A-Za-z0-9]{1,8})+)?$`)

// tagParam reads one language tag, normalized ("pt-br" → "pt-BR"); empty
// when not given.
func tagParam(c *fiber.Ctx, name string) (string, error) {
	s, ok, err := query(c, name)
	if err != nil || !ok || s == "" {
		return "", err
	}
	if len(s) > 35 {
		return "", badRequest(name, "is not a language tag")
	}
	tag, err := language.Parse(s)
	var unknown language.ValueError
	switch {
	case errors.As(err, &unknown) && langSyntax.MatchString(s):
		// Well-formed but unknown ("xx"): a language Punto has no text
		// in, which falls back like any other (the document's pattern).
		base, _, _ := strings.Cut(strings.ReplaceAll(s, "_", "-"), "-")
		return strings.ToLower(base), nil
	case err != nil:
		return "", badRequest(name, "is not a language tag (e.g. it, en, ar, pt-BR)")
	}
	base, _ := tag.Base()
	out := base.String()
	if r, conf := tag.Region(); conf == language.Exact {
		out += "-" + r.String()
	}
	return out, nil
}

// langQuery is the query of a page link for a priority list:
// "lang=ti&second=en".
func langQuery(prefs string) string {
	q := "lang=" + url.QueryEscape(content.PrimaryLang(prefs))
	if _, second, ok := strings.Cut(prefs, ","); ok {
		q += "&second=" + url.QueryEscape(second)
	}
	return q
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

package apierr

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Param reads one query parameter: its value and whether it was given. A
// parameter given twice is a 400, since only one value could be honoured.
func Param(c *fiber.Ctx, name string) (string, bool, error) {
	vals := c.Context().QueryArgs().PeekMulti(name)
	switch len(vals) {
	case 0:
		return "", false, nil
	case 1:
		return string(vals[0]), true, nil
	}
	return "", true, BadRequest(name, "given more than once")
}

// IntParam reads a whole-number query parameter between lo and hi; absent
// or empty, it is def. Anything else is a 400 naming it.
func IntParam(c *fiber.Ctx, name string, def, lo, hi int) (int, error) {
	s, _, err := Param(c, name)
	if err != nil {
		return 0, err
	}
	if s = strings.TrimSpace(s); s == "" {
		return def, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, BadRequest(name, "must be a whole number")
	}
	if v < lo || v > hi {
		return 0, BadRequest(name, "must be between "+strconv.Itoa(lo)+" and "+strconv.Itoa(hi))
	}
	return v, nil
}

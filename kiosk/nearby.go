package kiosk

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
)

func (s *Server) nearby(c *fiber.Ctx) error {
	q := content.NearbyQuery{}
	var err error
	if q.Center, err = s.origin(c); err != nil {
		return err
	}
	if q.RadiusM, err = floatParam(c, "radius_m", content.DefaultRadiusM, 1, content.MaxRadiusM); err != nil {
		return err
	}
	if q.Limit, err = intParam(c, "limit", content.DefaultLimit, 1, content.MaxLimit); err != nil {
		return err
	}
	if q.Category, _, err = query(c, "category"); err != nil {
		return err
	}
	if q.Speaks, _, err = query(c, "speaks"); err != nil {
		return err
	}
	if q.OpenNow, err = boolParam(c, "open_now"); err != nil {
		return err
	}
	if q.At, err = atParam(c); err != nil {
		return err
	}
	lang, err := langParam(c)
	if err != nil {
		return err
	}
	start := time.Now()
	hits, err := s.store.NearbyHits(c.UserContext(), q)
	s.metrics.nearby.Observe(time.Since(start).Seconds())
	if err != nil {
		return err
	}
	sums, err := s.store.Summaries(c.UserContext(), hits, lang, q.Center, q.At)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{
		"lang":     content.PrimaryLang(lang),
		"origin":   fiber.Map{"lat": q.Center[1], "lon": q.Center[0]},
		"radius_m": q.RadiusM,
		"at":       q.At.In(content.Rome).Format(time.RFC3339),
		"walking":  walking,
		"results":  s.results(sums, lang, q.Center),
	})
}

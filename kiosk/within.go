package kiosk

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/content"
)

// within lists services inside a box: bbox=minLon,minLat,maxLon,maxLat.
func (s *Server) within(c *fiber.Ctx) error {
	raw, ok, err := query(c, "bbox")
	if err != nil {
		return err
	}
	if !ok {
		return badRequest("bbox", "is required: minLon,minLat,maxLon,maxLat")
	}
	parts := strings.Split(raw, ",")
	if len(parts) != 4 {
		return badRequest("bbox", "must be four numbers: minLon,minLat,maxLon,maxLat")
	}
	var v [4]float64
	for i, p := range parts {
		if v[i], err = strconv.ParseFloat(strings.TrimSpace(p), 64); err != nil {
			return badRequest("bbox", "must be four numbers: minLon,minLat,maxLon,maxLat")
		}
	}
	limit, err := intParam(c, "limit", 500, 1, 5000)
	if err != nil {
		return err
	}
	lang, err := langParam(c)
	if err != nil {
		return err
	}
	b := orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}
	hits, err := s.store.Within(c.UserContext(), b, limit)
	if err != nil {
		return err
	}
	at, err := atParam(c)
	if err != nil {
		return err
	}
	sums, err := s.store.Summaries(c.UserContext(), hits, lang, s.cfg.Position, at)
	if err != nil {
		return err
	}
	rs := s.results(sums, lang, s.cfg.Position)
	return sendJSON(c, func(b []byte) []byte { return appendWithin(b, v, lang, rs) })
}

// appendWithin writes a within answer as encoding/json writes the map
// {bbox, lang, results}.
func appendWithin(b []byte, bbox [4]float64, lang string, rs []resultOut) []byte {
	b = append(b, `{"bbox":[`...)
	for i, f := range bbox {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendFloat(b, f)
	}
	b = append(b, `],"lang":`...)
	b = appendString(b, content.PrimaryLang(lang))
	b = append(b, `,"results":`...)
	b = appendResults(b, rs)
	return append(b, '}')
}

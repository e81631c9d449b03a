package kiosk

import (
	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/content"
)

// origin reads lat and lon, defaulting both to the totem's own position.
// One without the other is an error.
func (s *Server) origin(c *fiber.Ctx) (orb.Point, error) {
	_, hasLat, err := query(c, "lat")
	if err != nil {
		return orb.Point{}, err
	}
	_, hasLon, err := query(c, "lon")
	if err != nil {
		return orb.Point{}, err
	}
	switch {
	case !hasLat && !hasLon:
		return s.cfg.Position, nil
	case !hasLon:
		return orb.Point{}, badRequest("lon", "is needed when lat is given")
	case !hasLat:
		return orb.Point{}, badRequest("lat", "is needed when lon is given")
	}
	lat, err := floatParam(c, "lat", 0, -90, 90)
	if err != nil {
		return orb.Point{}, err
	}
	lon, err := floatParam(c, "lon", 0, -180, 180)
	if err != nil {
		return orb.Point{}, err
	}
	return orb.Point{lon, lat}, nil
}

// resultOut is a result row with its direction in words in the asked
// language.
type resultOut struct {
	content.Summary
	DirectionLabel content.Localized `json:"direction_label"`
}

func (s *Server) results(sums []content.Summary, lang string) []resultOut {
	out := make([]resultOut, len(sums))
	for i, sm := range sums {
		out[i] = resultOut{Summary: sm, DirectionLabel: s.msgs.Localize(lang, "direction."+string(sm.Direction))}
	}
	return out
}

var walking = fiber.Map{"speed_kmh": 4.5, "route_factor": 1.25, "basis": "straight-line distance × route factor, at the speed given"}

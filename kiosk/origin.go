package kiosk

import (
	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/geo"
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
// language. On a totem that knows its facing (--facing), a row measured
// from the totem itself also says on which side it lies (relative), and
// its direction label says so rather than the compass point.
type resultOut struct {
	content.Summary
	Relative       geo.Relative      `json:"relative,omitempty"`
	DirectionLabel content.Localized `json:"direction_label"`
}

func (s *Server) results(sums []content.Summary, lang string, from orb.Point) []resultOut {
	facing := s.cfg.Screen.Facing
	if from != s.cfg.Position {
		facing = nil // a phone's own position: it looks whichever way
	}
	out := make([]resultOut, len(sums))
	for i, sm := range sums {
		if sm.LocationID == "" { // remote: no way to walk
			out[i] = resultOut{Summary: sm}
			continue
		}
		out[i] = resultOut{Summary: sm, DirectionLabel: s.msgs.Localize(lang, "direction."+string(sm.Direction))}
		if facing != nil && sm.DistanceM > 0 {
			out[i].Relative = geo.RelativeTo(float64(sm.BearingDeg), *facing)
			out[i].DirectionLabel = s.msgs.Localize(lang, "relative."+string(out[i].Relative))
		}
	}
	return out
}

var walking = fiber.Map{"speed_kmh": 4.5, "route_factor": 1.25, "basis": "straight-line distance × route factor, at the speed given"}

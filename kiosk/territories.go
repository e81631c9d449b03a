package kiosk

import (
	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
)

type territoryOut struct {
	ID     string            `json:"id"`
	Kind   string            `json:"kind"`
	Region string            `json:"region"`
	Name   content.Localized `json:"name"`
}

func (s *Server) territoriesAt(c *fiber.Ctx) error {
	p, err := s.origin(c)
	if err != nil {
		return err
	}
	lang, err := langParam(c)
	if err != nil {
		return err
	}
	ts, err := s.store.TerritoriesAt(c.UserContext(), p)
	if err != nil {
		return err
	}
	out := make([]territoryOut, len(ts))
	for i, t := range ts {
		out[i] = territoryOut{ID: t.ID, Kind: t.Kind, Region: t.Region, Name: t.Name.Pick(lang)}
	}
	return c.JSON(fiber.Map{"lang": content.PrimaryLang(lang), "point": fiber.Map{"lat": p[1], "lon": p[0]}, "territories": out})
}

func (s *Server) places(c *fiber.Ctx) error {
	ps, err := s.store.Places(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"places": ps})
}

// territoriesGeoJSON gives every territory as a GeoJSON feature with its
// name in the asked language: what the map draws without a basemap.
func (s *Server) territoriesGeoJSON(c *fiber.Ctx) error {
	lang, err := langParam(c)
	if err != nil {
		return err
	}
	ts, err := s.store.AllTerritories(c.UserContext())
	if err != nil {
		return err
	}
	// orb's MultiPolygon marshals as GeoJSON coordinates: nested
	// [lon, lat] arrays.
	features := make([]fiber.Map, len(ts))
	for i, t := range ts {
		features[i] = fiber.Map{
			"type": "Feature", "id": t.ID,
			"geometry":   fiber.Map{"type": "MultiPolygon", "coordinates": t.Shape},
			"properties": fiber.Map{"name": t.Name.Pick(lang).Text, "kind": t.Kind},
		}
	}
	err = c.JSON(fiber.Map{"type": "FeatureCollection", "features": features})
	c.Set(fiber.HeaderContentType, "application/geo+json") // after JSON, which sets its own
	return err
}

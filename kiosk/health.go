package kiosk

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
)

func (s *Server) health(c *fiber.Ctx) error {
	if err := s.store.Ping(c.UserContext()); err != nil {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "error": "catalog does not answer"})
	}
	st, err := s.store.Stats(c.UserContext())
	if err != nil {
		return err
	}
	source, err := s.store.Meta(c.UserContext(), "source")
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{
		"status":         "ok",
		"role":           s.cfg.Role,
		"version":        s.cfg.Version,
		"schema_version": content.SchemaVersion(),
		"catalog":        st,
		"source":         source,
		"position":       fiber.Map{"lat": s.cfg.Position[1], "lon": s.cfg.Position[0]},
		"uptime_s":       int(time.Since(s.started).Seconds()),
	})
}

// ready answers /readyz: 200 when the catalog answers and, for a totem
// following a portal, it has synced at least once; 503 saying why if not.
func (s *Server) ready(c *fiber.Ctx) error {
	status := "ok"
	if s.cfg.Status != nil {
		status = s.cfg.Status()
	}
	if err := s.store.Ping(c.UserContext()); err != nil {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"ready": false, "status": status, "error": "catalog does not answer"})
	}
	if s.cfg.Ready != nil {
		if err := s.cfg.Ready(); err != nil {
			return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"ready": false, "status": status, "error": err.Error()})
		}
	}
	return c.JSON(fiber.Map{"ready": true, "status": status})
}

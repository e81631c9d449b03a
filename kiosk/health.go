package kiosk

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
)

func (s *Server) health(c *fiber.Ctx) error {
	if err := s.store.Ping(c.UserContext()); err != nil {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "error": "catalog does not answer"})
	}
	// Counted after the last write, not now: a health check does no work
	// that grows with the catalog.
	st, err := s.store.CachedStats(c.UserContext())
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

// readyCheck is one thing /readyz checked, and what it found.
type readyCheck struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// ready answers /readyz: 200 when the catalog answers, its index is
// loaded and, for a totem following a portal, it has synced at least
// once; 503 if not. Either way it lists what it checked, and says whether
// the data is fresh ("ok") or "stale" (nothing signed from the portal for
// too long: 200 still, 503 with --stale-unready, which folds it into Ready).
func (s *Server) ready(c *fiber.Ctx) error {
	status := "ok"
	if s.cfg.Status != nil {
		status = s.cfg.Status()
	}
	var checks []readyCheck
	ok := true
	add := func(name string, err error, detail string) {
		if err != nil {
			ok, detail = false, err.Error()
		}
		checks = append(checks, readyCheck{Name: name, OK: err == nil, Detail: detail})
	}
	err := s.store.Ping(c.UserContext())
	if err != nil {
		err = errors.New("catalog does not answer")
	}
	add("catalog", err, "the catalog file answers")
	add("index", s.store.IndexErr(), s.store.IndexState())
	if s.cfg.Ready != nil {
		add("portal", s.cfg.Ready(), "synced with the portal")
	}
	out := fiber.Map{"ready": ok, "status": status, "checks": checks}
	if !ok {
		for _, ch := range checks {
			if !ch.OK {
				out["error"] = ch.Detail
				break
			}
		}
		return c.Status(fiber.StatusServiceUnavailable).JSON(out)
	}
	return c.JSON(out)
}

package kiosk

import (
	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
)

type alertOut struct {
	ID       string            `json:"id"`
	Text     content.Localized `json:"text"`
	Severity string            `json:"severity"`
	EndsAt   string            `json:"ends_at"`
}

// alerts lists the notices in force for this node's screen: for every
// totem, for the territory it stands in, or for it by name.
func (s *Server) alerts(c *fiber.Ctx) error {
	lang, err := langParam(c)
	if err != nil {
		return err
	}
	at, err := atParam(c)
	if err != nil {
		return err
	}
	as, err := s.store.ActiveAlerts(c.UserContext(), s.cfg.Position, s.cfg.TotemID, at)
	if err != nil {
		return err
	}
	out := make([]alertOut, len(as))
	for i, a := range as {
		out[i] = alertOut{ID: a.ID, Text: a.Text.Pick(lang), Severity: a.Severity, EndsAt: a.EndsAt.Format("2006-01-02T15:04:05Z07:00")}
	}
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.JSON(fiber.Map{"lang": lang, "alerts": out})
}

type pageOut struct {
	ID    string            `json:"id"`
	Title content.Localized `json:"title"`
	Body  content.Localized `json:"body"`
}

func (s *Server) pages(c *fiber.Ctx) error {
	lang, err := langParam(c)
	if err != nil {
		return err
	}
	ps, err := s.store.Pages(c.UserContext())
	if err != nil {
		return err
	}
	out := make([]pageOut, len(ps))
	for i, p := range ps {
		out[i] = pageOut{ID: p.ID, Title: p.Title.Pick(lang), Body: p.Body.Pick(lang)}
	}
	return c.JSON(fiber.Map{"lang": lang, "pages": out})
}

package kiosk

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
)

type alertOut struct {
	ID       string            `json:"id"`
	Text     content.Localized `json:"text"`
	Severity string            `json:"severity"`
	EndsAt   string            `json:"ends_at"`
	// Kind is "alert" (from the catalog) or "message" (sent to this
	// screen by the portal's operators; it shows on the attract screen too).
	Kind string `json:"kind"`
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
	out := make([]alertOut, 0, len(as)+1)
	if id, text, until, ok := s.message.at(at); ok {
		out = append(out, alertOut{ID: id, Text: text.Pick(lang), Severity: "warning", EndsAt: until.UTC().Format(time.RFC3339), Kind: "message"})
	}
	for _, a := range as {
		out = append(out, alertOut{ID: a.ID, Text: a.Text.Pick(lang), Severity: a.Severity, EndsAt: a.EndsAt.Format(time.RFC3339), Kind: "alert"})
	}
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.JSON(fiber.Map{"lang": content.PrimaryLang(lang), "alerts": out})
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
	return c.JSON(fiber.Map{"lang": content.PrimaryLang(lang), "pages": out})
}

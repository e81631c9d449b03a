package kiosk

import (
	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
)

// closure answers whether closure mode holds where this node stands, and
// if so with the territory's phone desks (where to call and when): a
// totem then opens on its phone-first screen.
func (s *Server) closure(c *fiber.Ctx) error {
	lang, err := langParam(c)
	if err != nil {
		return err
	}
	at, err := atParam(c)
	if err != nil {
		return err
	}
	cl, err := s.store.ClosureAt(c.UserContext(), s.cfg.Position, lang, at)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.JSON(fiber.Map{"lang": content.PrimaryLang(lang), "closure": cl})
}

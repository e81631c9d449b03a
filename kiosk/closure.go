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
	// The national holidays of the desks' week, named in lang.
	holidays := []holidayOut{}
	if cl != nil && len(cl.Desks) > 0 {
		for _, d := range cl.Desks[0].Days {
			if d.Holiday != "" {
				holidays = append(holidays, holidayOut{Date: d.Date, Key: d.Holiday, Name: s.msgs.Localize(lang, "holiday."+d.Holiday)})
			}
		}
	}
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.JSON(fiber.Map{"lang": content.PrimaryLang(lang), "closure": cl, "holidays": holidays})
}

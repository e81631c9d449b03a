package kiosk

import (
	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/voice"
)

type languageOut struct {
	Language
	Touch string `json:"touch"` // "touch the screen to start", in this language
}

// Screen is what the page needs to know of a totem's screen. A nil field
// is unset: the page uses its own default.
type Screen struct {
	// ReachTop and ReachBottom bound the reach zone, where every control
	// lies, as fractions of the screen's height from its top (a person in
	// a wheelchair or a child reaches roughly 40 to 120 cm from the floor).
	ReachTop, ReachBottom *float64
	// Facing is the compass bearing, in degrees, a visitor looks along
	// when facing the screen: directions are then said as ahead, left,
	// behind, right.
	Facing *float64
}

// uiStrings gives the browser everything it needs to draw the UI in one
// language: the messages, the direction, the languages to offer and how
// this node behaves.
func (s *Server) uiStrings(c *fiber.Ctx) error {
	lang, err := langParam(c)
	if err != nil {
		return err
	}
	if !s.msgs.Has(lang) {
		return badRequest("lang", "Punto has no interface in "+lang)
	}
	langs := make([]languageOut, len(Languages))
	for i, l := range Languages {
		langs[i] = languageOut{Language: l, Touch: s.msgs.Localize(l.Tag, "ui.touch_to_start").Text}
	}
	c.Set(fiber.HeaderCacheControl, "no-cache")
	node := fiber.Map{
		"role":         s.cfg.Role,
		"idle_seconds": s.cfg.IdleSeconds,
		"position":     fiber.Map{"lat": s.cfg.Position[1], "lon": s.cfg.Position[0]},
		"public_url":   s.cfg.PublicURL,
		"printer":      s.cfg.Role == "totem" && s.cfg.Printer != nil,
		"reach":        fiber.Map{"top": s.cfg.Screen.ReachTop, "bottom": s.cfg.Screen.ReachBottom},
		"facing":       s.cfg.Screen.Facing,
	}
	if s.cfg.Voice != nil {
		// The languages espeak-ng reads; in the others only recorded texts are.
		node["voice"] = fiber.Map{"languages": voice.Languages()}
	}
	return c.JSON(fiber.Map{
		"lang":      baseTag(lang),
		"dir":       dirOf(lang),
		"messages":  s.msgs.Catalog(lang),
		"languages": langs,
		"node":      node,
	})
}

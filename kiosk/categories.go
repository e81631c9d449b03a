package kiosk

import (
	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
)

type categoryOut struct {
	ID       string            `json:"id"`
	Icon     string            `json:"icon"`
	IconURL  string            `json:"icon_url"`
	Name     content.Localized `json:"name"`
	Services int               `json:"services"`
}

func (s *Server) categories(c *fiber.Ctx) error {
	lang, err := langParam(c)
	if err != nil {
		return err
	}
	counts := s.store.CategoryCounts()
	out := make([]categoryOut, 0, len(content.Categories))
	for _, cat := range content.Categories {
		out = append(out, categoryOut{ID: cat.ID, Icon: cat.Icon, IconURL: iconURL(cat.Icon), Name: s.msgs.Localize(lang, "category."+cat.ID), Services: counts[cat.ID]})
	}
	return c.JSON(fiber.Map{"lang": content.PrimaryLang(lang), "categories": out})
}

// iconURL is where the UI finds a category icon (vendored from lucide-static).
func iconURL(icon string) string { return "/assets/vendor/lucide/" + icon + ".svg" }

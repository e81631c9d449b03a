package kiosk

import (
	"net/http"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/punto-totem/punto/assets"
)

// ui serves the web app: its files under /assets, the service worker and
// manifest at the root (a service worker's scope is its folder), and the
// one page at / and at every deep link /s/{id} (service_jsonld.go).
func (s *Server) ui() {
	web := http.FS(assets.Web())
	s.app.Use("/assets", filesystem.New(filesystem.Config{Root: web, MaxAge: 3600}))
	page := func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderCacheControl, "no-cache")
		return filesystem.SendFile(c, web, "index.html")
	}
	s.app.Get("/", page)
	s.app.Get("/s/:id", s.servicePage) // the same page, with the service as JSON-LD
	s.app.Get("/sw.js", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderCacheControl, "no-cache")
		return filesystem.SendFile(c, web, "sw.js")
	})
	s.app.Get("/manifest.webmanifest", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, "application/manifest+json")
		return filesystem.SendFile(c, web, "manifest.webmanifest")
	})
}

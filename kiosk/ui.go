package kiosk

import (
	"net/http"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/punto-totem/punto/assets"
)

// ui serves the web app: the files under /assets and the page at /.
func (s *Server) ui() {
	web := http.FS(assets.Web())
	s.app.Use("/assets", filesystem.New(filesystem.Config{Root: web, MaxAge: 3600}))
	s.app.Get("/", func(c *fiber.Ctx) error {
		return filesystem.SendFile(c, web, "index.html")
	})
}

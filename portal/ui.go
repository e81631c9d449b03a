package portal

import (
	"io/fs"
	"net/http"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/punto-totem/punto/assets"
)

// ui serves the editor's web app: its page at /editor and its files under
// /editor/ (from assets/web/editor). It is registered after the API, so
// /editor/api never reaches it.
func (p *portal) ui(app *fiber.App) {
	sub, err := fs.Sub(assets.Web(), "editor")
	if err != nil {
		sub = assets.Web() // fs.Sub fails only for a malformed name
	}
	web := http.FS(sub)
	page := func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderCacheControl, "no-cache")
		return filesystem.SendFile(c, web, "index.html")
	}
	app.Get("/editor", page)
	app.Get("/editor/", page)
	app.Use("/editor", filesystem.New(filesystem.Config{Root: web, MaxAge: 3600}))
}

package portal

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"net/http"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/punto-totem/punto/assets"
	"github.com/punto-totem/punto/locales"
)

// ui serves the editor's web app: its page at /editor, which carries the
// editor's words in Italian and English (locales/editor) as a JSON data
// block, and its files under /editor/ (from assets/web/editor). Words
// that do not load stop the portal from starting. It is registered after
// the API, so /editor/api never reaches it.
func (p *portal) ui(app *fiber.App) error {
	msgs, err := locales.Editor()
	if err != nil {
		return err
	}
	// json.Marshal writes <, > and & as \u escapes: no message can close
	// the element. A data block, not a script, so the
	// Content-Security-Policy lets it be.
	words, err := json.Marshal(msgs)
	if err != nil {
		return err
	}
	block := append(append([]byte(`<script type="application/json" id="editor-messages">`), words...), "</script>\n"...)
	sub, err := fs.Sub(assets.Web(), "editor")
	if err != nil {
		return err
	}
	page := func(c *fiber.Ctx) error {
		src, err := fs.ReadFile(sub, "index.html")
		if err != nil {
			return err
		}
		i := bytes.Index(src, []byte("</head>"))
		if i < 0 {
			i = len(src)
		}
		out := make([]byte, 0, len(src)+len(block))
		out = append(append(append(out, src[:i]...), block...), src[i:]...)
		c.Set(fiber.HeaderCacheControl, "no-cache")
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		return c.Send(out)
	}
	app.Get("/editor", page)
	app.Get("/editor/", page)
	app.Get("/editor/index.html", page)
	app.Use("/editor", filesystem.New(filesystem.Config{Root: http.FS(sub), MaxAge: 3600}))
	return nil
}

package portal

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"net/http"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/punto-totem/punto/assets"
	"github.com/punto-totem/punto/locales"
)

// ui serves the editor's web app: its page at /editor, which names its
// modules and stylesheet at their hashed URLs under /assets/{hash}/editor/
// (served by the public server, see assets.Site) and carries the
// editor's words in Italian and English (locales/editor) as a JSON data
// block. The page is rendered once; one that names a missing file, or
// words that do not load, stop the portal from starting. The files stay
// at their old unhashed URLs /editor/… too, for a moment's caching. It is
// registered after the API, so /editor/api never reaches it.
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
	var (
		mu       sync.Mutex
		rendered []byte
		of       string // the tree hash rendered was made from
	)
	render := func() ([]byte, string, error) {
		site, err := assets.Current()
		if err != nil {
			return nil, "", err
		}
		mu.Lock()
		defer mu.Unlock()
		if of != site.Hash() {
			page, err := site.Page("editor/index.html")
			if err != nil {
				return nil, "", err
			}
			i := bytes.Index(page, []byte("</head>"))
			if i < 0 {
				i = len(page)
			}
			out := make([]byte, 0, len(page)+len(block))
			out = append(append(append(out, page[:i]...), block...), page[i:]...)
			rendered, of = out, site.Hash()
		}
		return rendered, of, nil
	}
	if _, _, err := render(); err != nil {
		return err
	}
	page := func(c *fiber.Ctx) error {
		b, hash, err := render()
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-cache")
		etag := `"` + hash + `"`
		c.Set(fiber.HeaderETag, etag)
		if c.Get(fiber.HeaderIfNoneMatch) == etag {
			return c.SendStatus(fiber.StatusNotModified)
		}
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		return c.Send(b)
	}
	app.Get("/editor", page)
	app.Get("/editor/", page)
	app.Get("/editor/index.html", page)
	sub, err := fs.Sub(assets.Web(), "editor")
	if err != nil {
		return err
	}
	app.Use("/editor", filesystem.New(filesystem.Config{Root: http.FS(sub), MaxAge: 3600}))
	return nil
}

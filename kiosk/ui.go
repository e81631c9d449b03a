package kiosk

import (
	"io/fs"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/punto-totem/punto/assets"
)

// Cache lifetimes of the web app's files.
const (
	// A hashed URL (/assets/{hash}/…) names one content for good.
	cacheImmutable = "public, max-age=31536000, immutable"
	// An unhashed one (/assets/app.js, from a page of an older release or
	// a category icon) may change with the next release.
	cacheShort = "public, max-age=3600"
)

// ui serves the web app: its files under /assets/{hash}/ (assets.Site),
// the service worker and manifest at the root (a service worker's scope
// is its folder), and the one page at / and at every deep link /s/{id}
// (service_jsonld.go). The pages are rendered once, here: a page naming
// a file the tree lacks stops the node from starting.
func (s *Server) ui() error {
	site, err := assets.Current()
	if err != nil {
		return err
	}
	for _, name := range []string{"index.html", "sw.js", "manifest.webmanifest"} {
		if _, err := site.Page(name); err != nil {
			return err
		}
	}
	s.app.Get("/assets/*", serveAsset)
	page := func(name, contentType, cacheControl string) fiber.Handler {
		return func(c *fiber.Ctx) error {
			site, err := assets.Current()
			if err != nil {
				return err
			}
			b, err := site.Page(name)
			if err != nil {
				return err
			}
			if cacheControl != "" {
				c.Set(fiber.HeaderCacheControl, cacheControl)
			}
			// A page changes only with the tree it names. Weak: the same
			// for its compressed forms.
			etag := `W/"` + site.Hash() + `"`
			c.Set(fiber.HeaderETag, etag)
			if inm := c.Get(fiber.HeaderIfNoneMatch); inm == etag || inm == etag[2:] {
				return c.SendStatus(fiber.StatusNotModified)
			}
			c.Set(fiber.HeaderContentType, contentType)
			return c.Send(b)
		}
	}
	s.app.Get("/", page("index.html", fiber.MIMETextHTMLCharsetUTF8, "no-cache"))
	s.app.Get("/s/:id", s.servicePage) // the same page, with the service as JSON-LD
	s.app.Get("/sw.js", page("sw.js", fiber.MIMETextJavaScriptCharsetUTF8, "no-cache"))
	s.app.Get("/manifest.webmanifest", page("manifest.webmanifest", "application/manifest+json", ""))
	return nil
}

// serveAsset serves a file of the tree: at /assets/{hash}/PATH for good
// when hash is the tree's; for a moment when it is another release's
// (a page cached before an update: it gets today's file, not kept); and
// at the old unhashed /assets/PATH for a moment too.
func serveAsset(c *fiber.Ctx) error {
	site, err := assets.Current()
	if err != nil {
		return err
	}
	name := c.Params("*")
	cache := cacheShort
	if first, rest, ok := strings.Cut(name, "/"); ok && first == site.Hash() {
		name, cache = rest, cacheImmutable
	} else if ok && len(first) == assets.HashLen && isHex(first) {
		name, cache = rest, "no-cache"
	}
	if st, err := fs.Stat(site.FS(), name); err != nil || st.IsDir() {
		return notFound("no such file: " + c.Path())
	}
	if sendStatic(c, site, name) {
		c.Set(fiber.HeaderCacheControl, cache)
		return nil
	}
	if err := filesystem.SendFile(c, http.FS(site.FS()), "/"+name); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, cache)
	return nil
}

func isHex(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}
	return true
}

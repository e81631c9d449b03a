package kiosk

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
	"rsc.io/qr"
)

// qrCode draws, as SVG, a QR code of this node's public address plus a
// path of its own (a deep link /s/{id}?lang=…): the visitor scans it to
// take the page away on their phone. Only paths into the app are encoded,
// so the totem never shows a code for somewhere else.
func (s *Server) qrCode(c *fiber.Ctx) error {
	path, ok, err := query(c, "path")
	if err != nil {
		return err
	}
	if !ok || !strings.HasPrefix(path, "/s/") || len(path) > 300 {
		return badRequest("path", "must be a page of this app, such as /s/ID?lang=it")
	}
	u, err := url.Parse(path)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return badRequest("path", "must be a page of this app, such as /s/ID?lang=it")
	}
	return sendQR(c, strings.TrimSuffix(s.cfg.PublicURL, "/")+u.RequestURI(), "path")
}

// serviceLink draws the QR code of a service's own website: on a totem an
// external link is something to take away, never a place to go.
func (s *Server) serviceLink(c *fiber.Ctx) error {
	id := c.Params("id")
	if !content.ValidID(id) {
		return badRequest("id", "is not a valid service id")
	}
	svc, err := s.store.Service(c.UserContext(), id)
	if err != nil {
		return err
	}
	u, err := url.Parse(svc.URL)
	if svc.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return notFound("service " + id + " has no website")
	}
	return sendQR(c, svc.URL, "id")
}

// sendQR answers with text as an SVG QR code.
func sendQR(c *fiber.Ctx, text, field string) error {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return badRequest(field, "too long for a QR code")
	}
	const quiet = 4 // the blank margin scanners need, in modules
	n := code.Size + 2*quiet
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n, n, n)
	for y := 0; y < code.Size; y++ {
		for x := 0; x < code.Size; x++ {
			if code.Black(x, y) {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+quiet, y+quiet)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	c.Set(fiber.HeaderContentType, "image/svg+xml")
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return c.SendString(b.String())
}

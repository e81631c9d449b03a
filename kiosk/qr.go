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
// path of its own (a deep link /s/{id}?lang=…, or an event's calendar
// /api/v1/services/{id}/event.ics?lang=…): the visitor scans it to take
// the page away on their phone. Only paths into the app are encoded,
// so the totem never shows a code for somewhere else.
func (s *Server) qrCode(c *fiber.Ctx) error {
	path, ok, err := query(c, "path")
	if err != nil {
		return err
	}
	const hint = "must be a page of this app (/s/ID?lang=it) or an event's calendar (/api/v1/services/ID/event.ics?lang=it)"
	if !ok || len(path) > 300 {
		return badRequest("path", hint)
	}
	u, err := url.Parse(path)
	if err != nil || u.Host != "" || u.Scheme != "" || !(strings.HasPrefix(path, "/s/") || isCalendarPath(u.Path)) {
		return badRequest("path", hint)
	}
	return sendQR(c, strings.TrimSuffix(s.cfg.PublicURL, "/")+u.RequestURI(), "path")
}

// isCalendarPath reports whether p is an event's calendar,
// /api/v1/services/{id}/event.ics: the totem's "add to calendar" code.
func isCalendarPath(p string) bool {
	id, ok := strings.CutPrefix(p, "/api/v1/services/")
	if !ok {
		return false
	}
	id, ok = strings.CutSuffix(id, "/event.ics")
	return ok && content.ValidID(id)
}

// serviceLink draws the QR code of a service's own website: on a totem an
// external link is something to take away, never a place to go.
func (s *Server) serviceLink(c *fiber.Ctx) error {
	id, err := serviceID(c)
	if err != nil {
		return err
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
	svg, err := qrSVG(text)
	if err != nil {
		return badRequest(field, "too long for a QR code")
	}
	c.Set(fiber.HeaderContentType, "image/svg+xml")
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return c.SendString(svg)
}

// qrSVG draws text as an SVG QR code.
func qrSVG(text string) (string, error) {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return "", err
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
	return b.String(), nil
}

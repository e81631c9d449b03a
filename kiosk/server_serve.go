package kiosk

import (
	"net"

	"github.com/gofiber/fiber/v2"
)

// Serve serves on ln (a plain or a TLS listener) until Shutdown. Behind a
// TLS listener c.Protocol() is "https", so the editor's cookies are Secure.
func (s *Server) Serve(ln net.Listener) error { return s.app.Listener(ln) }

// proxyHeader is the header c.IP() reads the client's address from: none
// unless the node sits behind trusted proxies.
func proxyHeader(trusted []string) string {
	if len(trusted) == 0 {
		return ""
	}
	return fiber.HeaderXForwardedFor
}

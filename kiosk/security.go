package kiosk

import "github.com/gofiber/fiber/v2"

// contentSecurityPolicy lets pages load nothing from any host but this
// node: no third-party scripts, fonts, images or beacons, and no framing.
// MapLibre draws in blob: workers; its tiles come from this node.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"font-src 'self'; connect-src 'self'; worker-src 'self' blob:; child-src 'self' blob:; manifest-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func securityHeaders(c *fiber.Ctx) error {
	c.Set("Content-Security-Policy", contentSecurityPolicy)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
	if c.Protocol() == "https" {
		// Served over TLS (by the node, or by a trusted proxy that says
		// so): browsers come back only over TLS for a year.
		c.Set("Strict-Transport-Security", "max-age=31536000")
	}
	return c.Next()
}

package kiosk

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// openAPIDocument is the OpenAPI 3 description of everything under
// /api/v1; a test checks that every route is in it and that real answers
// match it.
//
//go:embed openapi.json
var openAPIDocument []byte

// openAPI serves the document at /api/v1/openapi.json.
func (s *Server) openAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(openAPIDocument)
}

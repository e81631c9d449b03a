package kiosk

import (
	"log/slog"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/internal/apierr"
)

// The public API's answers are apierr.Errors; these name the ones it uses.
var (
	badRequest = apierr.BadRequest
	notFound   = apierr.NotFound
)

// errorHandler answers every error of a node as JSON in apierr's one
// shape: the catalog's validation errors are the client's fault (400
// naming the field), a missing record is 404, a deadline 503; anything
// else is logged and answered 500 without details.
func errorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		return apierr.Answer(c, log, err, "the catalog is busy: try again, or ask for less")
	}
}

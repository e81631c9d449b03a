package portal

import (
	"errors"
	"log/slog"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/editorial"
	"github.com/punto-totem/punto/internal/apierr"
)

// The editor API's answers are apierr.Errors; these name the ones it uses.
var (
	badRequest      = apierr.BadRequest
	unauthenticated = apierr.Unauthenticated
	forbidden       = apierr.Forbidden
	csrfError       = apierr.CSRF
	notFound        = apierr.NotFound
	rateLimited     = apierr.RateLimited
)

func badCredentials() *apierr.Error {
	return &apierr.Error{Status: fiber.StatusUnauthorized, Code: "bad_credentials", Message: "wrong name or password"}
}

// editorialError maps editorial's refusals to answers, and mediation's,
// which are of the same kinds.
func editorialError(err error) *apierr.Error {
	var (
		fe *editorial.FieldError
		re *editorial.RecordError
	)
	switch {
	case errors.As(err, &re):
		e := apierr.From(re.Err, "", editorialError)
		if e != nil {
			e.Kind, e.ID = re.Kind, re.ID
		}
		return e
	case errors.As(err, &fe):
		return apierr.BadRequest(fe.Field, fe.Reason)
	case errors.Is(err, editorial.ErrForbidden):
		return apierr.Forbidden(err.Error())
	case errors.Is(err, editorial.ErrConflict):
		return apierr.Conflict(err.Error())
	case errors.Is(err, editorial.ErrNotFound):
		return apierr.NotFound(err.Error())
	case errors.Is(err, editorial.ErrBadCredentials):
		return badCredentials()
	}
	return nil
}

// renderErrors answers every error of the editor routes as JSON, so the
// editor API does not depend on the host application's error handler.
func renderErrors(log *slog.Logger) fiber.Handler {
	return func(c *fiber.Ctx) error {
		err := c.Next()
		if err == nil {
			return nil
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return apierr.Answer(c, log, err, "the portal is busy: try again", editorialError, CallbackError)
	}
}

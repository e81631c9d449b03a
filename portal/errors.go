package portal

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
)

// apiError is the one error type handlers return: an HTTP status, a short
// machine code, a message for people and the request field at fault.
type apiError struct {
	Status     int    `json:"-"`
	Message    string `json:"error"`
	Field      string `json:"field,omitempty"`
	Code       string `json:"code"`
	Kind       string `json:"kind,omitempty"`
	ID         string `json:"id,omitempty"`
	RetryAfter int    `json:"retry_after_s,omitempty"`
}

func (e *apiError) Error() string { return e.Message }

func badRequest(field, msg string) *apiError {
	m := msg
	if field != "" {
		m = field + ": " + msg
	}
	return &apiError{Status: fiber.StatusBadRequest, Code: "bad_request", Message: m, Field: field}
}

func unauthenticated() *apiError {
	return &apiError{Status: fiber.StatusUnauthorized, Code: "unauthenticated", Message: "not signed in, or the session has expired"}
}

func forbidden(msg string) *apiError {
	return &apiError{Status: fiber.StatusForbidden, Code: "forbidden", Message: msg}
}

func csrfError(msg string) *apiError {
	return &apiError{Status: fiber.StatusForbidden, Code: "csrf", Message: msg}
}

func notFound(msg string) *apiError {
	return &apiError{Status: fiber.StatusNotFound, Code: "not_found", Message: msg}
}

func conflict(msg string) *apiError {
	return &apiError{Status: fiber.StatusConflict, Code: "conflict", Message: msg}
}

func rateLimited(seconds int) *apiError {
	if seconds < 1 {
		seconds = 1
	}
	return &apiError{Status: fiber.StatusTooManyRequests, Code: "rate_limited", RetryAfter: seconds,
		Message: "too many attempts: try again in " + strconv.Itoa(seconds) + " s"}
}

// validation turns a catalog validation error into a 400 naming the field.
func validation(err error) (*apiError, bool) {
	var ve *content.ValidationError
	if !errors.As(err, &ve) {
		return nil, false
	}
	return badRequest(ve.Field, ve.Reason), true
}

// renderErrors answers every error of the editor routes as JSON, so the
// editor API does not depend on the host application's error handler.
func renderErrors(log *slog.Logger) fiber.Handler {
	return func(c *fiber.Ctx) error {
		err := c.Next()
		if err == nil {
			return nil
		}
		var (
			apiErr *apiError
			ferr   *fiber.Error
		)
		switch {
		case errors.As(err, &apiErr):
		case errors.Is(err, content.ErrNotFound):
			apiErr = notFound(strings.TrimPrefix(err.Error(), "content: "))
		case errors.As(err, &ferr):
			apiErr = &apiError{Status: ferr.Code, Code: "bad_request", Message: ferr.Message}
			if ferr.Code == fiber.StatusNotFound {
				apiErr.Code = "not_found"
			}
		default:
			if e, ok := validation(err); ok {
				apiErr = e
				break
			}
			if errors.Is(err, context.DeadlineExceeded) {
				apiErr = &apiError{Status: fiber.StatusServiceUnavailable, Code: "busy", Message: "the portal is busy: try again"}
				break
			}
			log.Error("editor request failed", "method", c.Method(), "path", c.Path(), "err", err)
			apiErr = &apiError{Status: fiber.StatusInternalServerError, Code: "internal", Message: "internal error"}
		}
		if apiErr.RetryAfter > 0 {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(apiErr.RetryAfter))
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Status(apiErr.Status).JSON(apiErr)
	}
}

package kiosk

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
)

// APIError is the one error type handlers return: an HTTP status, a message
// for people, and the request field at fault, if any.
type APIError struct {
	Status  int    `json:"-"`
	Message string `json:"error"`
	Field   string `json:"field,omitempty"`
}

func (e *APIError) Error() string { return e.Message }

func badRequest(field, msg string) *APIError {
	return &APIError{Status: fiber.StatusBadRequest, Message: field + ": " + msg, Field: field}
}

func notFound(msg string) *APIError {
	return &APIError{Status: fiber.StatusNotFound, Message: msg}
}

// errorHandler turns any error into a JSON body {"error": …, "field": …}.
// Validation errors from the catalog are the client's fault (400); a
// missing record is 404; anything else is logged and answered 500 without
// details.
func errorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		var (
			apiErr *APIError
			verr   *content.ValidationError
			ferr   *fiber.Error
		)
		switch {
		case errors.As(err, &apiErr):
		case errors.As(err, &verr):
			apiErr = badRequest(verr.Field, verr.Reason)
		case errors.Is(err, content.ErrNotFound):
			apiErr = notFound(strings.TrimPrefix(err.Error(), "content: "))
		case errors.Is(err, context.DeadlineExceeded):
			apiErr = &APIError{Status: fiber.StatusServiceUnavailable, Message: "the catalog is busy: try again, or ask for less"}
		case errors.As(err, &ferr):
			apiErr = &APIError{Status: ferr.Code, Message: ferr.Message}
		default:
			log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
			apiErr = &APIError{Status: fiber.StatusInternalServerError, Message: "internal error"}
		}
		return c.Status(apiErr.Status).JSON(apiErr)
	}
}

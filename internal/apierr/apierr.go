// Package apierr is the one error type of every HTTP answer Punto gives
// (the public API, the editor API and the feed's endpoint), with one JSON
// shape and one place where domain errors become statuses. Handlers
// return an *Error, or a domain error that a Mapper knows; anything else
// is logged and answered 500 without details.
package apierr

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
)

// Error is an HTTP answer that went wrong: its status, a short machine
// code, a sentence for people and the request field at fault. Kind and ID
// name the record of a batch it is about; RetryAfter is set on limits.
type Error struct {
	Status     int    `json:"-"`
	Message    string `json:"error"`
	Field      string `json:"field,omitempty"`
	Code       string `json:"code"`
	Kind       string `json:"kind,omitempty"`
	ID         string `json:"id,omitempty"`
	RetryAfter int    `json:"retry_after_s,omitempty"`
}

func (e *Error) Error() string { return e.Message }

// BadRequest is a 400 naming the field at fault (msg is prefixed with it).
func BadRequest(field, msg string) *Error {
	m := msg
	if field != "" {
		m = field + ": " + msg
	}
	return &Error{Status: fiber.StatusBadRequest, Code: "bad_request", Message: m, Field: field}
}

// Unauthenticated is a 401: no session, or it expired.
func Unauthenticated() *Error {
	return &Error{Status: fiber.StatusUnauthorized, Code: "unauthenticated", Message: "not signed in, or the session has expired"}
}

// Forbidden is a 403 saying why.
func Forbidden(msg string) *Error {
	return &Error{Status: fiber.StatusForbidden, Code: "forbidden", Message: msg}
}

// CSRF is a 403 for a missing or wrong anti-forgery token or origin.
func CSRF(msg string) *Error {
	return &Error{Status: fiber.StatusForbidden, Code: "csrf", Message: msg}
}

// NotFound is a 404.
func NotFound(msg string) *Error {
	return &Error{Status: fiber.StatusNotFound, Code: "not_found", Message: msg}
}

// Conflict is a 409.
func Conflict(msg string) *Error {
	return &Error{Status: fiber.StatusConflict, Code: "conflict", Message: msg}
}

// RateLimited is a 429 with Retry-After (at least one second).
func RateLimited(seconds int) *Error {
	seconds = max(seconds, 1)
	return &Error{Status: fiber.StatusTooManyRequests, Code: "rate_limited", RetryAfter: seconds,
		Message: "too many attempts: try again in " + strconv.Itoa(seconds) + " s"}
}

// Unavailable is a 503: busy or shutting down.
func Unavailable(msg string) *Error {
	return &Error{Status: fiber.StatusServiceUnavailable, Code: "busy", Message: msg}
}

// Mapper turns a domain error it knows into an answer, or returns nil.
type Mapper func(error) *Error

// From maps err to an answer: an *Error as it is; the catalog's
// validation errors (400 naming the field) and missing records (404);
// Fiber's own errors; a deadline (503, with busy as its message); then
// each mapper in turn. It returns nil for an error nobody knows.
func From(err error, busy string, mappers ...Mapper) *Error {
	var (
		e    *Error
		verr *content.ValidationError
		ferr *fiber.Error
	)
	switch {
	case errors.As(err, &e):
		return e
	case errors.As(err, &verr):
		return BadRequest(verr.Field, verr.Reason)
	case errors.Is(err, content.ErrNotFound):
		return NotFound(strings.TrimPrefix(err.Error(), "content: "))
	case errors.As(err, &ferr):
		code := "bad_request"
		if ferr.Code == fiber.StatusNotFound {
			code = "not_found"
		}
		return &Error{Status: ferr.Code, Code: code, Message: ferr.Message}
	case errors.Is(err, context.DeadlineExceeded):
		return Unavailable(busy)
	}
	for _, m := range mappers {
		if e := m(err); e != nil {
			return e
		}
	}
	return nil
}

// Write answers c with e as JSON, with Retry-After where it is set.
func Write(c *fiber.Ctx, e *Error) error {
	if e.RetryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(e.RetryAfter))
	}
	return c.Status(e.Status).JSON(e)
}

// Answer writes err as From maps it; an error nobody knows is logged and
// answered 500 without details.
func Answer(c *fiber.Ctx, log *slog.Logger, err error, busy string, mappers ...Mapper) error {
	e := From(err, busy, mappers...)
	if e == nil {
		log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
		e = &Error{Status: fiber.StatusInternalServerError, Code: "internal", Message: "internal error"}
	}
	return Write(c, e)
}

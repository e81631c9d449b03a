package apierr

import (
	"bytes"
	"io"
	"strconv"

	"github.com/gofiber/fiber/v2"
)

// Request bodies are bounded per route. The server streams bodies
// (fiber.Config.StreamRequestBody): nothing beyond the first few KiB is
// read before Bodies has looked at the request. Bodies reads most bodies
// at once, up to a small limit; a route that takes a large body (an
// upload) is named by later and reads it only after its own checks (the
// session, the role), with ReadBody. A body nobody read is never parsed
// as the next request: the connection closes after the answer.

// TooLarge is a 413 naming the limit.
func TooLarge(limit int) *Error {
	return &Error{Status: fiber.StatusRequestEntityTooLarge, Code: "too_large", Field: "body",
		Message: "body: larger than " + strconv.Itoa(limit) + " bytes"}
}

// Bodies bounds every request body to def bytes, except on the routes for
// which later returns a limit (more than 0): their bodies stay unread for
// ReadBody, and one declared longer than that limit is refused at once.
// Compressed bodies are refused: an inflated body would escape the limit.
func Bodies(def int, later func(method, path string) int) fiber.Handler {
	return func(c *fiber.Ctx) error {
		req := c.Request()
		if enc := c.Get(fiber.HeaderContentEncoding); enc != "" && enc != "identity" {
			return refuseBody(c, &Error{Status: fiber.StatusUnsupportedMediaType, Code: "bad_request", Field: "Content-Encoding",
				Message: "Content-Encoding: request bodies are taken uncompressed"})
		}
		if !req.IsBodyStream() {
			// Read whole by the server (tests, or no body at all).
			if len(req.Body()) > max(def, laterLimit(c, later)) {
				return refuseBody(c, TooLarge(max(def, laterLimit(c, later))))
			}
			return c.Next()
		}
		if n := laterLimit(c, later); n > 0 {
			if req.Header.ContentLength() > n {
				return refuseBody(c, TooLarge(n))
			}
			err := c.Next()
			if c.Request().IsBodyStream() {
				c.Context().SetConnectionClose()
			}
			return err
		}
		if err := readBody(c, def); err != nil {
			return err
		}
		return c.Next()
	}
}

func laterLimit(c *fiber.Ctx, later func(method, path string) int) int {
	if later == nil {
		return 0
	}
	return later(c.Method(), c.Path())
}

// ReadBody reads the body of a route Bodies left unread, up to limit
// bytes (place it after the route's own checks).
func ReadBody(limit int) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := readBody(c, limit); err != nil {
			return err
		}
		return c.Next()
	}
}

// readBody replaces a streamed body with its bytes, refusing one longer
// than limit before reading more than limit+1 bytes of it.
func readBody(c *fiber.Ctx, limit int) error {
	req := c.Request()
	if !req.IsBodyStream() {
		if len(req.Body()) > limit {
			return refuseBody(c, TooLarge(limit))
		}
		return nil
	}
	n := req.Header.ContentLength()
	if n > limit {
		return refuseBody(c, TooLarge(limit))
	}
	var body []byte
	if n >= 0 {
		// Declared: read exactly that, into one allocation.
		body = make([]byte, n)
		if _, err := io.ReadFull(req.BodyStream(), body); err != nil {
			return refuseBody(c, BadRequest("body", "the body did not arrive whole"))
		}
	} else {
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(io.LimitReader(req.BodyStream(), int64(limit)+1)); err != nil {
			return refuseBody(c, BadRequest("body", "the body did not arrive whole"))
		}
		if buf.Len() > limit {
			return refuseBody(c, TooLarge(limit))
		}
		body = buf.Bytes()
	}
	req.SetBodyRaw(body) // closes the stream
	return nil
}

// refuseBody answers e and closes the connection: what is left of the
// body is never read.
func refuseBody(c *fiber.Ctx, e *Error) error {
	c.Context().SetConnectionClose()
	return e
}

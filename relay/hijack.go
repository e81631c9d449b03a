package relay

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Fiber runs on fasthttp, while gorilla/websocket upgrades net/http
// requests. The hub bridges the two: Fiber checks the request, hands the
// raw connection over (fasthttp's Hijack, with no response of its own),
// and gorilla writes the handshake on it through this ResponseWriter.

// isUpgrade reports whether the request asks for a websocket.
func isUpgrade(c *fiber.Ctx) bool {
	return headerHas(c.Get(fiber.HeaderConnection), "upgrade") && headerHas(c.Get(fiber.HeaderUpgrade), "websocket")
}

func headerHas(v, token string) bool {
	for _, part := range strings.Split(v, ",") {
		if strings.EqualFold(strings.TrimSpace(part), token) {
			return true
		}
	}
	return false
}

// httpRequest copies what the upgrade needs from the Fiber request.
func httpRequest(c *fiber.Ctx) *http.Request {
	r := &http.Request{Method: c.Method(), Header: http.Header{}, Host: c.Hostname(), RequestURI: c.OriginalURL(), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
	c.Request().Header.VisitAll(func(k, v []byte) { r.Header.Add(string(k), string(v)) })
	return r
}

// hijacked is the http.ResponseWriter gorilla upgrades through.
type hijacked struct {
	conn   net.Conn
	header http.Header
	wrote  bool
}

func (h *hijacked) Header() http.Header {
	if h.header == nil {
		h.header = http.Header{}
	}
	return h.header
}

// WriteHeader writes a bare response: gorilla only does so to refuse an
// upgrade, which Fiber has already ruled out.
func (h *hijacked) WriteHeader(code int) {
	if h.wrote {
		return
	}
	h.wrote = true
	fmt.Fprintf(h.conn, "HTTP/1.1 %d %s\r\nConnection: close\r\n", code, http.StatusText(code))
	if err := h.Header().Write(h.conn); err != nil {
		return // the connection is gone: nothing more to say on it
	}
	fmt.Fprint(h.conn, "\r\n")
}

func (h *hijacked) Write(b []byte) (int, error) {
	h.WriteHeader(http.StatusOK)
	return h.conn.Write(b)
}

func (h *hijacked) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return h.conn, bufio.NewReadWriter(bufio.NewReader(h.conn), bufio.NewWriter(h.conn)), nil
}

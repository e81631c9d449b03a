package portal

import (
	"regexp"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/internal/apierr"
)

// Request bodies: every editor route takes at most the server's small
// default (kiosk.Config.BodyLimit), read before anything else; these take
// more, read only once the session (and for an import the admin role) is
// checked. See apierr.Bodies.
const (
	maxDraftBody = 2 << 20 // a record's draft: a territory's polygons
	maxAreaBody  = 1 << 20 // an alert's area drawn on the map
	// A recording's audio; one byte more, so that a recording just too
	// long is read and refused naming the audio.
	maxRecordingBody = content.MaxRecording + 1
)

var draftPath = regexp.MustCompile(`^/editor/api/[a-z]+/[^/]+/draft$`)

// LargeBody says which editor routes take a body larger than the server's
// default, and how large: the server leaves those bodies unread until
// the route's own checks have passed.
func LargeBody(method, path string) int {
	switch {
	case method == fiber.MethodPost && path == "/editor/api/import":
		return MaxUpload
	case method == fiber.MethodPut && draftPath.MatchString(path):
		return maxDraftBody
	case method == fiber.MethodPost && path == "/editor/api/alerts/reach":
		return maxAreaBody
	case method == fiber.MethodPut && path == "/editor/api/recordings":
		return maxRecordingBody
	}
	return 0
}

// oneImport lets one upload at a time be read and parsed: each may hold
// MaxUpload bytes and more once parsed, and imports publish one after the
// other anyway.
func (p *portal) oneImport(c *fiber.Ctx) error {
	select {
	case p.importing <- struct{}{}:
	default:
		c.Context().SetConnectionClose() // its body stays unread
		return apierr.Unavailable("another import is under way: try again when it is done")
	}
	defer func() { <-p.importing }()
	return c.Next()
}

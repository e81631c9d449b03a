package portal

import (
	"crypto/subtle"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/editorial"
	"github.com/punto-totem/punto/internal/apierr"
)

// Cookie names. Both are HttpOnly, SameSite=Strict and limited to /editor.
const (
	sessionCookie = "punto_session"
	loginCookie   = "punto_login_csrf" // the pre-session CSRF token, for login only
	csrfHeader    = "X-CSRF-Token"
	cookiePath    = "/editor"
)

const localSession = "portal.session"

// unsafeMethod reports whether a method changes state and so needs a CSRF
// token.
func unsafeMethod(m string) bool {
	switch m {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return false
	}
	return true
}

// checkOrigin refuses a state-changing request that a browser says comes
// from another site. Requests without these headers (not from a browser)
// still need the CSRF token.
func (p *portal) checkOrigin(c *fiber.Ctx) error {
	if !unsafeMethod(c.Method()) {
		return c.Next()
	}
	if c.Get("Sec-Fetch-Site") == "cross-site" {
		return csrfError("cross-site request refused")
	}
	if origin := c.Get(fiber.HeaderOrigin); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || u.Host == "" || !strings.EqualFold(u.Host, c.Hostname()) {
			return csrfError("request from another origin refused")
		}
	}
	return c.Next()
}

// sameToken compares a CSRF token in constant time; empty never matches.
func sameToken(got, want string) bool {
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// authed requires a live session and, for a state-changing request, its
// CSRF token in the X-CSRF-Token header.
func (p *portal) authed(c *fiber.Ctx) error {
	s, err := p.ed.Session(c.UserContext(), c.Cookies(sessionCookie))
	if errors.Is(err, editorial.ErrNoSession) {
		p.clearCookie(c, sessionCookie)
		return unauthenticated()
	}
	if err != nil {
		return err
	}
	if unsafeMethod(c.Method()) && !sameToken(c.Get(csrfHeader), s.CSRF) {
		return csrfError("missing or wrong " + csrfHeader + " header")
	}
	c.Locals(localSession, s)
	return c.Next()
}

// admin lets only admins through (after authed).
func (p *portal) admin(c *fiber.Ctx) error {
	if !account(c).IsAdmin() {
		return forbidden("only an admin may do this")
	}
	return c.Next()
}

// staff lets only the catalog's people through (admins and editors, after
// authed): the accounts of mediation (coordinators, mediators,
// requesters) see no draft, record or figure of the catalog's editing.
func (p *portal) staff(c *fiber.Ctx) error {
	if r := account(c).Role; r != editorial.RoleAdmin && r != editorial.RoleEditor {
		return forbidden("the catalog's editing is for editors and admins")
	}
	return c.Next()
}

func currentSession(c *fiber.Ctx) *editorial.Session {
	s, _ := c.Locals(localSession).(*editorial.Session)
	return s
}

// account is the signed-in account (after authed).
func account(c *fiber.Ctx) *editorial.Account { return currentSession(c).Account }

func (p *portal) secure(c *fiber.Ctx) bool { return p.cfg.SecureCookies || c.Protocol() == "https" }

func (p *portal) setCookie(c *fiber.Ctx, name, value string, expires time.Time) {
	c.Cookie(&fiber.Cookie{Name: name, Value: value, Path: cookiePath, Expires: expires, HTTPOnly: true,
		Secure: p.secure(c), SameSite: fiber.CookieSameSiteStrictMode})
}

func (p *portal) clearCookie(c *fiber.Ctx, name string) {
	if c.Cookies(name) == "" {
		return
	}
	c.Cookie(&fiber.Cookie{Name: name, Value: "", Path: cookiePath, Expires: time.Unix(1, 0), MaxAge: -1, HTTPOnly: true,
		Secure: p.secure(c), SameSite: fiber.CookieSameSiteStrictMode})
}

// intQuery reads an integer query parameter within bounds.
var intQuery = apierr.IntParam

// parseBody decodes a JSON request body into v, refusing unknown fields.
func parseBody(c *fiber.Ctx, v any) error {
	body := c.Body()
	if len(body) == 0 {
		return badRequest("body", "a JSON object is needed")
	}
	if err := decodeStrict(body, v); err != nil {
		return err
	}
	return nil
}

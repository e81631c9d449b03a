package portal

import (
	"time"

	"github.com/gofiber/fiber/v2"
)

// sessionOut is the answer of GET /session, login and logout.
type sessionOut struct {
	Authenticated bool       `json:"authenticated"`
	CSRFToken     string     `json:"csrf_token"`
	User          *Account   `json:"user,omitempty"`
	IdleTimeoutS  int        `json:"idle_timeout_s,omitempty"`
	IdleExpiresAt *time.Time `json:"idle_expires_at,omitempty"`
	ExpiresAt     *time.Time `json:"expires_at,omitempty"`
}

func signedIn(s *session) sessionOut {
	idle, end := s.idleExpires(), s.expires
	return sessionOut{Authenticated: true, CSRFToken: s.csrf, User: s.account,
		IdleTimeoutS: int(idleTimeout.Seconds()), IdleExpiresAt: &idle, ExpiresAt: &end}
}

// signedOut starts a pre-session: a CSRF token in a cookie, for the login
// request to send back in its header (double submit).
func (p *portal) signedOut(c *fiber.Ctx) sessionOut {
	token := newToken()
	p.setCookie(c, loginCookie, token, time.Time{})
	return sessionOut{CSRFToken: token}
}

// session answers GET /session, with or without a session.
func (p *portal) session(c *fiber.Ctx) error {
	s, err := p.lookupSession(c.UserContext(), c.Cookies(sessionCookie))
	switch {
	case err == nil:
		return c.JSON(signedIn(s))
	case err == errNoSession:
		p.clearCookie(c, sessionCookie)
		if t := c.Cookies(loginCookie); len(t) >= 32 && len(t) <= 100 {
			return c.JSON(sessionOut{CSRFToken: t}) // keep the one the browser has: another tab may use it
		}
		return c.JSON(p.signedOut(c))
	}
	return err
}

type loginIn struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

// login answers POST /login. It never tells whether an account exists: a
// wrong password, an unknown name and a disabled account answer alike, as
// do their locks.
func (p *portal) login(c *fiber.Ctx) error {
	if !sameToken(c.Get(csrfHeader), c.Cookies(loginCookie)) {
		return csrfError("missing or wrong " + csrfHeader + " header (get one from GET /editor/api/session)")
	}
	var in loginIn
	if err := parseBody(c, &in); err != nil {
		return err
	}
	name := normalizeName(in.Name)
	switch {
	case name == "":
		return badRequest("name", "is empty")
	case in.Password == "":
		return badRequest("password", "is empty")
	case len(name) > 254 || len(in.Password) > 4*maxPasswordLen:
		return &apiError{Status: fiber.StatusUnauthorized, Code: "bad_credentials", Message: "wrong name or password"}
	}
	ctx := c.UserContext()
	if ok, wait := p.addrs.allow(c.IP(), p.now()); !ok {
		return rateLimited(retrySeconds(wait))
	}
	if wait, err := p.lockedFor(ctx, name); err != nil {
		return err
	} else if wait > 0 {
		return rateLimited(retrySeconds(wait))
	}
	a, err := p.accountByName(ctx, name)
	if err != nil && err != errNoAccount {
		return err
	}
	hash := dummyHash()
	if a != nil {
		hash = a.hash
	}
	ok, err := verifyPassword(hash, in.Password)
	if err != nil {
		p.log.Error("password hash unreadable", "account", name, "err", err)
	}
	if !ok || a == nil || a.Disabled {
		if err := p.recordFailure(ctx, name); err != nil {
			return err
		}
		return &apiError{Status: fiber.StatusUnauthorized, Code: "bad_credentials", Message: "wrong name or password"}
	}
	if err := p.clearFailures(ctx, name); err != nil {
		return err
	}
	token, s, err := p.createSession(ctx, a)
	if err != nil {
		return err
	}
	p.setCookie(c, sessionCookie, token, s.expires)
	p.clearCookie(c, loginCookie)
	p.log.Info("editor signed in", "account", a.Name, "role", a.Role)
	return c.JSON(signedIn(s))
}

// logout answers POST /logout.
func (p *portal) logout(c *fiber.Ctx) error {
	if err := p.endSession(c.UserContext(), currentSession(c).hash); err != errNoSession {
		return err
	}
	p.clearCookie(c, sessionCookie)
	return c.JSON(p.signedOut(c))
}

// me answers GET /me.
func (p *portal) me(c *fiber.Ctx) error { return c.JSON(fiber.Map{"user": account(c)}) }

type passwordChangeIn struct {
	Current string `json:"current"`
	New     string `json:"new"`
}

// changePassword answers POST /me/password; every other session of the
// account ends.
func (p *portal) changePassword(c *fiber.Ctx) error {
	var in passwordChangeIn
	if err := parseBody(c, &in); err != nil {
		return err
	}
	me := account(c)
	ok, err := verifyPassword(me.hash, in.Current)
	if err != nil {
		return err
	}
	if !ok {
		return badRequest("current", "is not your password")
	}
	if err := checkPassword(in.New); err != nil {
		return badRequest("new", err.Error())
	}
	if err := p.setPassword(c.UserContext(), me.Name, me, in.New, currentSession(c).hash); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

package portal

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/editorial"
)

// sessionOut is the answer of GET /session, login and logout.
type sessionOut struct {
	Authenticated bool               `json:"authenticated"`
	CSRFToken     string             `json:"csrf_token"`
	User          *editorial.Account `json:"user,omitempty"`
	IdleTimeoutS  int                `json:"idle_timeout_s,omitempty"`
	IdleExpiresAt *time.Time         `json:"idle_expires_at,omitempty"`
	ExpiresAt     *time.Time         `json:"expires_at,omitempty"`
}

func signedIn(s *editorial.Session) sessionOut {
	idle, end := s.IdleExpires(), s.Expires
	return sessionOut{Authenticated: true, CSRFToken: s.CSRF, User: s.Account,
		IdleTimeoutS: int(editorial.IdleTimeout.Seconds()), IdleExpiresAt: &idle, ExpiresAt: &end}
}

// signedOut starts a pre-session: a CSRF token in a cookie, for the login
// request to send back in its header (double submit).
func (p *portal) signedOut(c *fiber.Ctx) sessionOut {
	token := editorial.NewToken()
	p.setCookie(c, loginCookie, token, time.Time{})
	return sessionOut{CSRFToken: token}
}

// session answers GET /session, with or without a session.
func (p *portal) session(c *fiber.Ctx) error {
	s, err := p.ed.Session(c.UserContext(), p.readCookie(c, sessionCookie))
	switch {
	case err == nil:
		return c.JSON(signedIn(s))
	case err == editorial.ErrNoSession:
		p.clearCookie(c, sessionCookie)
		if t := p.readCookie(c, loginCookie); len(t) >= 32 && len(t) <= 100 {
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
	if !sameToken(c.Get(csrfHeader), p.readCookie(c, loginCookie)) {
		return csrfError("missing or wrong " + csrfHeader + " header (get one from GET /editor/api/session)")
	}
	var in loginIn
	if err := parseBody(c, &in); err != nil {
		return err
	}
	name := editorial.NormalizeName(in.Name)
	switch {
	case name == "":
		return badRequest("name", "is empty")
	case in.Password == "":
		return badRequest("password", "is empty")
	case len(name) > 254 || len(in.Password) > 4*editorial.MaxPasswordLen:
		return badCredentials()
	}
	addr, at := strings.Clone(c.IP()), p.now()
	if ok, wait := p.addrs.allow(addr, at); !ok {
		return rateLimited(retrySeconds(wait))
	}
	token, s, err := p.ed.Login(c.UserContext(), name, in.Password)
	if err == nil {
		p.addrs.forgive(addr, at)
	}
	var locked *editorial.LockedError
	switch {
	case errors.As(err, &locked):
		return rateLimited(retrySeconds(locked.Wait))
	case errors.Is(err, editorial.ErrBadCredentials):
		if err != editorial.ErrBadCredentials {
			p.log.Error("login refused", "account", name, "err", err)
		}
		return badCredentials()
	case err != nil:
		return err
	}
	p.setCookie(c, sessionCookie, token, s.Expires)
	p.clearCookie(c, loginCookie)
	p.log.Info("editor signed in", "account", s.Account.Name, "role", s.Account.Role)
	return c.JSON(signedIn(s))
}

// logout answers POST /logout.
func (p *portal) logout(c *fiber.Ctx) error {
	if err := p.ed.EndSession(c.UserContext(), currentSession(c).Hash); err != editorial.ErrNoSession {
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
	if err := p.ed.ChangePassword(c.UserContext(), me, in.Current, in.New, currentSession(c).Hash); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

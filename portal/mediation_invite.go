package portal

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/editorial"
	"github.com/punto-totem/punto/mediation"
)

// orgInvite answers POST /mediation/orgs/{id}/invites {"email"}: the
// address becomes a requester of the body, with a login made if none
// exists, and gets a mail with a one-time link to choose its password
// (valid mediation.InviteTTL). No password is shown to the coordinator.
func (p *portal) orgInvite(c *fiber.Ctx) error {
	id, err := idParam(c, "body")
	if err != nil {
		return err
	}
	var in requesterIn
	if err := parseBody(c, &in); err != nil {
		return err
	}
	name := editorial.NormalizeName(in.Email)
	if err := p.accountRoleFree(c.UserContext(), name, editorial.RoleRequester); err != nil {
		return err
	}
	expires, err := p.cfg.Mediation.Invite(c.UserContext(), account(c), id, in.Email, in.Language)
	if err != nil {
		return err
	}
	if _, err := p.ensureAccount(c.UserContext(), account(c), name, editorial.RoleRequester); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"invited": name, "expires_at": expires})
}

type inviteIn struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// inviteAccept answers POST /editor/api/invite {"token", "password"}: the
// invitation's link sets its login's password, once, before it expires.
// Like a login it needs the pre-session's CSRF token and counts against
// the address's attempts.
func (p *portal) inviteAccept(c *fiber.Ctx) error {
	if p.cfg.Mediation == nil {
		return notFound("mediation is not enabled on this portal")
	}
	if !sameToken(c.Get(csrfHeader), p.readCookie(c, loginCookie)) {
		return csrfError("missing or wrong " + csrfHeader + " header (get one from GET /editor/api/session)")
	}
	var in inviteIn
	if err := parseBody(c, &in); err != nil {
		return err
	}
	if in.Token == "" || len(in.Token) > 100 {
		return badRequest("token", "is not an invitation's token")
	}
	if len(in.Password) > 4*editorial.MaxPasswordLen {
		return badRequest("password", "is too long")
	}
	addr, at := strings.Clone(c.IP()), p.now()
	if ok, wait := p.addrs.allow(addr, at); !ok {
		return rateLimited(retrySeconds(wait))
	}
	ctx := c.UserContext()
	// The password is checked, against the invitation's login too,
	// before the link is spent.
	name, err := p.cfg.Mediation.InviteFor(ctx, in.Token)
	if errors.Is(err, mediation.ErrInvite) {
		return badRequest("token", "this invitation link is unknown, used or expired: ask the coordinator for a new one")
	}
	if err != nil {
		return err
	}
	if err := editorial.CheckPassword(in.Password, name); err != nil {
		return badRequest("password", err.Error())
	}
	if name, err = p.cfg.Mediation.ClaimInvite(ctx, in.Token); errors.Is(err, mediation.ErrInvite) {
		return badRequest("token", "this invitation link is unknown, used or expired: ask the coordinator for a new one")
	} else if err != nil {
		return err
	}
	p.addrs.forgive(addr, at)
	a, err := p.ed.AccountByName(ctx, name)
	if err != nil {
		return err
	}
	if err := p.ed.SetPassword(ctx, name, a, in.Password, nil); err != nil {
		return err
	}
	p.log.Info("invitation accepted", "account", name)
	return c.JSON(fiber.Map{"name": name})
}

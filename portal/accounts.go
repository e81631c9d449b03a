package portal

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/editorial"
)

// accountList answers GET /accounts.
func (p *portal) accountList(c *fiber.Ctx) error {
	as, err := p.ed.Accounts(c.UserContext())
	if err != nil {
		return err
	}
	if as == nil {
		as = []*editorial.Account{}
	}
	return c.JSON(fiber.Map{"accounts": as})
}

type accountIn struct {
	Name        string   `json:"name"`
	Role        string   `json:"role"`
	Territories []string `json:"territories"`
	Password    *string  `json:"password"`
}

// accountCreate answers POST /accounts; without a password one is made
// and shown once.
func (p *portal) accountCreate(c *fiber.Ctx) error {
	var in accountIn
	if err := parseBody(c, &in); err != nil {
		return err
	}
	out := fiber.Map{}
	pw := ""
	if in.Password != nil {
		pw = *in.Password
	} else {
		pw = editorial.GeneratePassword()
		out["password"] = pw
	}
	a, err := p.ed.CreateAccount(c.UserContext(), account(c).Name, in.Name, in.Role, in.Territories, pw)
	if err != nil {
		return err
	}
	out["account"] = a
	return c.Status(fiber.StatusCreated).JSON(out)
}

// accountParam reads the account named by the path's :id.
func (p *portal) accountParam(c *fiber.Ctx) (*editorial.Account, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return nil, notFound("no such account")
	}
	a, err := p.ed.AccountByID(c.UserContext(), id)
	if errors.Is(err, editorial.ErrNotFound) {
		return nil, notFound("no such account")
	}
	return a, err
}

// accountUpdate answers PATCH /accounts/{id}.
func (p *portal) accountUpdate(c *fiber.Ctx) error {
	var in editorial.AccountChange
	if err := parseBody(c, &in); err != nil {
		return err
	}
	return p.updateAccount(c, in)
}

// accountDisable answers DELETE /accounts/{id}: accounts are disabled,
// never erased, since the audit log names them.
func (p *portal) accountDisable(c *fiber.Ctx) error {
	yes := true
	return p.updateAccount(c, editorial.AccountChange{Disabled: &yes})
}

func (p *portal) updateAccount(c *fiber.Ctx, in editorial.AccountChange) error {
	a, err := p.accountParam(c)
	if err != nil {
		return err
	}
	next, err := p.ed.UpdateAccount(c.UserContext(), account(c).Name, a.ID, in)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"account": next})
}

type passwordIn struct {
	Password *string `json:"password"`
}

// accountPassword answers POST /accounts/{id}/password: a new password,
// given or made; the account's sessions end.
func (p *portal) accountPassword(c *fiber.Ctx) error {
	var in passwordIn
	if len(c.Body()) > 0 {
		if err := parseBody(c, &in); err != nil {
			return err
		}
	}
	a, err := p.accountParam(c)
	if err != nil {
		return err
	}
	out := fiber.Map{}
	pw := ""
	if in.Password != nil {
		pw = *in.Password
		if err := editorial.CheckPassword(pw, a.Name); err != nil {
			return badRequest("password", err.Error())
		}
	} else {
		pw = editorial.GeneratePassword()
		out["password"] = pw
	}
	var keep []byte
	if a.ID == account(c).ID {
		keep = currentSession(c).Hash
	}
	if err := p.ed.SetPassword(c.UserContext(), account(c).Name, a, pw, keep); err != nil {
		return err
	}
	return c.JSON(out)
}

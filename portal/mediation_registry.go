package portal

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/editorial"
	"github.com/punto-totem/punto/mediation"
)

// mediatorList answers GET /mediation/mediators?territory=&language=.
func (p *portal) mediatorList(c *fiber.Ctx) error {
	f := mediation.MediatorFilter{Territory: c.Query("territory")}
	if l := c.Query("language"); l != "" {
		code, err := mediation.Lang(l)
		if err != nil {
			return badRequest("language", err.Error())
		}
		f.Language = code
	}
	ms, err := p.cfg.Mediation.Mediators(c.UserContext(), account(c), f)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"mediators": ms})
}

// mediatorGet answers GET /mediation/mediators/{id}.
func (p *portal) mediatorGet(c *fiber.Ctx) error {
	id, err := idParam(c, "mediator")
	if err != nil {
		return err
	}
	m, err := p.cfg.Mediation.Mediator(c.UserContext(), account(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"mediator": m})
}

// mediatorSave answers POST /mediation/mediators and PUT …/{id}. A new
// mediator gets a login (role mediator, named by their e-mail) if none
// exists; its password is shown once.
func (p *portal) mediatorSave(c *fiber.Ctx) error {
	var in mediation.Mediator
	if err := parseBody(c, &in); err != nil {
		return err
	}
	in.ID = 0
	if c.Method() == fiber.MethodPut {
		id, err := idParam(c, "mediator")
		if err != nil {
			return err
		}
		in.ID = id
	}
	if err := p.accountRoleFree(c.UserContext(), editorial.NormalizeName(in.Email), editorial.RoleMediator); err != nil {
		return err
	}
	m, err := p.cfg.Mediation.SaveMediator(c.UserContext(), account(c), in)
	if err != nil {
		return err
	}
	out := fiber.Map{"mediator": m}
	if pw, err := p.ensureAccount(c.UserContext(), account(c), m.Email, editorial.RoleMediator); err != nil {
		return err
	} else if pw != "" {
		out["password"] = pw
	}
	status := fiber.StatusOK
	if in.ID == 0 {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(out)
}

// accountRoleFree refuses a name whose account has another role than
// role, before anything is written.
func (p *portal) accountRoleFree(ctx context.Context, name, role string) error {
	a, err := p.ed.AccountByName(ctx, name)
	if errors.Is(err, editorial.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if a.Role != role {
		return badRequest("email", "an account of role "+a.Role+" has this name")
	}
	return nil
}

// ensureAccount makes a login of role for name if there is none, and
// returns its generated password ("" if the account existed). An
// existing account of another role is refused.
func (p *portal) ensureAccount(ctx context.Context, actor *editorial.Account, name, role string) (string, error) {
	a, err := p.ed.AccountByName(ctx, name)
	if err == nil {
		if a.Role != role {
			return "", badRequest("email", "an account of role "+a.Role+" has this name")
		}
		return "", nil
	}
	if !errors.Is(err, editorial.ErrNotFound) {
		return "", err
	}
	pw := editorial.GeneratePassword()
	if _, err := p.ed.CreateAccount(ctx, actor.Name, name, role, nil, pw); err != nil {
		return "", err
	}
	return pw, nil
}

// orgList answers GET /mediation/orgs.
func (p *portal) orgList(c *fiber.Ctx) error {
	os, err := p.cfg.Mediation.Orgs(c.UserContext(), account(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"orgs": os})
}

type orgIn struct {
	Name      string `json:"name"`
	Territory string `json:"territory"`
}

// orgCreate answers POST /mediation/orgs.
func (p *portal) orgCreate(c *fiber.Ctx) error {
	var in orgIn
	if err := parseBody(c, &in); err != nil {
		return err
	}
	o, err := p.cfg.Mediation.CreateOrg(c.UserContext(), account(c), in.Name, in.Territory)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"org": o})
}

type requesterIn struct {
	Email string `json:"email"`
	// Language is the language of the requester's mail (it, en…);
	// empty: Italian and English.
	Language string `json:"language"`
}

// orgRequester answers POST /mediation/orgs/{id}/requesters: the address
// becomes a requester of the body, with a login (role requester) made if
// none exists; its password is shown once.
func (p *portal) orgRequester(c *fiber.Ctx) error {
	id, err := idParam(c, "body")
	if err != nil {
		return err
	}
	var in requesterIn
	if err := parseBody(c, &in); err != nil {
		return err
	}
	if err := p.accountRoleFree(c.UserContext(), editorial.NormalizeName(in.Email), editorial.RoleRequester); err != nil {
		return err
	}
	if in.Language != "" && !slices.Contains(mediation.MailLanguages(), in.Language) {
		return badRequest("language", "must be one of "+strings.Join(mediation.MailLanguages(), ", ")+", or empty for Italian and English")
	}
	o, err := p.cfg.Mediation.AddRequester(c.UserContext(), account(c), id, in.Email)
	if err != nil {
		return err
	}
	if err := p.cfg.Mediation.SetMailLanguage(c.UserContext(), account(c), in.Email, in.Language); err != nil {
		return err
	}
	out := fiber.Map{"org": o}
	if pw, err := p.ensureAccount(c.UserContext(), account(c), editorial.NormalizeName(in.Email), editorial.RoleRequester); err != nil {
		return err
	} else if pw != "" {
		out["password"] = pw
	}
	return c.JSON(out)
}

// budgetList answers GET /mediation/budgets?territory=.
func (p *portal) budgetList(c *fiber.Ctx) error {
	bs, err := p.cfg.Mediation.Budgets(c.UserContext(), account(c), c.Query("territory"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"budgets": bs})
}

type budgetIn struct {
	Programme string  `json:"programme"`
	Territory string  `json:"territory"`
	Hours     float64 `json:"hours"`
}

// budgetSave answers POST /mediation/budgets and PUT …/{id}.
func (p *portal) budgetSave(c *fiber.Ctx) error {
	var in budgetIn
	if err := parseBody(c, &in); err != nil {
		return err
	}
	var id int64
	if c.Method() == fiber.MethodPut {
		var err error
		if id, err = idParam(c, "budget"); err != nil {
			return err
		}
	}
	b, err := p.cfg.Mediation.SaveBudget(c.UserContext(), account(c), id, in.Programme, in.Territory, in.Hours)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if id == 0 {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(fiber.Map{"budget": b})
}

package portal

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/editorial"
	"github.com/punto-totem/punto/fleet"
)

// totemList answers GET /totems.
func (p *portal) totemList(c *fiber.Ctx) error {
	ts, err := p.fl.Totems(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"totems": ts})
}

type totemIn struct {
	ID    string     `json:"id"`
	Name  string     `json:"name"`
	Point *orb.Point `json:"point"`
}

// totemIssue answers POST /totems: registers a totem or gives it a new
// token, shown this once.
func (p *portal) totemIssue(c *fiber.Ctx) error {
	ctx := c.UserContext()
	var in totemIn
	if err := parseBody(c, &in); err != nil {
		return err
	}
	if !content.ValidID(in.ID) {
		return badRequest("id", fmt.Sprintf("%q is not a valid id", in.ID))
	}
	if len(in.Name) > 200 {
		return badRequest("name", "longer than 200 characters")
	}
	if in.Point == nil {
		return badRequest("point", "is needed, as [lon, lat]")
	}
	if err := content.ValidPoint(*in.Point); err != nil {
		return badRequest("point", err.Error())
	}
	before, err := p.totem(c, in.ID)
	if err != nil && !errors.Is(err, content.ErrNotFound) {
		return err
	}
	token, err := p.fl.AddTotem(ctx, in.ID, in.Name, *in.Point)
	if err != nil {
		return err
	}
	after, err := p.totem(c, in.ID)
	if err != nil {
		return err
	}
	if err := p.auditTotem(c, "totem.token", before, after); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"totem": after, "token": token})
}

// totemRevoke answers POST /totems/{id}/revoke: the token stops working
// and the totem is disconnected now.
func (p *portal) totemRevoke(c *fiber.Ctx) error {
	id := c.Params("id")
	before, err := p.totem(c, id)
	if err != nil {
		return err
	}
	if err := p.fl.RevokeTotem(c.UserContext(), id); err != nil {
		return err
	}
	p.cfg.Publisher.Kick(id)
	after, err := p.totem(c, id)
	if err != nil {
		return err
	}
	if err := p.auditTotem(c, "totem.revoke", before, after); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"totem": after})
}

// totem finds one registered totem, or content.ErrNotFound.
func (p *portal) totem(c *fiber.Ctx, id string) (*fleet.Totem, error) {
	ts, err := p.fl.Totems(c.UserContext())
	if err != nil {
		return nil, err
	}
	for i := range ts {
		if ts[i].ID == id {
			return &ts[i], nil
		}
	}
	return nil, fmt.Errorf("%w: totem %q", content.ErrNotFound, id)
}

func (p *portal) auditTotem(c *fiber.Ctx, action string, before, after *fleet.Totem) error {
	e := editorial.AuditEntry{Actor: account(c).Name, Action: action, Kind: "totem", RecordID: after.ID, After: editorial.JSONOf(after)}
	if before != nil {
		e.Before = editorial.JSONOf(before)
	}
	return p.ed.Audit(c.UserContext(), e)
}

// fleet reports every totem's state: online, lag, flags, last report.
func (p *portal) fleet(c *fiber.Ctx) error {
	if p.cfg.Fleet == nil {
		return notFound("this portal keeps no fleet view")
	}
	ts, err := p.cfg.Fleet(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"totems": ts, "heartbeat_s": int(p.cfg.Heartbeat.Seconds())})
}

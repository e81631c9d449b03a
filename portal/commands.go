package portal

import (
	"context"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/editorial"
	"github.com/punto-totem/punto/fleet"
)

// Commander sends signed commands to totems (the portal's hub implements
// it).
type Commander interface {
	// Command signs the command, records it and sends it to the totems it
	// names (now, or when they connect, until ttl has passed). Problems
	// with the command come back as *content.ValidationError.
	Command(ctx context.Context, author string, cmd *fleet.Command, ttl time.Duration) error
	// Commands lists the latest commands with each totem's state.
	Commands(ctx context.Context) ([]fleet.CommandRecord, error)
}

// defaultCommandTTL is how long a command waits for an offline totem
// unless the admin says otherwise.
const defaultCommandTTL = 10 * time.Minute

type commandIn struct {
	Action  string       `json:"action"`
	Totems  []string     `json:"totems"`
	Text    content.Text `json:"text"`
	Minutes int          `json:"minutes"`
	TTL     int          `json:"ttl_s"`
}

// commandSend answers POST /commands (admin): reload a totem's screen,
// show a message on it for some minutes, or restart its service.
func (p *portal) commandSend(c *fiber.Ctx) error {
	if p.cfg.Commander == nil {
		return notFound("this portal sends no commands")
	}
	var in commandIn
	if err := parseBody(c, &in); err != nil {
		return err
	}
	ttl := defaultCommandTTL
	if in.TTL != 0 {
		ttl = time.Duration(in.TTL) * time.Second
	}
	cmd := &fleet.Command{Action: in.Action, Totems: in.Totems, Text: in.Text, Minutes: in.Minutes}
	ctx := c.UserContext()
	if err := p.cfg.Commander.Command(ctx, account(c).Name, cmd, ttl); err != nil {
		var ve *content.ValidationError
		if errors.As(err, &ve) {
			return badRequest(ve.Field, ve.Reason)
		}
		return err
	}
	e := editorial.AuditEntry{Actor: account(c).Name, Action: "command." + cmd.Action, Kind: "command", RecordID: cmd.ID, After: editorial.JSONOf(cmd)}
	if err := p.ed.Audit(ctx, e); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"command": cmd})
}

// commandList answers GET /commands (admin): the latest commands and where
// each totem stands with them.
func (p *portal) commandList(c *fiber.Ctx) error {
	if p.cfg.Commander == nil {
		return notFound("this portal sends no commands")
	}
	cs, err := p.cfg.Commander.Commands(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"commands": cs})
}

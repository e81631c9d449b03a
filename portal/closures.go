package portal

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/editorial"
)

// Closure mode: one action closes a territory's in-person desks for a
// range of dates and brings its phone desks forward on every totem
// standing in it; ending it restores the screens. A closure goes out at
// once as a change of the feed (kind "closure"), audited like every
// publish. An editor closes only their own territories.
//
//	GET    /closures         every closure, with whether it holds today
//	POST   /closures         {territory, starts_on, ends_on}: start one
//	DELETE /closures/:id     end one

func (p *portal) closureRoutes(api fiber.Router) {
	api.Get("/closures", p.authed, p.staff, p.closureList)
	api.Post("/closures", p.authed, p.staff, p.closureStart)
	api.Delete("/closures/:id", p.authed, p.staff, p.closureEnd)
}

type closureOut struct {
	content.Closure
	TerritoryName content.Text `json:"territory_name"`
	InForce       bool         `json:"in_force"`
	Mine          bool         `json:"mine"`
}

func (p *portal) closureList(c *fiber.Ctx) error {
	ctx := c.UserContext()
	cs, err := p.st.Closures(ctx)
	if err != nil {
		return err
	}
	me := account(c)
	now := p.now()
	out := make([]closureOut, 0, len(cs))
	for _, cl := range cs {
		o := closureOut{Closure: cl, InForce: cl.InForce(now), Mine: mayClose(me, cl.Territory)}
		if t, err := p.st.Territory(ctx, cl.Territory); err == nil {
			o.TerritoryName = t.Name
		}
		out = append(out, o)
	}
	return c.JSON(fiber.Map{"closures": out, "today": now.In(content.Rome).Format("2006-01-02")})
}

// mayClose reports whether the account may start or end a closure of a
// territory: an admin anywhere, an editor in their territories.
func mayClose(me *editorial.Account, territory string) bool {
	return me.IsAdmin() || slices.Contains(me.Territories, territory)
}

// closureInput is the body of POST /closures.
type closureInput struct {
	Territory string `json:"territory"`
	StartsOn  string `json:"starts_on"`
	EndsOn    string `json:"ends_on"`
}

func (p *portal) closureStart(c *fiber.Ctx) error {
	var in closureInput
	if err := parseBody(c, &in); err != nil {
		return err
	}
	ctx := c.UserContext()
	in.Territory = strings.TrimSpace(in.Territory)
	// One closure per territory and first day: starting it again moves
	// its last day.
	cl := &content.Closure{ID: "closure", Territory: in.Territory, StartsOn: in.StartsOn, EndsOn: in.EndsOn, UpdatedAt: p.now().UTC().Truncate(time.Second)}
	if in.Territory == "" {
		return badRequest("territory", "is needed")
	}
	if err := cl.Validate(); err != nil {
		return publishError(err, nil)
	}
	if cl.ID = in.Territory + "-" + in.StartsOn; !content.ValidID(cl.ID) {
		return badRequest("territory", "too long")
	}
	if _, err := p.st.Territory(ctx, in.Territory); errors.Is(err, content.ErrNotFound) {
		return badRequest("territory", "no territory "+in.Territory)
	} else if err != nil {
		return err
	}
	if !mayClose(account(c), in.Territory) {
		return forbidden("this territory is not yours to close")
	}
	var before []byte
	if old, err := p.st.Closure(ctx, cl.ID); err == nil {
		before = editorial.JSONOf(old)
	} else if !errors.Is(err, content.ErrNotFound) {
		return err
	}
	change := content.Change{Kind: content.KindClosure, ID: cl.ID, Op: content.OpPut, Doc: editorial.JSONOf(cl)}
	seq, err := p.ed.Publish(ctx, p.cfg.Publisher, account(c).Name, "closure.start", []editorial.Release{{Change: change, Before: before}})
	if err != nil {
		return publishError(err, []content.Change{change})
	}
	return c.JSON(fiber.Map{"seq": seq, "closure": cl})
}

func (p *portal) closureEnd(c *fiber.Ctx) error {
	ctx := c.UserContext()
	id := c.Params("id")
	if !content.ValidID(id) {
		return badRequest("id", "not a closure id")
	}
	old, err := p.st.Closure(ctx, id)
	if errors.Is(err, content.ErrNotFound) {
		return notFound("no such closure")
	} else if err != nil {
		return err
	}
	if !mayClose(account(c), old.Territory) {
		return forbidden("this territory is not yours to reopen")
	}
	change := content.Change{Kind: content.KindClosure, ID: old.ID, Op: content.OpDelete}
	seq, err := p.ed.Publish(ctx, p.cfg.Publisher, account(c).Name, "closure.end", []editorial.Release{{Change: change, Before: editorial.JSONOf(old)}})
	if err != nil {
		return publishError(err, []content.Change{change})
	}
	return c.JSON(fiber.Map{"seq": seq})
}

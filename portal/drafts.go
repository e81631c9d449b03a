package portal

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
)

type draftOut struct {
	Kind      string       `json:"kind"`
	ID        string       `json:"id"`
	Name      content.Text `json:"name"`
	Author    string       `json:"author"`
	UpdatedAt time.Time    `json:"updated_at"`
	Published bool         `json:"published"`
	Editable  bool         `json:"editable"`
}

// draftList answers GET /drafts: an admin sees every draft, an editor
// those they may edit and their own.
func (p *portal) draftList(c *fiber.Ctx) error {
	ctx := c.UserContext()
	me := account(c)
	ds, err := p.ed.Drafts(ctx, "")
	if err != nil {
		return err
	}
	g := p.ed.Guard(ctx, me)
	out := []draftOut{}
	for _, d := range ds {
		k, ok := kindNamed(d.Kind)
		if !ok {
			continue
		}
		_, pub, found, err := p.published(ctx, d.Kind, d.ID)
		if err != nil {
			return err
		}
		v, _ := content.DecodeDoc(d.Kind, d.Doc)
		editable, err := g.May(k.name, pub, v)
		if err != nil {
			return err
		}
		if !editable && d.Author != me.Name {
			continue
		}
		o := draftOut{Kind: d.Kind, ID: d.ID, Author: d.Author, UpdatedAt: d.UpdatedAt, Published: found, Editable: editable}
		if v != nil {
			o.Name = itemOf(d.Kind, v).Name
		}
		out = append(out, o)
	}
	return c.JSON(fiber.Map{"drafts": out})
}

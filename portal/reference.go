package portal

import (
	"slices"

	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/editorial"
)

// reference answers GET /reference: the fixed lists the forms offer.
func (p *portal) reference(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{
		"languages":           editorial.UILanguages,
		"source_language":     editorial.SourceLanguage,
		"categories":          content.Categories,
		"statuses":            []content.Status{content.StatusActive, content.StatusTemporarilyClosed, content.StatusWithdrawn},
		"phone_types":         []string{"voice", "cell", "text", "fax", "video", "textphone"},
		"alert_severities":    []string{"info", "warning"},
		"alert_targets":       []string{"all", "territory", "totems", "area"},
		"territory_kinds":     []string{"ambito", "zona", "comune", "other"},
		"password_min_length": editorial.MinPasswordLen,
	})
}

type territoryOut struct {
	ID       string           `json:"id"`
	Kind     string           `json:"kind"`
	Region   string           `json:"region"`
	Name     content.Text     `json:"name"`
	Shape    orb.MultiPolygon `json:"shape"`
	BBox     [4]float64       `json:"bbox"`
	Mine     bool             `json:"mine"`
	HasDraft bool             `json:"has_draft"`
}

// territoryList answers GET /territories: every territory with its shape,
// and which are the user's.
func (p *portal) territoryList(c *fiber.Ctx) error {
	ctx := c.UserContext()
	ts, err := p.st.AllTerritories(ctx)
	if err != nil {
		return err
	}
	drafts, err := p.ed.Drafts(ctx, content.KindTerritory)
	if err != nil {
		return err
	}
	drafted := map[string]bool{}
	for _, d := range drafts {
		drafted[d.ID] = true
	}
	me := account(c)
	out := make([]territoryOut, 0, len(ts))
	for _, t := range ts {
		b := t.Shape.Bound()
		out = append(out, territoryOut{ID: t.ID, Kind: t.Kind, Region: t.Region, Name: t.Name, Shape: t.Shape,
			BBox: [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]},
			Mine: me.IsAdmin() || slices.Contains(me.Territories, t.ID), HasDraft: drafted[t.ID]})
	}
	return c.JSON(fiber.Map{"territories": out})
}

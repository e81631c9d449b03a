package portal

import (
	"errors"

	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/content"
)

type reachIn struct {
	TargetKind string `json:"target_kind"`
	Target     string `json:"target"`
}

type reachedTotem struct {
	ID    string    `json:"id"`
	Name  string    `json:"name"`
	Point orb.Point `json:"point"`
}

// alertReach answers POST /alerts/reach: the registered totems an alert
// with this target would show on (for an editor, only those in their
// territories), worked out as each totem does it (its
// position against the territories and the drawn area).
func (p *portal) alertReach(c *fiber.Ctx) error {
	ctx := c.UserContext()
	var in reachIn
	if err := parseBody(c, &in); err != nil {
		return err
	}
	a := content.Alert{TargetKind: in.TargetKind, Target: in.Target}
	switch in.TargetKind {
	case "all", "":
	case "territory", "totems":
		if in.Target == "" {
			return badRequest("target", "names no "+in.TargetKind)
		}
	case "area":
		if _, err := a.Area(); err != nil {
			var ve *content.ValidationError
			if errors.As(err, &ve) {
				return badRequest(ve.Field, ve.Reason)
			}
			return err
		}
	default:
		return badRequest("target_kind", "must be all, territory, totems or area")
	}
	ts, err := p.fl.Totems(ctx)
	if err != nil {
		return err
	}
	out := []reachedTotem{}
	g := p.ed.Guard(ctx, account(c))
	for _, t := range ts {
		if t.Revoked {
			continue
		}
		// An editor sees only the totems standing in their territories,
		// whatever the alert aims at.
		if ok, err := g.PointsInside(t.Point); err != nil {
			return err
		} else if !ok {
			continue
		}
		var ids []string
		if in.TargetKind == "territory" {
			terrs, err := p.st.TerritoriesAt(ctx, t.Point)
			if err != nil {
				return err
			}
			for _, tr := range terrs {
				ids = append(ids, tr.ID)
			}
		}
		if a.Reaches(t.Point, t.ID, ids) {
			out = append(out, reachedTotem{ID: t.ID, Name: t.Name, Point: t.Point})
		}
	}
	return c.JSON(fiber.Map{"totems": out})
}

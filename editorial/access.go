package editorial

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/fleet"
)

// Guard decides what one account may write. An admin may write anything.
// An editor may write a service only if every location of it, before and
// after the change, lies inside one of their territories, and an alert
// only if it is aimed at their territories (or at totems standing in
// them). Shapes are read once per guard, that is once per request.
type Guard struct {
	s      *Store
	ctx    context.Context
	acct   *Account
	shapes []orb.MultiPolygon
	loaded bool
	totems map[string]orb.Point
}

// Guard returns the access rules of account a for one request.
func (s *Store) Guard(ctx context.Context, a *Account) *Guard {
	return &Guard{s: s, ctx: ctx, acct: a}
}

// inside reports whether pt lies in one of the editor's territories.
func (g *Guard) inside(pt orb.Point) (bool, error) {
	if !g.loaded {
		for _, id := range g.acct.Territories {
			t, err := g.s.cat.Territory(g.ctx, id)
			if errors.Is(err, content.ErrNotFound) {
				continue
			}
			if err != nil {
				return false, err
			}
			g.shapes = append(g.shapes, t.Shape)
		}
		g.loaded = true
	}
	for _, s := range g.shapes {
		if planar.MultiPolygonContains(s, pt) {
			return true, nil
		}
	}
	return false, nil
}

func (g *Guard) territoryList() string {
	if len(g.acct.Territories) == 0 {
		return "none"
	}
	return strings.Join(g.acct.Territories, ", ")
}

// check returns nil if the account may write a record of this kind whose
// versions (before and after: nil ones are skipped) are docs, else a 403
// saying why.
func (g *Guard) Check(kind string, docs ...any) error {
	if g.acct.IsAdmin() {
		return nil
	}
	if g.acct.Role != RoleEditor {
		return forbidden(fmt.Sprintf("a %s may not change catalog records", g.acct.Role))
	}
	switch kind {
	case content.KindService:
		return g.checkServices(docs)
	case content.KindAlert:
		for _, d := range docs {
			if a, ok := d.(*content.Alert); ok && a != nil {
				if err := g.checkAlert(a); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return forbidden(fmt.Sprintf("only an admin may change a %s", kind))
}

// may is check as a yes or no, for the "editable" flags.
func (g *Guard) May(kind string, docs ...any) (bool, error) {
	err := g.Check(kind, docs...)
	if errors.Is(err, ErrForbidden) {
		return false, nil
	}
	return err == nil, err
}

func (g *Guard) checkServices(docs []any) error {
	var ids []string
	for _, d := range docs {
		s, ok := d.(*content.Service)
		if !ok || s == nil {
			continue
		}
		for i, l := range s.Locations {
			if l.NoPoint {
				// Not on the map (a phone desk, an online service): in no
				// territory, as a service with no location is.
				ids = append(ids, l.ID)
				continue
			}
			ok, err := g.inside(l.Point)
			if err != nil {
				return err
			}
			if !ok {
				return forbidden(fmt.Sprintf("service %s: location %s (locations[%d]) at %v, %v lies outside your territories (%s)",
					s.ID, l.ID, i, l.Point[0], l.Point[1], g.territoryList()))
			}
			ids = append(ids, l.ID)
		}
	}
	// A location is shared by ID: writing one moves it for every service
	// there, so where it stands now must be the editor's too.
	now, err := g.s.cat.LocationPoints(g.ctx, ids)
	if err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(now)) {
		ok, err := g.inside(now[id])
		if err != nil {
			return err
		}
		if !ok {
			return forbidden(fmt.Sprintf("location %s now stands outside your territories (%s)", id, g.territoryList()))
		}
	}
	return nil
}

func (g *Guard) checkAlert(a *content.Alert) error {
	switch a.TargetKind {
	case "territory":
		if slices.Contains(g.acct.Territories, a.Target) {
			return nil
		}
		return forbidden(fmt.Sprintf("alert %s is aimed at territory %s, not one of yours (%s)", a.ID, a.Target, g.territoryList()))
	case "totems":
		if g.totems == nil {
			ts, err := g.s.totems.Totems(g.ctx)
			if err != nil {
				return err
			}
			g.totems = map[string]orb.Point{}
			for _, t := range ts {
				g.totems[t.ID] = t.Point
			}
		}
		for _, id := range strings.Split(a.Target, ",") {
			id = strings.TrimSpace(id)
			pt, known := g.totems[id]
			if !known {
				return forbidden(fmt.Sprintf("alert %s is aimed at totem %q, which is not registered", a.ID, id))
			}
			ok, err := g.inside(pt)
			if err != nil {
				return err
			}
			if !ok {
				return forbidden(fmt.Sprintf("alert %s is aimed at totem %s, which stands outside your territories (%s)", a.ID, id, g.territoryList()))
			}
		}
		return nil
	case "area":
		return g.checkArea(a)
	}
	return forbidden(fmt.Sprintf("alert %s is aimed at every totem: only an admin may do that", a.ID))
}

// pointsInside reports whether every point is inside the editor's
// territories (true for an admin).
func (g *Guard) PointsInside(pts ...orb.Point) (bool, error) {
	if g.acct.IsAdmin() {
		return true, nil
	}
	for _, pt := range pts {
		ok, err := g.inside(pt)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// checkArea lets an editor aim an alert at a drawn area only inside their
// territories: every corner of it, and every totem it reaches, must lie in
// one of them.
func (g *Guard) checkArea(a *content.Alert) error {
	mp, err := a.Area()
	if err != nil {
		return invalid("target", err.Error())
	}
	for _, poly := range mp {
		for _, ring := range poly {
			for _, pt := range ring {
				ok, err := g.inside(pt)
				if err != nil {
					return err
				}
				if !ok {
					return forbidden(fmt.Sprintf("alert %s: the area reaches %v, %v, outside your territories (%s)", a.ID, pt[0], pt[1], g.territoryList()))
				}
			}
		}
	}
	reached, err := g.s.TotemsIn(g.ctx, mp)
	if err != nil {
		return err
	}
	for _, t := range reached {
		ok, err := g.inside(t.Point)
		if err != nil {
			return err
		}
		if !ok {
			return forbidden(fmt.Sprintf("alert %s: the area holds totem %s, which stands outside your territories (%s)", a.ID, t.ID, g.territoryList()))
		}
	}
	return nil
}

// TotemsIn lists the registered totems (not revoked) standing inside an
// area.
func (s *Store) TotemsIn(ctx context.Context, mp orb.MultiPolygon) ([]fleet.Totem, error) {
	ts, err := s.totems.Totems(ctx)
	if err != nil {
		return nil, err
	}
	var out []fleet.Totem
	for _, t := range ts {
		if !t.Revoked && planar.MultiPolygonContains(mp, t.Point) {
			out = append(out, t)
		}
	}
	return out, nil
}

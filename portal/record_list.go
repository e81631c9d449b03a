package portal

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/editorial"
)

// listItem is one row of a record list.
type listItem struct {
	Kind       string                   `json:"kind"`
	ID         string                   `json:"id"`
	Name       content.Text             `json:"name"`
	Status     content.Status           `json:"status,omitempty"`
	Categories []string                 `json:"categories,omitempty"`
	Locations  []content.ListedLocation `json:"locations,omitempty"`
	TargetKind string                   `json:"target_kind,omitempty"`
	Target     string                   `json:"target,omitempty"`
	StartsAt   *time.Time               `json:"starts_at,omitempty"`
	EndsAt     *time.Time               `json:"ends_at,omitempty"`
	Position   *int                     `json:"position,omitempty"`
	Published  bool                     `json:"published"`
	Draft      *draftInfo               `json:"draft"`
	Editable   bool                     `json:"editable"`

	pub, drafted any // typed versions, for the editable flag
}

type draftInfo struct {
	Author    string    `json:"author"`
	UpdatedAt time.Time `json:"updated_at"`
}

// listFilter is what a list request asks for.
type listFilter struct {
	q, category, status string
	territory           *content.Territory
	editable            bool
}

// itemOf summarises a typed record for a list.
func itemOf(kind string, v any) listItem {
	it := listItem{Kind: kind, ID: docID(v)}
	switch r := v.(type) {
	case *content.Service:
		it.Name, it.Status, it.Categories = r.Name, r.Status, r.Categories
		for _, l := range r.Locations {
			it.Locations = append(it.Locations, content.ListedLocation{ID: l.ID, Comune: l.Comune, Point: l.Point, NoPoint: l.NoPoint})
		}
	case *content.Alert:
		start, end := r.StartsAt, r.EndsAt
		it.Name, it.TargetKind, it.Target, it.StartsAt, it.EndsAt = r.Text, r.TargetKind, r.Target, &start, &end
	case *content.Page:
		pos := r.Position
		it.Name, it.Position = r.Title, &pos
	case *content.Organization:
		it.Name = r.Name
	case *content.TerritoryDoc:
		it.Name = r.Name
	}
	return it
}

// matches applies the filter to a row (the SQL side has already applied
// what it could to published services).
func (f *listFilter) matches(it *listItem) bool {
	if q := strings.ToLower(strings.TrimSpace(f.q)); q != "" {
		hit := strings.Contains(strings.ToLower(it.ID), q)
		for _, v := range it.Name {
			hit = hit || strings.Contains(strings.ToLower(v), q)
		}
		for _, l := range it.Locations {
			hit = hit || strings.Contains(strings.ToLower(l.Comune), q)
		}
		if !hit {
			return false
		}
	}
	if f.category != "" && !slices.Contains(it.Categories, f.category) {
		return false
	}
	switch f.status {
	case "":
	case "draft":
		if it.Draft == nil {
			return false
		}
	default:
		if string(it.Status) != f.status {
			return false
		}
	}
	if t := f.territory; t != nil {
		switch it.Kind {
		case content.KindService:
			in := false
			for _, l := range it.Locations {
				in = in || !l.NoPoint && planar.MultiPolygonContains(t.Shape, l.Point)
			}
			if !in {
				return false
			}
		case content.KindAlert:
			if it.TargetKind != "territory" || it.Target != t.ID {
				return false
			}
		}
	}
	return true
}

func (p *portal) parseListFilter(c *fiber.Ctx, k *recordKind) (*listFilter, error) {
	f := &listFilter{q: c.Query("q"), category: c.Query("category"), status: c.Query("status")}
	if len(f.q) > 200 {
		return nil, badRequest("q", "longer than 200 characters")
	}
	if k.event {
		if f.category != "" && f.category != "events" {
			return nil, badRequest("category", "events are the category events")
		}
		f.category = "events"
	}
	if f.category != "" {
		if _, ok := content.CategoryByID(f.category); !ok {
			return nil, badRequest("category", "no such category")
		}
	}
	switch f.status {
	case "", "draft", string(content.StatusActive), string(content.StatusTemporarilyClosed), string(content.StatusWithdrawn):
	default:
		return nil, badRequest("status", "must be active, temporarily_closed, withdrawn or draft")
	}
	if id := c.Query("territory"); id != "" {
		t, err := p.st.Territory(c.UserContext(), id)
		if errors.Is(err, content.ErrNotFound) {
			return nil, badRequest("territory", "no such territory")
		}
		if err != nil {
			return nil, err
		}
		f.territory = t
	}
	switch c.Query("editable") {
	case "", "false", "0":
	case "true", "1":
		f.editable = true
	default:
		return nil, badRequest("editable", "must be true or false")
	}
	return f, nil
}

// list answers GET /{kind}: published records and drafts of new ones.
func (p *portal) list(k *recordKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		f, err := p.parseListFilter(c, k)
		if err != nil {
			return err
		}
		limit, err := intQuery(c, "limit", 100, 1, 500)
		if err != nil {
			return err
		}
		offset, err := intQuery(c, "offset", 0, 0, 1<<30)
		if err != nil {
			return err
		}
		items, err := p.publishedItems(ctx, k, f)
		if err != nil {
			return err
		}
		drafts, err := p.ed.Drafts(ctx, k.name)
		if err != nil {
			return err
		}
		pos := map[string]int{}
		for i := range items {
			pos[items[i].ID] = i
		}
		for _, d := range drafts {
			v, err := content.DecodeDoc(k.name, d.Doc)
			if err != nil {
				continue // a draft the rules now refuse is not listed
			}
			info := &draftInfo{Author: d.Author, UpdatedAt: d.UpdatedAt}
			if i, ok := pos[d.ID]; ok {
				items[i].Draft, items[i].drafted = info, v
				continue
			}
			it := itemOf(k.name, v)
			it.Draft, it.drafted = info, v
			items = append(items, it)
		}
		g := p.ed.Guard(ctx, account(c))
		out := []listItem{}
		for i := range items {
			it := &items[i]
			if !f.matches(it) {
				continue
			}
			if it.Editable, err = p.editable(g, k, it); err != nil {
				return err
			}
			if f.editable && !it.Editable {
				continue
			}
			out = append(out, *it)
		}
		total := len(out)
		out = out[min(offset, total):min(offset+limit, total)]
		return c.JSON(fiber.Map{"total": total, "items": out})
	}
}

// editable says whether the account may change a listed record. Services
// are judged on the listed locations (their published and drafted
// points); the write itself checks everything again.
func (p *portal) editable(g *editorial.Guard, k *recordKind, it *listItem) (bool, error) {
	if k.name != content.KindService {
		return g.May(k.name, it.pub, it.drafted)
	}
	// A location not on the map is in no territory: it does not count.
	var pts []orb.Point
	for _, l := range it.Locations {
		if !l.NoPoint {
			pts = append(pts, l.Point)
		}
	}
	if s, ok := it.drafted.(*content.Service); ok {
		for _, l := range s.Locations {
			if !l.NoPoint {
				pts = append(pts, l.Point)
			}
		}
	}
	return g.PointsInside(pts...)
}

// publishedItems lists the published records of a kind, the filter
// applied where the store can.
func (p *portal) publishedItems(ctx context.Context, k *recordKind, f *listFilter) ([]listItem, error) {
	var out []listItem
	switch k.name {
	case content.KindService:
		sf := content.ServiceFilter{Text: f.q, Category: f.category}
		if f.status != "draft" {
			sf.Status = content.Status(f.status)
		}
		if f.territory != nil {
			b := f.territory.Shape.Bound()
			sf.Bound = &b
		}
		rows, err := p.st.ListServices(ctx, sf)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out = append(out, listItem{Kind: k.name, ID: r.ID, Name: r.Name, Status: r.Status, Categories: r.Categories, Locations: r.Locations, Published: true})
		}
	case content.KindAlert:
		as, err := p.st.ListAlerts(ctx)
		if err != nil {
			return nil, err
		}
		for i := range as {
			out = append(out, published(k.name, &as[i]))
		}
	case content.KindPage:
		ps, err := p.st.Pages(ctx)
		if err != nil {
			return nil, err
		}
		for i := range ps {
			out = append(out, published(k.name, &ps[i]))
		}
	case content.KindOrganization:
		orgs, err := p.st.ListOrganizations(ctx)
		if err != nil {
			return nil, err
		}
		for i := range orgs {
			out = append(out, published(k.name, &orgs[i]))
		}
	}
	return out, nil
}

func published(kind string, v any) listItem {
	it := itemOf(kind, v)
	it.Published, it.pub = true, v
	return it
}

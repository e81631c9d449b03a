package portal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/editorial"
)

// preview answers GET /drafts/service/{id}/view: the draft as a totem will
// show it. The draft, its organization and the territories are written to
// a scratch catalog, which renders it exactly as the public API would; the
// file is removed afterwards.
func (p *portal) preview(c *fiber.Ctx) error {
	ctx := c.UserContext()
	if c.Params("kind") != content.KindService {
		return badRequest("kind", "only a service draft has a preview")
	}
	rec, err := p.readRecord(ctx, kindService, c.Params("id"))
	if err != nil {
		return err
	}
	if rec.draft == nil {
		return notFound(fmt.Sprintf("no draft of service %q", rec.id))
	}
	svc, ok := rec.draftValue.(*content.Service)
	if !ok || svc == nil {
		return badRequest("doc", "the draft is not a valid service: save it again")
	}
	// Only a draft the account may edit: an editor previews drafts in
	// their territories, and from their totems only (viewpoint).
	if err := p.ed.Guard(ctx, account(c)).Check(content.KindService, rec.pubValue, rec.draftValue); err != nil {
		return err
	}
	lang := c.Query("lang", editorial.SourceLanguage)
	if !slices.Contains(editorial.UILanguages, lang) {
		return badRequest("lang", "must be one of "+strings.Join(editorial.UILanguages, " "))
	}
	from, err := p.viewpoint(c, svc)
	if err != nil {
		return err
	}
	at := p.now()
	if s := c.Query("at"); s != "" {
		if at, err = time.Parse(time.RFC3339, s); err != nil {
			return badRequest("at", "must be an RFC 3339 time")
		}
	}
	view, err := p.renderPreview(ctx, svc, lang, from, at)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"lang": lang, "service": view})
}

// viewpoint is where the preview's viewer stands: lat/lon, a totem, or
// the service's first location on the map.
func (p *portal) viewpoint(c *fiber.Ctx, svc *content.Service) (orb.Point, error) {
	if id := c.Query("totem"); id != "" {
		ts, err := p.fl.Totems(c.UserContext())
		if err != nil {
			return orb.Point{}, err
		}
		for _, t := range ts {
			if t.ID != id {
				continue
			}
			// An editor may look from the totems in their territories
			// only: another totem's position is not theirs to learn.
			if ok, err := p.ed.Guard(c.UserContext(), account(c)).PointsInside(t.Point); err != nil {
				return orb.Point{}, err
			} else if !ok {
				break
			}
			return t.Point, nil
		}
		return orb.Point{}, badRequest("totem", "no such totem")
	}
	latS, lonS := c.Query("lat"), c.Query("lon")
	if latS == "" && lonS == "" {
		// The first location on the map (one not on it stands nowhere).
		// A service reached only by phone or online has no place to
		// stand at: its page shows no distances.
		for _, l := range svc.Locations {
			if !l.NoPoint {
				return l.Point, nil
			}
		}
		return orb.Point{}, nil
	}
	lat, err1 := strconv.ParseFloat(latS, 64)
	lon, err2 := strconv.ParseFloat(lonS, 64)
	if err1 != nil {
		return orb.Point{}, badRequest("lat", "must be a number (with lon)")
	}
	if err2 != nil {
		return orb.Point{}, badRequest("lon", "must be a number (with lat)")
	}
	pt := orb.Point{lon, lat}
	if err := content.ValidPoint(pt); err != nil {
		return orb.Point{}, badRequest("lat", err.Error())
	}
	return pt, nil
}

// renderPreview builds the scratch catalog and renders the service there.
func (p *portal) renderPreview(ctx context.Context, svc *content.Service, lang string, from orb.Point, at time.Time) (_ *content.ServiceView, err error) {
	cat := &content.Catalog{Services: []content.Service{*svc}}
	ts, err := p.st.AllTerritories(ctx)
	if err != nil {
		return nil, err
	}
	cat.Territories = ts
	if id := svc.OrganizationID; id != "" {
		if d, err := p.ed.Draft(ctx, content.KindOrganization, id); err == nil {
			if v, err := content.DecodeDoc(content.KindOrganization, d.Doc); err == nil {
				cat.Organizations = append(cat.Organizations, *v.(*content.Organization))
			}
		} else if o, err := p.st.Organization(ctx, id); err == nil {
			cat.Organizations = append(cat.Organizations, *o)
		} else if !errors.Is(err, content.ErrNotFound) {
			return nil, err
		}
	}
	dir, err := os.MkdirTemp("", "punto-preview-")
	if err != nil {
		return nil, fmt.Errorf("portal: preview: %w", err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "preview.db")
	if err := content.Create(ctx, path, func(b *content.Batch) error { return b.Put(cat) }); err != nil {
		if ve := new(content.ValidationError); errors.As(err, &ve) {
			return nil, ve
		}
		return nil, fmt.Errorf("portal: preview: %w", err)
	}
	st, err := content.OpenLazy(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("portal: preview: %w", err)
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	view, err := st.ServiceView(ctx, svc.ID, lang, from, at)
	if errors.Is(err, content.ErrNotFound) {
		return nil, notFound(fmt.Sprintf("service %q is withdrawn: a totem shows nothing", svc.ID))
	}
	return view, err
}

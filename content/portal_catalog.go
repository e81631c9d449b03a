package content

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/geo"
)

// ServiceListing is a service as the editor's list shows it: enough to
// filter, to draw on a map and to decide who may edit it.
type ServiceListing struct {
	ID             string
	OrganizationID string
	Name           Text
	Status         Status
	Categories     []string
	Locations      []ListedLocation
}

// ListedLocation is a location of a listed service.
type ListedLocation struct {
	ID     string    `json:"id"`
	Comune string    `json:"comune"`
	Point  orb.Point `json:"point"`
	// NoPoint: not on the map (Point is zero, and left out of the JSON).
	NoPoint bool `json:"no_point,omitempty"`
}

// MarshalJSON leaves out the point of a location not on the map, so that
// no list shows it at 0, 0.
func (l ListedLocation) MarshalJSON() ([]byte, error) {
	type plain ListedLocation
	if !l.NoPoint {
		return json.Marshal(plain(l))
	}
	return json.Marshal(struct {
		ID      string `json:"id"`
		Comune  string `json:"comune"`
		NoPoint bool   `json:"no_point"`
	}{l.ID, l.Comune, true})
}

// ServiceFilter selects services for ListServices. Zero fields match all.
type ServiceFilter struct {
	// Text is looked for in the ID, the name in any language and the
	// locations' comuni (case-insensitive for ASCII letters).
	Text     string
	Category string
	Status   Status
	// Bound keeps services with a location whose point lies in it (the
	// spatial index answers; the caller checks exact shapes).
	Bound *orb.Bound
}

func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// ListServices lists the services that match f, in ID order, withdrawn
// ones included.
func (s *Store) ListServices(ctx context.Context, f ServiceFilter) ([]ServiceListing, error) {
	where, args := f.where()
	q := "SELECT s.id, coalesce(s.organization_id, ''), s.status FROM service s"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.r.QueryContext(ctx, q+" ORDER BY s.id", args...)
	if err != nil {
		return nil, fmt.Errorf("content: list services: %w", err)
	}
	defer rows.Close()
	var out []ServiceListing
	for rows.Next() {
		l := ServiceListing{Name: Text{}}
		if err := rows.Scan(&l.ID, &l.OrganizationID, &l.Status); err != nil {
			return nil, fmt.Errorf("content: list services: %w", err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("content: list services: %w", err)
	}
	if err := s.fillListings(ctx, out); err != nil {
		return nil, fmt.Errorf("content: list services: %w", err)
	}
	return out, nil
}

// where is the filter as SQL conditions on service s, with their
// arguments.
func (f ServiceFilter) where() (where []string, args []any) {
	if t := strings.TrimSpace(f.Text); t != "" {
		p := likePattern(t)
		where = append(where, `(s.id LIKE ? ESCAPE '\'
			OR EXISTS (SELECT 1 FROM translation t WHERE t.entity = 'service' AND t.id = s.id AND t.field = 'name' AND t.value LIKE ? ESCAPE '\')
			OR EXISTS (SELECT 1 FROM service_at_location sal JOIN location l ON l.id = sal.location_id
				WHERE sal.service_id = s.id AND l.comune LIKE ? ESCAPE '\'))`)
		args = append(args, p, p, p)
	}
	if f.Category != "" {
		where = append(where, "EXISTS (SELECT 1 FROM service_category c WHERE c.service_id = s.id AND c.category_id = ?)")
		args = append(args, f.Category)
	}
	if f.Status != "" {
		where = append(where, "s.status = ?")
		args = append(args, string(f.Status))
	}
	if b := f.Bound; b != nil {
		where = append(where, `EXISTS (SELECT 1 FROM service_at_location sal JOIN location l ON l.id = sal.location_id
			JOIN idx_location_geom r ON r.pkid = l.pk
			WHERE sal.service_id = s.id AND r.xmax >= ? AND r.xmin <= ? AND r.ymax >= ? AND r.ymin <= ?)`)
		args = append(args, b.Min[0], b.Max[0], b.Min[1], b.Max[1])
	}
	return where, args
}

// fillListings reads the names, categories and locations of the listed
// services, 400 at a time.
func (s *Store) fillListings(ctx context.Context, out []ServiceListing) error {
	pos := make(map[string]int, len(out))
	ids := make([]string, len(out))
	for i := range out {
		ids[i], pos[out[i].ID] = out[i].ID, i
	}
	for _, chunk := range chunks(ids, 400) {
		in := "(" + placeholders(len(chunk)) + ")"
		err := s.portalScan(ctx, "SELECT id, lang, value FROM translation WHERE entity = 'service' AND field = 'name' AND id IN "+in, chunk, func(scan func(...any) error) error {
			var id, lang, v string
			if err := scan(&id, &lang, &v); err != nil {
				return err
			}
			out[pos[id]].Name[lang] = v
			return nil
		})
		if err == nil {
			err = s.portalScan(ctx, "SELECT c.service_id, c.category_id FROM service_category c JOIN category k ON k.id = c.category_id WHERE c.service_id IN "+in+" ORDER BY k.position", chunk, func(scan func(...any) error) error {
				var id, cat string
				if err := scan(&id, &cat); err != nil {
					return err
				}
				out[pos[id]].Categories = append(out[pos[id]].Categories, cat)
				return nil
			})
		}
		if err == nil {
			err = s.portalScan(ctx, `SELECT sal.service_id, l.id, l.comune, l.geom FROM service_at_location sal JOIN location l ON l.id = sal.location_id
				WHERE sal.service_id IN `+in+" ORDER BY l.id", chunk, func(scan func(...any) error) error {
				var id string
				var loc ListedLocation
				var g geo.Blob
				if err := scan(&id, &loc.ID, &loc.Comune, &g); err != nil {
					return err
				}
				loc.Point, _ = g.Geometry.(orb.Point)
				loc.NoPoint = g.Geometry == nil
				out[pos[id]].Locations = append(out[pos[id]].Locations, loc)
				return nil
			})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// LocationPoints returns where each of the named locations stands, for
// those that exist.
func (s *Store) LocationPoints(ctx context.Context, ids []string) (map[string]orb.Point, error) {
	out := map[string]orb.Point{}
	for _, chunk := range chunks(dedupe(ids), 400) {
		err := s.portalScan(ctx, "SELECT id, geom FROM location WHERE id IN ("+placeholders(len(chunk))+")", chunk, func(scan func(...any) error) error {
			var id string
			var g geo.Blob
			if err := scan(&id, &g); err != nil {
				return err
			}
			if p, ok := g.Geometry.(orb.Point); ok {
				out[id] = p
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("content: location points: %w", err)
		}
	}
	return out, nil
}

// ListAlerts lists every alert, whatever its validity window, newest first,
// with its texts.
func (s *Store) ListAlerts(ctx context.Context) ([]Alert, error) {
	var ids []string
	err := s.portalScan(ctx, "SELECT id FROM alert ORDER BY starts_at DESC, id", nil, func(scan func(...any) error) error {
		var id string
		err := scan(&id)
		ids = append(ids, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("content: alerts: %w", err)
	}
	out := make([]Alert, 0, len(ids))
	for _, id := range ids {
		a, err := s.Alert(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, nil
}

// ListOrganizations lists every organization, in ID order, with its texts.
func (s *Store) ListOrganizations(ctx context.Context) ([]Organization, error) {
	var ids []string
	err := s.portalScan(ctx, "SELECT id FROM organization ORDER BY id", nil, func(scan func(...any) error) error {
		var id string
		err := scan(&id)
		ids = append(ids, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("content: organizations: %w", err)
	}
	out := make([]Organization, 0, len(ids))
	for _, id := range ids {
		o, err := s.Organization(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *o)
	}
	return out, nil
}

// portalScan runs a read query with string arguments and calls each for
// every row.
func (s *Store) portalScan(ctx context.Context, query string, args []string, each func(scan func(...any) error) error) error {
	rows, err := s.r.QueryContext(ctx, query, anySlice(args)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

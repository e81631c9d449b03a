package content

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

// Alert is a notice for the screens it targets during its validity window
// ("the desk is closed today; phone service at …").
type Alert struct {
	ID         string    `json:"id"`
	Text       Text      `json:"text"`
	StartsAt   time.Time `json:"starts_at"`
	EndsAt     time.Time `json:"ends_at"`
	Severity   string    `json:"severity"`    // info or warning
	TargetKind string    `json:"target_kind"` // all, territory, totems or area
	// Target is the territory ID, the totem IDs separated by commas, or the
	// area: a GeoJSON Polygon or MultiPolygon (WGS84).
	Target string `json:"target"`
}

// maxAreaBytes bounds an alert's drawn area.
const maxAreaBytes = 64 << 10

// Area returns the drawn area an alert of kind "area" is aimed at.
func (a *Alert) Area() (orb.MultiPolygon, error) {
	if len(a.Target) > maxAreaBytes {
		return nil, invalid("target", "the area is larger than %d bytes", maxAreaBytes)
	}
	g, err := geojson.UnmarshalGeometry([]byte(a.Target))
	if err != nil {
		return nil, invalid("target", "the area is not a GeoJSON geometry: %v", err)
	}
	var mp orb.MultiPolygon
	switch v := g.Geometry().(type) {
	case orb.Polygon:
		mp = orb.MultiPolygon{v}
	case orb.MultiPolygon:
		mp = v
	default:
		return nil, invalid("target", "the area must be a Polygon or MultiPolygon, not %s", g.Type)
	}
	if len(mp) == 0 {
		return nil, invalid("target", "the area is empty")
	}
	for i, poly := range mp {
		if len(poly) == 0 {
			return nil, invalid("target", "polygon %d has no ring", i)
		}
		for j, ring := range poly {
			if len(ring) < 4 || ring[0] != ring[len(ring)-1] {
				return nil, invalid("target", "polygon %d ring %d must be closed and have at least 3 corners", i, j)
			}
			for _, pt := range ring {
				if err := ValidPoint(pt); err != nil {
					return nil, invalid("target", "polygon %d ring %d: %v", i, j, err)
				}
			}
		}
		if planar.Area(poly[0]) == 0 {
			return nil, invalid("target", "polygon %d has no area", i)
		}
	}
	return mp, nil
}

// Reaches reports whether a screen standing at pos and known as totemID is
// one the alert is aimed at, given the territories that hold pos.
func (a *Alert) Reaches(pos orb.Point, totemID string, territories []string) bool {
	switch a.TargetKind {
	case "territory":
		return slices.Contains(territories, a.Target)
	case "totems":
		return totemID != "" && slices.Contains(strings.Split(a.Target, ","), totemID)
	case "area":
		mp, err := a.Area()
		return err == nil && planar.MultiPolygonContains(mp, pos)
	}
	return true
}

// Validate checks an alert before it is written.
func (a *Alert) Validate() error {
	if !ValidID(a.ID) {
		return invalid("id", "%q is not a valid id", a.ID)
	}
	if err := ValidText("text", a.Text, true); err != nil {
		return err
	}
	if !a.StartsAt.Before(a.EndsAt) {
		return invalid("ends_at", "must be after starts_at")
	}
	switch a.Severity {
	case "":
		a.Severity = "info"
	case "info", "warning":
	default:
		return invalid("severity", "%q is not info or warning", a.Severity)
	}
	switch a.TargetKind {
	case "", "all":
		a.TargetKind, a.Target = "all", ""
	case "territory", "totems":
		if a.Target == "" {
			return invalid("target", "names no %s", a.TargetKind)
		}
	case "area":
		mp, err := a.Area()
		if err != nil {
			return err
		}
		// Stored in one canonical form, whatever the editor sent.
		b, err := geojson.NewGeometry(mp).MarshalJSON()
		if err != nil {
			return invalid("target", "%v", err)
		}
		a.Target = string(b)
	default:
		return invalid("target_kind", "%q is not all, territory, totems or area", a.TargetKind)
	}
	return nil
}

// PutAlert creates or replaces an alert.
func (b *Batch) PutAlert(a *Alert) error {
	if err := a.Validate(); err != nil {
		return err
	}
	_, err := b.exec(`INSERT INTO alert(id, starts_at, ends_at, severity, target_kind, target) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET starts_at = excluded.starts_at, ends_at = excluded.ends_at, severity = excluded.severity,
			target_kind = excluded.target_kind, target = excluded.target`,
		a.ID, a.StartsAt.UTC().Format(time.RFC3339), a.EndsAt.UTC().Format(time.RFC3339), a.Severity, a.TargetKind, a.Target)
	if err != nil {
		return fmt.Errorf("content: alert %s: %w", a.ID, err)
	}
	return b.setText("alert", a.ID, "text", a.Text)
}

// ActiveAlerts lists the alerts in force at the moment at for a screen
// standing at pos (its territory is worked out from the polygons) and known
// as totemID, newest first.
func (s *Store) ActiveAlerts(ctx context.Context, pos orb.Point, totemID string, at time.Time) ([]Alert, error) {
	now := at.UTC().Format(time.RFC3339)
	rows, err := s.r.QueryContext(ctx, `SELECT id, starts_at, ends_at, severity, target_kind, target FROM alert
		WHERE starts_at <= ? AND ends_at > ? ORDER BY starts_at DESC, id`, now, now)
	if err != nil {
		return nil, fmt.Errorf("content: alerts: %w", err)
	}
	var all []Alert
	for rows.Next() {
		var a Alert
		var start, end string
		if err := rows.Scan(&a.ID, &start, &end, &a.Severity, &a.TargetKind, &a.Target); err != nil {
			rows.Close()
			return nil, err
		}
		a.StartsAt, _ = time.Parse(time.RFC3339, start)
		a.EndsAt, _ = time.Parse(time.RFC3339, end)
		all = append(all, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	territories := s.areas.Load().At(pos)
	out := []Alert{}
	for _, a := range all {
		if !a.Reaches(pos, totemID, territories) {
			continue
		}
		if a.Text, err = s.text(ctx, "alert", a.ID, "text"); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// Page is a short information page ("the residence permit: first steps").
type Page struct {
	ID       string `json:"id"`
	Title    Text   `json:"title"`
	Body     Text   `json:"body"`
	Position int    `json:"position"`
}

// PutPage creates or replaces a page.
func (b *Batch) PutPage(p *Page) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if _, err := b.exec(`INSERT INTO page(id, position) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET position = excluded.position`, p.ID, p.Position); err != nil {
		return fmt.Errorf("content: page %s: %w", p.ID, err)
	}
	if err := b.setText("page", p.ID, "title", p.Title); err != nil {
		return err
	}
	return b.setText("page", p.ID, "body", p.Body)
}

// Pages lists every page, in order, with its texts.
func (s *Store) Pages(ctx context.Context) ([]Page, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT id, position FROM page ORDER BY position, id")
	if err != nil {
		return nil, fmt.Errorf("content: pages: %w", err)
	}
	var out []Page
	for rows.Next() {
		var p Page
		if err := rows.Scan(&p.ID, &p.Position); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, p)
	}
	rows.Close()
	for i := range out {
		tx, err := s.texts(ctx, "page", out[i].ID)
		if err != nil {
			return nil, err
		}
		out[i].Title, out[i].Body = tx["title"], tx["body"]
	}
	return out, rows.Err()
}

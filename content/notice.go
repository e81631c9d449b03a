package content

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Alert is a notice for the screens it targets during its validity window
// ("the desk is closed today; phone service at …").
type Alert struct {
	ID         string    `json:"id"`
	Text       Text      `json:"text"`
	StartsAt   time.Time `json:"starts_at"`
	EndsAt     time.Time `json:"ends_at"`
	Severity   string    `json:"severity"`    // info or warning
	TargetKind string    `json:"target_kind"` // all, territory or totems
	Target     string    `json:"target"`      // the territory ID, or totem IDs separated by commas
}

// Validate checks an alert before it is written.
func (a *Alert) Validate() error {
	if !ValidID(a.ID) {
		return invalid("id", "%q is not a valid id", a.ID)
	}
	if err := validText("text", a.Text, true); err != nil {
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
	default:
		return invalid("target_kind", "%q is not all, territory or totems", a.TargetKind)
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
		switch a.TargetKind {
		case "territory":
			if !slices.Contains(territories, a.Target) {
				continue
			}
		case "totems":
			if totemID == "" || !slices.Contains(strings.Split(a.Target, ","), totemID) {
				continue
			}
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

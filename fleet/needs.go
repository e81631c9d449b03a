package fleet

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/punto-totem/punto/content"
)

// NeedsCount is one anonymous figure: how many times an event happened on
// a totem's screen in one hour (UTC). Value is a language tag, a category
// or a service ID from the catalog, or empty; never anything a visitor
// typed, and nothing that tells one visitor from another.
type NeedsCount struct {
	Hour  time.Time `json:"hour"`
	Event string    `json:"event"`
	Value string    `json:"value,omitempty"`
	N     int64     `json:"n"`
}

// The needs events.
const (
	NeedVisit       = "visit"        // a visit started (the attract screen was touched)
	NeedLanguage    = "language"     // a language was chosen: Value is its tag
	NeedCategory    = "category"     // a category was opened: Value is its ID
	NeedService     = "service"      // a service was viewed: Value is its ID
	NeedQR          = "qr"           // a QR code to take a page along was shown
	NeedSearchEmpty = "search_empty" // a search found nothing (what was typed is not kept)
)

// NeedsEvents lists the events, in the order reports show them.
var NeedsEvents = []string{NeedVisit, NeedLanguage, NeedCategory, NeedService, NeedQR, NeedSearchEmpty}

// NeedsHour is the hour a moment is counted in.
func NeedsHour(t time.Time) time.Time { return t.UTC().Truncate(time.Hour) }

// Validate checks a figure: a known event, a value of the kind the event
// takes, a whole hour, a count that makes sense. A problem is a
// *content.ValidationError.
func (c *NeedsCount) Validate() error {
	switch c.Event {
	case NeedVisit, NeedQR, NeedSearchEmpty:
		if c.Value != "" {
			return invalid("value", "event %s takes no value", c.Event)
		}
	case NeedLanguage:
		if !content.ValidLanguage(c.Value) {
			return invalid("value", "%q is not a language tag", c.Value)
		}
	case NeedCategory:
		if _, ok := content.CategoryByID(c.Value); !ok {
			return invalid("value", "%q is not a category", c.Value)
		}
	case NeedService:
		if !content.ValidID(c.Value) || len(c.Value) > 100 {
			return invalid("value", "%q is not a service ID", c.Value)
		}
	default:
		return invalid("event", "%q is not one of %v", c.Event, NeedsEvents)
	}
	if c.Hour.IsZero() || !c.Hour.Equal(NeedsHour(c.Hour)) {
		return invalid("hour", "%s is not a whole hour", c.Hour.Format(time.RFC3339))
	}
	if c.N < 0 || c.N > 1e9 {
		return invalid("n", "%d is out of range", c.N)
	}
	return nil
}

const hourFormat = "2006-01-02T15:04:05Z"

// CountNeed adds one to the figure for event and value in the hour of at
// (totem only). The caller checks the value against the catalog.
func (s *Store) CountNeed(ctx context.Context, at time.Time, event, value string) error {
	c := NeedsCount{Hour: NeedsHour(at), Event: event, Value: value, N: 1}
	if err := c.Validate(); err != nil {
		return err
	}
	_, err := s.db.W.ExecContext(ctx, `INSERT INTO needs_count(hour, event, value, n) VALUES (?, ?, ?, 1)
		ON CONFLICT(hour, event, value) DO UPDATE SET n = n + 1`, c.Hour.Format(hourFormat), event, value)
	if err != nil {
		return fmt.Errorf("fleet: count %s: %w", event, err)
	}
	return nil
}

// NeedsToReport returns up to limit figures that changed since they were
// last reported to the portal, oldest first (totem only).
func (s *Store) NeedsToReport(ctx context.Context, limit int) ([]NeedsCount, error) {
	return s.totemNeeds(ctx, "WHERE n > reported ORDER BY hour, event, value LIMIT ?", limit)
}

// NeedsCounts returns every figure the totem holds, oldest first.
func (s *Store) NeedsCounts(ctx context.Context) ([]NeedsCount, error) {
	return s.totemNeeds(ctx, "ORDER BY hour, event, value")
}

// totemNeeds reads the totem's own figures, filtered and ordered by rest.
func (s *Store) totemNeeds(ctx context.Context, rest string, args ...any) ([]NeedsCount, error) {
	var out []NeedsCount
	err := s.eachNeed(ctx, func(_ string, c NeedsCount) { out = append(out, c) },
		"SELECT '', hour, event, value, n FROM needs_count "+rest, args...)
	return out, err
}

// eachNeed runs a query whose columns are a totem, an hour, an event, a
// value and a count, and calls fn for each row.
func (s *Store) eachNeed(ctx context.Context, fn func(totem string, c NeedsCount), query string, args ...any) error {
	rows, err := s.db.R.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("fleet: needs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c NeedsCount
		var totem, hour string
		if err := rows.Scan(&totem, &hour, &c.Event, &c.Value, &c.N); err != nil {
			return err
		}
		c.Hour, _ = time.Parse(hourFormat, hour)
		fn(totem, c)
	}
	return rows.Err()
}

// needsKept is how long a totem keeps figures the portal has had.
const needsKept = 90 * 24 * time.Hour

// NeedsReported notes that the portal was sent these figures (totem only),
// and drops reported figures older than 90 days.
func (s *Store) NeedsReported(ctx context.Context, sent []NeedsCount) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, c := range sent {
			if _, err := tx.ExecContext(ctx, "UPDATE needs_count SET reported = max(reported, ?) WHERE hour = ? AND event = ? AND value = ?",
				c.N, c.Hour.Format(hourFormat), c.Event, c.Value); err != nil {
				return fmt.Errorf("fleet: needs: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM needs_count WHERE hour < ? AND reported >= n",
			NeedsHour(time.Now().Add(-needsKept)).Format(hourFormat)); err != nil {
			return fmt.Errorf("fleet: needs: %w", err)
		}
		return nil
	})
}

// ResendNeeds marks the figures from since on as not yet reported (totem
// only): a new link to the portal sends them again, in case the last
// report was lost with the old one. The portal keeps absolute counts, so a
// figure sent twice counts once.
func (s *Store) ResendNeeds(ctx context.Context, since time.Time) error {
	_, err := s.db.W.ExecContext(ctx, "UPDATE needs_count SET reported = 0 WHERE hour >= ?", NeedsHour(since).Format(hourFormat))
	return err
}

// RecordNeeds stores a totem's figures as it reports them (portal only):
// each replaces what the totem reported before for its hour, event and
// value. Figures that fail Validate are refused, all of them.
func (s *Store) RecordNeeds(ctx context.Context, totemID string, counts []NeedsCount) error {
	for i := range counts {
		if err := counts[i].Validate(); err != nil {
			return fmt.Errorf("counts[%d]: %w", i, err)
		}
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, c := range counts {
			if _, err := tx.ExecContext(ctx, `INSERT INTO needs_report(totem_id, hour, event, value, n) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT(totem_id, hour, event, value) DO UPDATE SET n = max(n, excluded.n)`,
				totemID, c.Hour.Format(hourFormat), c.Event, c.Value, c.N); err != nil {
				return fmt.Errorf("fleet: needs of %s: %w", totemID, err)
			}
		}
		return nil
	})
}

// NeedsRow is one figure of one totem over one period (portal only).
type NeedsRow struct {
	Totem string
	NeedsCount
}

// maxNeedsBuckets bounds one report's periods.
const maxNeedsBuckets = 10000

// NeedsReports adds up the figures of the given totems (all when nil) per
// period: edges are the periods' bounds, in order, each period from one
// edge up to the next. Each row's Hour is its period's start; the sums are
// made by SQLite, period by period over the hour index (portal only).
func (s *Store) NeedsReports(ctx context.Context, edges []time.Time, totems []string) ([]NeedsRow, error) {
	if len(edges) < 2 || len(edges) > maxNeedsBuckets+1 {
		return nil, fmt.Errorf("fleet: needs: %d period bounds", len(edges))
	}
	periods := make([][2]string, len(edges)-1)
	for i := range periods {
		periods[i] = [2]string{NeedsHour(edges[i]).Format(hourFormat), edges[i+1].UTC().Format(hourFormat)}
	}
	pj, err := json.Marshal(periods)
	if err != nil {
		return nil, err
	}
	filter, args := "", []any{string(pj)}
	if totems != nil {
		tj, err := json.Marshal(totems)
		if err != nil {
			return nil, err
		}
		filter, args = " AND r.totem_id IN (SELECT value FROM json_each(?))", append(args, string(tj))
	}
	var out []NeedsRow
	err = s.eachNeed(ctx, func(totem string, c NeedsCount) { out = append(out, NeedsRow{Totem: totem, NeedsCount: c}) },
		`WITH p(start, stop) AS MATERIALIZED (SELECT value ->> 0, value ->> 1 FROM json_each(?))
		SELECT r.totem_id, p.start, r.event, r.value, sum(r.n) FROM p
		CROSS JOIN needs_report r ON r.hour >= p.start AND r.hour < p.stop`+filter+`
		GROUP BY p.start, r.totem_id, r.event, r.value ORDER BY p.start, r.totem_id, r.event, r.value`, args...)
	return out, err
}

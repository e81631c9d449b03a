package mediation

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/editorial"
)

// Suggestion is a mediator who fits a request: speaks its language,
// covers its territory, works its way (in person, phone, video) and is
// free for its whole window.
type Suggestion struct {
	Mediator *Mediator `json:"mediator"`
	// Load is how many assignments the mediator has that week: fewer
	// first.
	Load int `json:"load"`
}

// Suggest lists the mediators who fit request id, least loaded first.
func (s *Store) Suggest(ctx context.Context, actor *editorial.Account, id int64) ([]Suggestion, error) {
	r, err := s.request(ctx, s.db.R, id)
	if err != nil {
		return nil, err
	}
	if err := inTerritory(actor, r.Territory); err != nil {
		return nil, err
	}
	var ids []int64
	err = queryAll(ctx, s.db.R, `SELECT m.id FROM mediation_mediator m
		JOIN mediation_mediator_language l ON l.mediator_id = m.id AND l.lang = ?
		JOIN mediation_mediator_territory t ON t.mediator_id = m.id AND t.territory_id = ?
		WHERE m.active ORDER BY m.name, m.id`, []any{r.Language, r.Territory}, func(rows *sql.Rows) error {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return err
		}
		ids = append(ids, v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := []Suggestion{}
	for _, mid := range ids {
		m, err := s.mediator(ctx, s.db.R, mid)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(m.Modes, r.Mode) || !available(m, r.StartsAt, r.EndsAt) {
			continue
		}
		busy, load, err := s.busy(ctx, s.db.R, mid, r)
		if err != nil {
			return nil, err
		}
		if !busy {
			out = append(out, Suggestion{Mediator: m, Load: load})
		}
	}
	slices.SortStableFunc(out, func(a, b Suggestion) int { return a.Load - b.Load })
	return out, nil
}

// available reports whether m's week (with its exceptions) holds the
// whole window start–end.
func available(m *Mediator, start, end time.Time) bool {
	ls, le := start.In(content.Rome), end.In(content.Rome)
	if ls.Format(time.DateOnly) != le.Format(time.DateOnly) && !(le.Hour() == 0 && le.Minute() == 0) {
		return false
	}
	date := ls.Format(time.DateOnly)
	a := ls.Hour()*60 + ls.Minute()
	b := int(le.Sub(ls).Minutes()) + a
	wd := int(ls.Weekday())
	if wd == 0 {
		wd = 7
	}
	ok := false
	for _, sl := range m.Week {
		f, _ := clock(sl.From)
		t, _ := clock(sl.To)
		if sl.Weekday == wd && f <= a && b <= t {
			ok = true
		}
	}
	for _, ex := range m.Exceptions {
		if ex.Date != date {
			continue
		}
		f, _ := clock(ex.From)
		t, _ := clock(ex.To)
		if ex.Available && f <= a && b <= t {
			ok = true
		}
		if !ex.Available && f < b && a < t {
			return false
		}
	}
	return ok
}

// busy reports whether the mediator has another live assignment
// overlapping r's window, and counts their assignments in r's week.
func (s *Store) busy(ctx context.Context, q querier, mediator int64, r *Request) (bool, int, error) {
	var overlap, load int
	ls := r.StartsAt.In(content.Rome)
	wd := int(ls.Weekday()+6) % 7 // days since Monday
	weekStart := time.Date(ls.Year(), ls.Month(), ls.Day()-wd, 0, 0, 0, 0, content.Rome)
	weekEnd := weekStart.AddDate(0, 0, 7)
	err := q.QueryRowContext(ctx, `SELECT
		count(*) FILTER (WHERE starts_at < ? AND ends_at > ?),
		count(*) FILTER (WHERE starts_at >= ? AND starts_at < ?)
		FROM mediation_request WHERE mediator_id = ? AND id != ? AND state IN ('assigned', 'confirmed')`,
		formatTime(r.EndsAt), formatTime(r.StartsAt), formatTime(weekStart), formatTime(weekEnd), mediator, r.ID).Scan(&overlap, &load)
	return overlap > 0, load, err
}

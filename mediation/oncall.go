package mediation

import (
	"context"
	"database/sql"
	"slices"
	"time"
)

// OnCall is who can be reached by phone in a territory for one language:
// the weekly windows of the active mediators who speak it, cover the
// territory and work by phone (merged where they overlap), and whether
// one of them is on call at the moment asked about.
type OnCall struct {
	Language string `json:"language"`
	Now      bool   `json:"now"`
	Week     []Slot `json:"week"`
}

// OnCallIn lists, per language, who is on call by phone in territory, at
// now; a language with no phone mediator is not listed. It reads no
// names: what a visitor is shown is hours, never people.
func (s *Store) OnCallIn(ctx context.Context, territory string, now time.Time) ([]OnCall, error) {
	var ids []int64
	if err := queryAll(ctx, s.db.R, `SELECT m.id FROM mediation_mediator m JOIN mediation_mediator_territory t ON t.mediator_id = m.id
		WHERE m.active AND t.territory_id = ? ORDER BY m.id`, []any{territory}, func(r *sql.Rows) error {
		var id int64
		if err := r.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	}); err != nil {
		return nil, err
	}
	byLang := map[string]*OnCall{}
	for _, id := range ids {
		m, err := s.mediator(ctx, s.db.R, id)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(m.Modes, ModePhone) {
			continue
		}
		onNow := available(m, now, now.Add(time.Minute))
		for _, l := range m.Languages {
			oc := byLang[l]
			if oc == nil {
				oc = &OnCall{Language: l, Week: []Slot{}}
				byLang[l] = oc
			}
			oc.Now = oc.Now || onNow
			oc.Week = append(oc.Week, m.Week...)
		}
	}
	out := make([]OnCall, 0, len(byLang))
	for _, oc := range byLang {
		oc.Week = mergeSlots(oc.Week)
		out = append(out, *oc)
	}
	slices.SortFunc(out, func(a, b OnCall) int {
		if a.Language < b.Language {
			return -1
		}
		if a.Language > b.Language {
			return 1
		}
		return 0
	})
	return out, nil
}

// mergeSlots sorts weekly windows and joins those that overlap or touch.
func mergeSlots(in []Slot) []Slot {
	slices.SortFunc(in, func(a, b Slot) int {
		if a.Weekday != b.Weekday {
			return a.Weekday - b.Weekday
		}
		x, _ := clock(a.From)
		y, _ := clock(b.From)
		return x - y
	})
	out := []Slot{}
	for _, sl := range in {
		if n := len(out); n > 0 && out[n-1].Weekday == sl.Weekday {
			end, _ := clock(out[n-1].To)
			from, _ := clock(sl.From)
			if from <= end {
				if to, _ := clock(sl.To); to > end {
					out[n-1].To = sl.To
				}
				continue
			}
		}
		out = append(out, sl)
	}
	return out
}

package editorial

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/paulmach/orb/planar"
	"github.com/punto-totem/punto/content"
)

// MissingLanguages lists the screens' languages (UILanguages) that some
// text of a typed record lacks, in UILanguages order: a visitor reading
// one of them would see that text in another language. A record with no
// text, or a withdrawn service (no screen shows it), lacks none.
func MissingLanguages(v any) []string {
	if s, ok := v.(*content.Service); ok && s.Status == content.StatusWithdrawn {
		return nil
	}
	st := StatusOf(TextFields(v), nil)
	var out []string
	for _, l := range UILanguages {
		if st.Languages[l].Missing > 0 {
			out = append(out, l)
		}
	}
	return out
}

// LangCoverage is how far the services of one territory are translated
// into one language.
type LangCoverage struct {
	Complete int     `json:"complete"` // services with every text in the language
	Share    float64 `json:"share"`    // Complete over the services, 0 to 1
	Outdated int     `json:"outdated"` // services with a text older than its Italian
}

// CoverageRow is one territory ("" for every service the account sees).
type CoverageRow struct {
	Territory string                  `json:"territory"`
	Services  int                     `json:"services"`
	Languages map[string]LangCoverage `json:"languages"`
}

// MissingService is a much-viewed service lacking a language.
type MissingService struct {
	ID    string       `json:"id"`
	Name  content.Text `json:"name"`
	Event bool         `json:"event"` // in the events category (the editor opens it there)
	Views int64        `json:"views"`
}

// Coverage is the translation state of the published services.
type Coverage struct {
	Languages []string                    `json:"languages"`
	Rows      []CoverageRow               `json:"rows"`
	Missing   map[string][]MissingService `json:"missing"`
}

// CoverageTop is how many of the most viewed services lacking a language
// Coverage lists.
const CoverageTop = 20

// serviceState is what coverage knows of one service.
type serviceState struct {
	svc         *content.Service
	territories []string
	complete    map[string]bool
	outdated    map[string]bool
}

// Coverage reports, for the published services (withdrawn ones left out)
// of the territories given (every territory when all is set, with a first
// row for every service), the share complete in each screen language and
// the number outdated, and per language the CoverageTop services missing
// it that were viewed most (views: service ID → views).
func (s *Store) Coverage(ctx context.Context, territories []string, all bool, views map[string]int64) (*Coverage, error) {
	states, terrIDs, err := s.serviceStates(ctx)
	if err != nil {
		return nil, err
	}
	if !all {
		terrIDs = slices.DeleteFunc(terrIDs, func(id string) bool { return !slices.Contains(territories, id) })
	}
	rows := []CoverageRow{newRow("")}
	for _, id := range terrIDs {
		rows = append(rows, newRow(id))
	}
	out := &Coverage{Languages: UILanguages, Missing: map[string][]MissingService{}}
	var seen []*serviceState
	for _, st := range states {
		in := all
		for i, id := range terrIDs {
			if slices.Contains(st.territories, id) {
				rows[i+1].add(st)
				in = true
			}
		}
		if in {
			rows[0].add(st)
			seen = append(seen, st)
		}
	}
	for i := range rows {
		rows[i].shares()
	}
	out.Rows = rows
	for _, l := range UILanguages {
		out.Missing[l] = mostViewedMissing(seen, l, views)
	}
	return out, nil
}

func newRow(territory string) CoverageRow {
	r := CoverageRow{Territory: territory, Languages: map[string]LangCoverage{}}
	for _, l := range UILanguages {
		r.Languages[l] = LangCoverage{}
	}
	return r
}

func (r *CoverageRow) add(st *serviceState) {
	r.Services++
	for _, l := range UILanguages {
		c := r.Languages[l]
		if st.complete[l] {
			c.Complete++
		}
		if st.outdated[l] {
			c.Outdated++
		}
		r.Languages[l] = c
	}
}

func (r *CoverageRow) shares() {
	if r.Services == 0 {
		return
	}
	for l, c := range r.Languages {
		c.Share = float64(c.Complete) / float64(r.Services)
		r.Languages[l] = c
	}
}

func mostViewedMissing(states []*serviceState, lang string, views map[string]int64) []MissingService {
	var out []MissingService
	for _, st := range states {
		if n := views[st.svc.ID]; !st.complete[lang] && n > 0 {
			out = append(out, MissingService{ID: st.svc.ID, Name: st.svc.Name, Event: slices.Contains(st.svc.Categories, "events"), Views: n})
		}
	}
	slices.SortFunc(out, func(a, b MissingService) int {
		if c := cmp.Compare(b.Views, a.Views); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if out == nil {
		out = []MissingService{}
	}
	return out[:min(len(out), CoverageTop)]
}

// serviceStates reads every published service that is not withdrawn with
// its translation state and the territories its locations lie in, and
// lists the territories' IDs.
func (s *Store) serviceStates(ctx context.Context) ([]*serviceState, []string, error) {
	svcs, err := s.cat.AllServices(ctx)
	if err != nil {
		return nil, nil, err
	}
	terrs, err := s.cat.AllTerritories(ctx)
	if err != nil {
		return nil, nil, err
	}
	sources, err := s.allSources(ctx, content.KindService)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]string, len(terrs))
	for i, t := range terrs {
		ids[i] = t.ID
	}
	var out []*serviceState
	for i := range svcs {
		svc := &svcs[i]
		if svc.Status == content.StatusWithdrawn {
			continue
		}
		st := &serviceState{svc: svc, complete: map[string]bool{}, outdated: map[string]bool{}}
		ts := StatusOf(TextFields(svc), sources[svc.ID])
		for _, l := range UILanguages {
			st.complete[l] = ts.Languages[l].Missing == 0
			st.outdated[l] = ts.Languages[l].Stale > 0
		}
		for _, t := range terrs {
			for _, loc := range svc.Locations {
				if !loc.NoPoint && planar.MultiPolygonContains(t.Shape, loc.Point) {
					st.territories = append(st.territories, t.ID)
					break
				}
			}
		}
		out = append(out, st)
	}
	return out, ids, nil
}

// allSources reads the source hashes of every published record of a kind.
func (s *Store) allSources(ctx context.Context, kind string) (map[string]Sources, error) {
	rows, err := s.db.R.QueryContext(ctx, "SELECT id, field, lang, source_hash FROM portal_translation_source WHERE kind = ?", kind)
	if err != nil {
		return nil, fmt.Errorf("editorial: translation sources: %w", err)
	}
	defer rows.Close()
	out := map[string]Sources{}
	for rows.Next() {
		var id, field, lang, h string
		if err := rows.Scan(&id, &field, &lang, &h); err != nil {
			return nil, err
		}
		if out[id] == nil {
			out[id] = Sources{}
		}
		if out[id][field] == nil {
			out[id][field] = map[string]string{}
		}
		out[id][field][lang] = h
	}
	return out, rows.Err()
}

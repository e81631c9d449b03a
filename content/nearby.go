package content

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/geo"
)

// Limits of a nearby query.
const (
	DefaultRadiusM = 25_000
	MaxRadiusM     = 300_000
	DefaultLimit   = 20
	MaxLimit       = 200
)

// NearbyQuery asks for the services at locations nearest to a point.
type NearbyQuery struct {
	Center   orb.Point
	RadiusM  float64   // only within this distance; 0 means DefaultRadiusM
	Limit    int       // at most this many; 0 means DefaultLimit
	Category string    // only services in this category ("" any)
	OpenNow  bool      // only services open at At
	Speaks   string    // only services whose staff speak this ISO 639 code
	At       time.Time // the moment OpenNow refers to; zero means now
}

// Normalize fills defaults and checks the query, naming the wrong field.
func (q *NearbyQuery) Normalize() error {
	if err := ValidPoint(q.Center); err != nil {
		return err
	}
	if q.RadiusM == 0 {
		q.RadiusM = DefaultRadiusM
	}
	if !(q.RadiusM > 0 && q.RadiusM <= MaxRadiusM) {
		return invalid("radius_m", "must be more than 0 and at most %d", MaxRadiusM)
	}
	if q.Limit == 0 {
		q.Limit = DefaultLimit
	}
	if q.Limit < 1 || q.Limit > MaxLimit {
		return invalid("limit", "must be between 1 and %d", MaxLimit)
	}
	if q.Category != "" && categoryIndex(q.Category) < 0 {
		return invalid("category", "%q is not a category", q.Category)
	}
	if q.Speaks != "" && !ValidLanguage(q.Speaks) {
		return invalid("speaks", "%q is not an ISO 639 language code", q.Speaks)
	}
	if q.At.IsZero() {
		q.At = time.Now()
	}
	return nil
}

// Hit is one service at one location and its distance from the query point.
type Hit struct {
	ServiceID  string
	LocationID string
	Point      orb.Point
	DistanceM  float64
}

// compareHits orders by distance, then service and location ID, so equal
// distances (services sharing a building) come out the same every time.
func compareHits(a, b Hit) int {
	if c := cmp.Compare(a.DistanceM, b.DistanceM); c != 0 {
		return c // the common case: no string comparisons
	}
	return cmp.Or(cmp.Compare(a.ServiceID, b.ServiceID), cmp.Compare(a.LocationID, b.LocationID))
}

// NearbyHits answers q from the in-memory index: the Limit nearest services
// at a location within RadiusM that pass the filters, by ascending exact
// great-circle distance. It equals a full scan of the catalog.
func (s *Store) NearbyHits(q NearbyQuery) ([]Hit, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.idx.nearby(&q), nil
}

func (x *index) nearby(q *NearbyQuery) []Hit {
	tree := x.all
	if q.Category != "" {
		tree = x.byCat[categoryIndex(q.Category)]
	}
	// Few distinct schedules exist (they are interned): remember each
	// one's answer for this query.
	type known struct {
		h    *hours
		open bool
	}
	var cache []known
	isOpen := func(h *hours) bool {
		for _, k := range cache {
			if k.h == h {
				return k.open
			}
		}
		o := h.openAt(q.At)
		if len(cache) < 64 {
			cache = append(cache, known{h, o})
		}
		return o
	}
	hits := make([]Hit, 0, q.Limit)
	kth := -1.0
	tree.Nearby(q.Center, q.RadiusM, func(key uint32, p orb.Point, d float64) bool {
		if kth >= 0 && d > kth {
			return false // past the limit and past every tie with the last one
		}
		e := &x.entries[key]
		s := &x.svcs[e.svc]
		if q.Speaks != "" && !slices.Contains(s.langs, q.Speaks) {
			return true
		}
		if q.OpenNow && (s.status != StatusActive || !isOpen(s.hours)) {
			return true
		}
		hits = append(hits, Hit{ServiceID: s.id, LocationID: e.locID, Point: p, DistanceM: d})
		if len(hits) == q.Limit {
			kth = d
		}
		return true
	})
	slices.SortFunc(hits, compareHits)
	return hits[:min(len(hits), q.Limit)]
}

// NearbySQL answers the same query as NearbyHits straight from the SQLite
// file: candidates from the R*Tree spatial index (whose 32-bit boxes are
// rounded outward), then an exact re-check of every candidate. It is the
// slow, independent path that tests and GIS comparisons use.
func (s *Store) NearbySQL(ctx context.Context, q NearbyQuery) ([]Hit, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	b := geo.BoundAround(q.Center, q.RadiusM)
	query := `SELECT sal.service_id, l.id, l.geom, sv.status
		FROM idx_location_geom r
		JOIN location l ON l.pk = r.pkid
		JOIN service_at_location sal ON sal.location_id = l.id
		JOIN service sv ON sv.id = sal.service_id
		WHERE r.xmax >= ? AND r.xmin <= ? AND r.ymax >= ? AND r.ymin <= ? AND sv.status != 'withdrawn'`
	args := []any{b.Min[0], b.Max[0], b.Min[1], b.Max[1]}
	if q.Category != "" {
		query += " AND EXISTS (SELECT 1 FROM service_category c WHERE c.service_id = sv.id AND c.category_id = ?)"
		args = append(args, q.Category)
	}
	if q.Speaks != "" {
		query += " AND EXISTS (SELECT 1 FROM service_language k WHERE k.service_id = sv.id AND k.lang = ?)"
		args = append(args, q.Speaks)
	}
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("content: nearby: %w", err)
	}
	defer rows.Close()
	var hits []Hit
	statusOf := map[string]Status{}
	for rows.Next() {
		var h Hit
		var g geo.Blob
		var st Status
		if err := rows.Scan(&h.ServiceID, &h.LocationID, &g, &st); err != nil {
			return nil, fmt.Errorf("content: nearby: %w", err)
		}
		p, ok := g.Geometry.(orb.Point)
		if !ok {
			continue
		}
		h.Point, h.DistanceM = p, geo.Distance(q.Center, p)
		if h.DistanceM <= q.RadiusM {
			hits = append(hits, h)
			statusOf[h.ServiceID] = st
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if q.OpenNow {
		var ids []string
		for id := range statusOf {
			ids = append(ids, id)
		}
		hrs, err := s.hoursOf(ctx, ids)
		if err != nil {
			return nil, err
		}
		hits = slices.DeleteFunc(hits, func(h Hit) bool {
			return statusOf[h.ServiceID] != StatusActive || !hrs[h.ServiceID].openAt(q.At)
		})
	}
	slices.SortFunc(hits, compareHits)
	return hits[:min(len(hits), q.Limit)], nil
}

// hoursOf compiles the opening hours of the given services from the file.
func (s *Store) hoursOf(ctx context.Context, ids []string) (map[string]*hours, error) {
	recs, err := loadRecords(ctx, s.r, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*hours, len(recs))
	for id, r := range recs {
		out[id] = compileHours(r.sched, r.holidays)
	}
	return out, nil
}

// InBound lists every service at a location inside the box b, from the
// R*Tree spatial index with an exact re-check, ordered by service and
// location ID.
func (s *Store) InBound(ctx context.Context, b orb.Bound, limit int) ([]Hit, error) {
	if err := ValidPoint(b.Min); err != nil {
		return nil, invalid("bbox", "%s", err.(*ValidationError).Reason)
	}
	if err := ValidPoint(b.Max); err != nil {
		return nil, invalid("bbox", "%s", err.(*ValidationError).Reason)
	}
	if b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] {
		return nil, invalid("bbox", "min must not exceed max")
	}
	rows, err := s.r.QueryContext(ctx, `SELECT sal.service_id, l.id, l.geom
		FROM idx_location_geom r
		JOIN location l ON l.pk = r.pkid
		JOIN service_at_location sal ON sal.location_id = l.id
		JOIN service sv ON sv.id = sal.service_id
		WHERE r.xmax >= ? AND r.xmin <= ? AND r.ymax >= ? AND r.ymin <= ? AND sv.status != 'withdrawn'
		ORDER BY sal.service_id, l.id`, b.Min[0], b.Max[0], b.Min[1], b.Max[1])
	if err != nil {
		return nil, fmt.Errorf("content: bbox: %w", err)
	}
	defer rows.Close()
	var hits []Hit
	for rows.Next() {
		var h Hit
		var g geo.Blob
		if err := rows.Scan(&h.ServiceID, &h.LocationID, &g); err != nil {
			return nil, err
		}
		if p, ok := g.Geometry.(orb.Point); ok && b.Contains(p) {
			h.Point = p
			hits = append(hits, h)
			if limit > 0 && len(hits) == limit {
				break
			}
		}
	}
	return hits, rows.Err()
}

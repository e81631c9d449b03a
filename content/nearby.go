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

	// closed tells a place whose desks closure mode has closed at At
	// (OpenNow leaves it out); nil when no closure holds.
	closed func(orb.Point) string
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
//
// A walk that filters out nearly everything over a wide radius can take a
// while on a large catalog: it gives up when ctx ends.
func (s *Store) NearbyHits(ctx context.Context, q NearbyQuery) ([]Hit, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	if err := s.closing(ctx, &q); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.idx == nil { // being built: the file's R*Tree gives the same answer
		return s.NearbySQL(ctx, q)
	}
	return s.idx.nearby(ctx, &q)
}

func (x *index) nearby(ctx context.Context, q *NearbyQuery) ([]Hit, error) {
	refs, err := x.nearbyRefs(ctx, q)
	if err != nil {
		return nil, err
	}
	hits := make([]Hit, len(refs))
	for i := range refs {
		hits[i] = refs[i].Hit
	}
	return hits, nil
}

// hitRef is a hit and its entry in the index.
type hitRef struct {
	Hit
	key uint32
}

// nearbyRefs is nearby's answer with each hit's entry.
func (x *index) nearbyRefs(ctx context.Context, q *NearbyQuery) ([]hitRef, error) {
	if _, ok := x.strs[q.Speaks]; q.Speaks != "" && !ok {
		return []hitRef{}, nil // nobody in the catalog speaks it
	}
	var tags uint16
	if q.Category != "" {
		tags = 1 << categoryIndex(q.Category)
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
	hits := make([]hitRef, 0, q.Limit)
	kth := -1.0
	visited := 0
	var err error
	x.all.NearbyTagged(q.Center, q.RadiusM, tags, func(key uint32, p orb.Point, d float64) bool {
		if kth >= 0 && d > kth {
			return false // past the limit and past every tie with the last one
		}
		if visited++; visited%4096 == 0 {
			if err = ctx.Err(); err != nil {
				return false
			}
		}
		e := &x.entries[key]
		s := &x.svcs[e.svc]
		if q.Speaks != "" && !slices.Contains(x.svcLangs(s), q.Speaks) {
			return true
		}
		if q.OpenNow && (x.svcStatus(s) != StatusActive || !isOpen(x.svcHours(s)) || q.closed != nil && q.closed(p) != "") {
			return true
		}
		hits = append(hits, hitRef{Hit{ServiceID: x.svcID(s), LocationID: x.locID(e), Point: p, DistanceM: d}, key})
		if len(hits) == q.Limit {
			kth = d
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(hits, func(a, b hitRef) int { return compareHits(a.Hit, b.Hit) })
	return hits[:min(len(hits), q.Limit)], nil
}

// closing sets what tells the places closure mode has closed, for the
// open-now filter.
func (s *Store) closing(ctx context.Context, q *NearbyQuery) error {
	if !q.OpenNow || q.closed != nil {
		return nil
	}
	var err error
	q.closed, err = s.closedAt(ctx, q.At)
	return err
}

// NearbySQL answers the same query as NearbyHits straight from the SQLite
// file: candidates from the R*Tree spatial index (whose 32-bit boxes are
// rounded outward), then an exact re-check of every candidate. It is the
// slow, independent path that tests and GIS comparisons use.
func (s *Store) NearbySQL(ctx context.Context, q NearbyQuery) ([]Hit, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	if err := s.closing(ctx, &q); err != nil {
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
			return statusOf[h.ServiceID] != StatusActive || !hrs[h.ServiceID].openAt(q.At) || q.closed != nil && q.closed(h.Point) != ""
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

// Within lists the services at a location inside the box b (edges
// included), ordered by service and location ID, at most limit of them
// (0: all), from the in-memory index.
func (s *Store) Within(ctx context.Context, b orb.Bound, limit int) ([]Hit, error) {
	if err := validBound(b); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.idx == nil { // being built
		return s.InBoundSQL(ctx, b, limit)
	}
	// Keep the limit smallest by ID, sorted, in one pass over the box.
	var top []Hit
	byID := func(a, b Hit) int {
		return cmp.Or(cmp.Compare(a.ServiceID, b.ServiceID), cmp.Compare(a.LocationID, b.LocationID))
	}
	n := 0
	var err error
	s.idx.all.InBound(b, func(key uint32, p orb.Point) bool {
		if n++; n%65536 == 0 {
			if err = ctx.Err(); err != nil {
				return false
			}
		}
		e := &s.idx.entries[key]
		h := Hit{ServiceID: s.idx.idOf(e.svc), LocationID: s.idx.locID(e), Point: p}
		if limit > 0 && len(top) == limit && byID(h, top[limit-1]) >= 0 {
			return true
		}
		i, _ := slices.BinarySearchFunc(top, h, byID)
		top = slices.Insert(top, i, h)
		if limit > 0 && len(top) > limit {
			top = top[:limit]
		}
		return true
	})
	return top, err
}

func validBound(b orb.Bound) error {
	if err := ValidPoint(b.Min); err != nil {
		return invalid("bbox", "%s", err.(*ValidationError).Reason)
	}
	if err := ValidPoint(b.Max); err != nil {
		return invalid("bbox", "%s", err.(*ValidationError).Reason)
	}
	if b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] {
		return invalid("bbox", "min must not exceed max")
	}
	return nil
}

// InBoundSQL lists every service at a location inside the box b straight
// from the file: the R*Tree spatial index with an exact re-check, ordered
// by service and location ID. It is the independent path tests compare
// Within and GIS tools against.
func (s *Store) InBoundSQL(ctx context.Context, b orb.Bound, limit int) ([]Hit, error) {
	if err := validBound(b); err != nil {
		return nil, err
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

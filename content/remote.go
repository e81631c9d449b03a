package content

import (
	"context"
	"slices"
)

// RemoteHits answers a nearby query's filters (category, language spoken,
// open now) over the services that have no place on the map: those
// offered by phone or online, or at addresses without coordinates. They
// come after the nearby results, by service ID, at most q.Limit; distance
// and radius do not apply.
func (s *Store) RemoteHits(ctx context.Context, q NearbyQuery) ([]Hit, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	if err := s.waitIndex(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	x := s.idx
	if x == nil { // a store writing a new file keeps no index
		return []Hit{}, nil
	}
	mask := uint16(0)
	if q.Category != "" {
		mask = 1 << categoryIndex(q.Category)
	}
	hits := []Hit{}
	for _, slot := range x.remote { // by ID: the first that pass are the answer
		if len(hits) == q.Limit {
			break
		}
		sv := &x.svcs[slot]
		switch {
		case mask != 0 && sv.cats&mask == 0:
		case q.Speaks != "" && !slices.Contains(x.svcLangs(sv), q.Speaks):
		case q.OpenNow && (x.svcStatus(sv) != StatusActive || !x.svcHours(sv).openAt(q.At)):
		default:
			hits = append(hits, Hit{ServiceID: x.svcID(sv)})
		}
	}
	return hits, nil
}

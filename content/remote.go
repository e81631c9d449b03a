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
	for i := range x.svcs {
		sv := &x.svcs[i]
		switch {
		case !sv.live || sv.first != noEntry:
		case mask != 0 && sv.cats&mask == 0:
		case q.Speaks != "" && !slices.Contains(x.svcLangs(sv), q.Speaks):
		case q.OpenNow && (x.svcStatus(sv) != StatusActive || !x.svcHours(sv).openAt(q.At)):
		default:
			hits = append(hits, Hit{ServiceID: x.svcID(sv)})
		}
	}
	slices.SortFunc(hits, compareHits)
	return hits[:min(len(hits), q.Limit)], nil
}

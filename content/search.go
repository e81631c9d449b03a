package content

import (
	"context"
	"fmt"
	"math"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/geo"
)

// MaxQueryLen bounds a search query, in characters.
const MaxQueryLen = 200

// Search finds services whose text, in any language, contains every word of
// q as a word prefix, whatever the case, accents or vowel marks. Services
// whose name matches come first, then the others; each group nearest first,
// each service at its location nearest to from. (Among the searchCandidates
// best text matches, which is every match unless a word is very common.)
func (s *Store) Search(ctx context.Context, q string, from orb.Point, limit int) ([]Hit, error) {
	if utf8.RuneCountInString(q) > MaxQueryLen {
		return nil, invalid("q", "longer than %d characters", MaxQueryLen)
	}
	terms := searchTerms(q)
	if len(terms) == 0 {
		return nil, invalid("q", "needs at least one letter or digit")
	}
	if !longEnough(terms) {
		// A one-letter prefix matches most of a large catalog and says
		// little; a single Chinese or Japanese character is a word.
		return nil, invalid("q", "type at least 2 letters")
	}
	if limit <= 0 {
		limit = DefaultLimit
	}
	if limit > MaxLimit {
		return nil, invalid("limit", "must be between 1 and %d", MaxLimit)
	}
	match := ftsQuery(terms)
	inName, err := s.matchIDs(ctx, "names : ("+match+")", searchCandidates)
	if err != nil {
		return nil, err
	}
	ids, err := s.matchIDs(ctx, match, searchCandidates)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	hits := make([]Hit, 0, len(ids))
	for id := range ids {
		si, ok := s.idx.byID[id]
		if !ok {
			continue
		}
		best := Hit{DistanceM: math.Inf(1)}
		for _, ei := range s.idx.svcs[si].entries {
			e := &s.idx.entries[ei]
			if d := geo.Distance(from, e.point); d < best.DistanceM {
				best = Hit{ServiceID: id, LocationID: e.locID, Point: e.point, DistanceM: d}
			}
		}
		if best.ServiceID != "" {
			hits = append(hits, best)
		}
	}
	// Services whose name matches come first; within each group, nearest
	// first: on a totem the desk down the street beats a better word match
	// in another town.
	slices.SortStableFunc(hits, func(a, b Hit) int {
		if na, nb := inName[a.ServiceID], inName[b.ServiceID]; na != nb {
			if na {
				return -1
			}
			return 1
		}
		return compareHits(a, b)
	})
	return hits[:min(len(hits), limit)], nil
}

// searchCandidates bounds how many of the best text matches are ranked by
// distance: all of them, unless a word is so common in a large catalog that
// more than this many services match it.
const searchCandidates = 10000

func longEnough(terms []string) bool {
	for _, t := range terms {
		if utf8.RuneCountInString(t) >= 2 {
			return true
		}
		r, _ := utf8.DecodeRuneInString(t)
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
			return true
		}
	}
	return false
}

// matchIDs returns the IDs of services (not withdrawn) matching an FTS5
// query, best match first, as a set and in order.
func (s *Store) matchIDs(ctx context.Context, match string, limit int) (map[string]bool, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT s.id FROM service_fts f JOIN service s ON s.pk = f.rowid
		WHERE service_fts MATCH ? AND s.status != 'withdrawn'
		ORDER BY bm25(service_fts, 5.0, 1.0), s.id LIMIT ?`, match, limit)
	if err != nil {
		return nil, fmt.Errorf("content: search: %w", err)
	}
	defer rows.Close()
	ids := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("content: search: %w", err)
	}
	return ids, nil
}

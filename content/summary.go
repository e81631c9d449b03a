package content

import (
	"cmp"
	"context"
	"encoding/binary"
	"slices"
	"time"

	"github.com/paulmach/orb"
)

// packedText is a Text packed into one string for the index: for each
// language with a non-empty text, in ascending order of language, the
// language's length (one byte), the language, the text's length (uvarint)
// and the text. One string per service, no map and no pointers for the
// collector to follow.
type packedText string

// packText packs (language, text) pairs; empty texts are dropped (Pick
// never chooses them).
func packText(pairs [][2]string) packedText {
	if len(pairs) == 0 {
		return ""
	}
	ps := slices.Clone(pairs)
	slices.SortFunc(ps, func(a, b [2]string) int { return cmp.Compare(a[0], b[0]) })
	n := 0
	for _, p := range ps {
		n += 1 + len(p[0]) + binary.MaxVarintLen32 + len(p[1])
	}
	buf := make([]byte, 0, n)
	for i, p := range ps {
		if p[1] == "" || len(p[0]) > 255 || (i > 0 && ps[i-1][0] == p[0]) {
			continue
		}
		buf = append(buf, byte(len(p[0])))
		buf = append(buf, p[0]...)
		buf = binary.AppendUvarint(buf, uint64(len(p[1])))
		buf = append(buf, p[1]...)
	}
	return packedText(buf)
}

// each calls fn with every language and text in ascending order of
// language until fn returns false. The strings share the packed one's
// memory.
func (t packedText) each(fn func(lang, text string) bool) {
	s := string(t)
	for len(s) > 0 {
		ll := int(s[0])
		lang := s[1 : 1+ll]
		s = s[1+ll:]
		n, k := uvarint(s)
		s = s[k:]
		if !fn(lang, s[:n]) {
			return
		}
		s = s[n:]
	}
}

// uvarint reads binary.Uvarint's encoding from a string, without copying
// it to bytes: the length and how many bytes it took.
func uvarint(s string) (n, k int) {
	for shift := 0; k < len(s); shift += 7 {
		b := s[k]
		k++
		n |= int(b&0x7f) << shift
		if b < 0x80 {
			break
		}
	}
	return n, k
}

// get is the text in one language ("" if none).
func (t packedText) get(lang string) string {
	var out string
	t.each(func(l, v string) bool {
		if l == lang {
			out = v
			return false
		}
		return l < lang
	})
	return out
}

// pick is Text.Pick over the packed form, chain being fallbackChain's
// answer for the visitor's languages.
func (t packedText) pick(chain []string) Localized {
	for _, l := range chain {
		if v := t.get(l); v != "" {
			return Localized{Text: v, Lang: l}
		}
	}
	var out Localized
	t.each(func(l, v string) bool { // the lowest language present
		out = Localized{Text: v, Lang: l}
		return false
	})
	return out
}

// Summaries fills in hits for display in lang: names, addresses, open
// state at the moment at, and the way from the point from. It reads the
// in-memory index, kept in step with every write; a hit the index does
// not hold (a service withdrawn since, or a store without an index) is
// read from the file instead.
//
// A place whose desks closure mode has closed shows closed.
func (s *Store) Summaries(ctx context.Context, hits []Hit, lang string, from orb.Point, at time.Time) ([]Summary, error) {
	out, err := s.summaries(ctx, hits, lang, from, at)
	if err != nil {
		return out, err
	}
	return s.closeShut(ctx, out, at)
}

// NearbySummaries is Summaries(NearbyHits(q), lang, q.Center, q.At) in one
// step under one lock: the walk hands each hit's entry straight to its
// summary, with no look-up of its service and location by ID.
func (s *Store) NearbySummaries(ctx context.Context, q NearbyQuery, lang string) ([]Summary, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	if err := s.closing(ctx, &q); err != nil {
		return nil, err
	}
	out, ok, err := s.nearbySummaries(ctx, &q, lang)
	if err != nil {
		return nil, err
	}
	if !ok { // no index yet: the file answers both steps
		hits, err := s.NearbyHits(ctx, q)
		if err != nil {
			return nil, err
		}
		return s.Summaries(ctx, hits, lang, q.Center, q.At)
	}
	return s.closeShut(ctx, out, q.At)
}

func (s *Store) nearbySummaries(ctx context.Context, q *NearbyQuery, lang string) ([]Summary, bool, error) {
	if !s.indexed {
		return nil, false, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	x := s.idx
	if x == nil { // being built
		return nil, false, nil
	}
	refs, err := x.nearbyRefs(ctx, q)
	if err != nil {
		return nil, true, err
	}
	out := make([]Summary, len(refs))
	f := summaryFill{x: x, chain: fallbackChain(lang), from: q.Center, at: q.At}
	for i := range refs {
		e := &x.entries[refs[i].key]
		out[i] = f.summary(&refs[i].Hit, &x.svcs[e.svc], e)
	}
	return out, true, nil
}

// closeShut shows closed the places whose desks closure mode has closed
// at the moment at.
func (s *Store) closeShut(ctx context.Context, out []Summary, at time.Time) ([]Summary, error) {
	if len(out) == 0 {
		return out, nil
	}
	closed, err := s.closedAt(ctx, at)
	if err != nil || closed == nil {
		return out, err
	}
	for i := range out {
		if out[i].Status == StatusActive && closed(orb.Point{out[i].Lon, out[i].Lat}) != "" {
			out[i].Open = OpenState{}
		}
	}
	return out, nil
}

// summaryFill makes the summaries of one answer from the index.
type summaryFill struct {
	x     *index
	chain []string // fallbackChain of the visitor's language
	from  orb.Point
	at    time.Time
	// Few distinct schedules exist (they are interned): each one's
	// state is computed once per answer.
	states []knownState
}

type knownState struct {
	h  *hours
	st OpenState
}

func (f *summaryFill) state(h *hours) OpenState {
	for _, k := range f.states {
		if k.h == h {
			return k.st
		}
	}
	st := h.state(f.at)
	f.states = append(f.states, knownState{h, st})
	return st
}

// summary is the summary of hit h, of the service info at the entry e
// (nil for a remote hit, which has no place nor way).
func (f *summaryFill) summary(h *Hit, info *svcInfo, e *entry) Summary {
	x := f.x
	langs, status := x.svcLangs(info), x.svcStatus(info)
	sm := Summary{
		ID: h.ServiceID, LocationID: h.LocationID, Name: x.svcNames(info).pick(f.chain), Status: status,
		Categories: make([]string, 0, 2), Languages: make([]string, 0, len(langs)),
	}
	if e != nil {
		sm.Address, sm.Comune, sm.Lat, sm.Lon, sm.Way = x.address(e), x.comune(e), h.Point[1], h.Point[0], WayTo(f.from, h.Point)
	}
	for c, cat := range Categories {
		if info.cats&(1<<c) != 0 {
			sm.Categories = append(sm.Categories, cat.ID)
		}
	}
	sm.Languages = append(sm.Languages, langs...)
	if status == StatusActive {
		sm.Open = f.state(x.svcHours(info))
	}
	return sm
}

func (s *Store) summaries(ctx context.Context, hits []Hit, lang string, from orb.Point, at time.Time) ([]Summary, error) {
	out := make([]Summary, len(hits))
	if len(hits) == 0 {
		return out, nil
	}
	if !s.indexed {
		return s.summariesSQL(ctx, hits, lang, from, at)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	x := s.idx
	if x == nil { // being built
		return s.summariesSQLLocked(ctx, hits, lang, from, at)
	}
	f := summaryFill{x: x, chain: fallbackChain(lang), from: from, at: at}
	for i := range hits {
		h := &hits[i]
		si, ok := x.slot(h.ServiceID)
		if !ok || !x.svcs[si].live {
			return s.summariesSQLLocked(ctx, hits, lang, from, at)
		}
		info := &x.svcs[si]
		var e *entry
		for ei := info.first; ei != noEntry; ei = x.entries[ei].next {
			if x.locID(&x.entries[ei]) == h.LocationID {
				e = &x.entries[ei]
				break
			}
		}
		if e == nil && h.LocationID != "" {
			return s.summariesSQLLocked(ctx, hits, lang, from, at)
		}
		out[i] = f.summary(h, info, e)
	}
	return out, nil
}

// summariesSQLLocked is summariesSQL called with s.mu read-locked.
func (s *Store) summariesSQLLocked(ctx context.Context, hits []Hit, lang string, from orb.Point, at time.Time) ([]Summary, error) {
	s.mu.RUnlock()
	defer s.mu.RLock()
	return s.summariesSQL(ctx, hits, lang, from, at)
}

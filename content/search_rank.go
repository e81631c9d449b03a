package content

import (
	"context"
	"math"
	"math/bits"
	"slices"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/geo"
)

// anywhere is a radius that takes in the whole earth: search ranks every
// match by distance, however far.
const anywhere = 20_100_000

// ranking gathers a search's hits, tier by tier, each service once.
type ranking struct {
	ctx   context.Context
	x     *index
	from  orb.Point
	limit int
	hits  []Hit
	seen  map[uint32]bool
}

func (r *ranking) full() bool { return len(r.hits) >= r.limit }

// rank orders the services a query finds:
//
//  1. when it names concepts, the services of their categories: all of
//     them when every word is part of a concept, else those whose text
//     also holds the other words ("medico ancona");
//  2. the services whose text holds every word, name matches first;
//  3. the rest of the concepts' categories ("I need a doctor please");
//  4. when all that found nothing, the services holding the most of the
//     words.
//
// Each tier nearest first.
func (x *index) rank(ctx context.Context, a *analysis, from orb.Point, limit int) (hits, remote []Hit, err error) {
	r := &ranking{ctx: ctx, x: x, from: from, limit: limit, seen: map[uint32]bool{}}
	rm := &remoteRanking{x: x, limit: limit, seen: map[uint32]bool{}}
	tier := func(mask uint16, set bitset) {
		r.nearest(mask, set)
		rm.add(mask, set)
	}
	resid := a.residual()
	if a.mask != 0 {
		if len(resid) == 0 {
			tier(a.mask, nil)
		} else if set, _, ok := x.matchAll(resid); ok {
			tier(a.mask, set)
		}
	}
	if set, names, ok := x.matchAll(a.toks); ok {
		tier(0, names)
		tier(0, set)
	}
	if a.mask != 0 && len(resid) > 0 {
		tier(a.mask, nil)
	}
	if len(r.hits) == 0 && len(rm.hits) == 0 {
		if set := x.matchMost(a.toks); set != nil {
			tier(0, set)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return r.hits, rm.hits, nil
}

// remoteRanking gathers, tier by tier and each once, the services a
// search finds that have no place on the map (remote: by phone or
// online), in the order of their IDs within a tier.
type remoteRanking struct {
	x     *index
	limit int
	hits  []Hit
	seen  map[uint32]bool
}

// add takes the remote services in a category of mask (0: any) and in set
// (nil: any), until the limit.
func (rm *remoteRanking) add(mask uint16, set bitset) {
	if len(rm.hits) >= rm.limit || set != nil && set.empty() {
		return
	}
	for _, slot := range rm.x.remote { // by ID
		if len(rm.hits) >= rm.limit {
			break
		}
		s := &rm.x.svcs[slot]
		if rm.seen[slot] || mask != 0 && s.cats&mask == 0 || set != nil && !set.has(slot) {
			continue
		}
		rm.hits = append(rm.hits, Hit{ServiceID: rm.x.svcID(s)})
		rm.seen[slot] = true
	}
}

// nearest adds, nearest first, the services not yet ranked that are in a
// category of mask (0: any) and in set (nil: any), until the limit.
// A large set is found by walking out from the visitor; a small one by
// measuring each of its services.
func (r *ranking) nearest(mask uint16, set bitset) {
	if r.full() || set != nil && set.empty() {
		return
	}
	want := r.limit - len(r.hits)
	var found []Hit
	if set == nil || set.count() > 2000 {
		found = r.walk(mask, set, want)
	} else {
		found = r.measure(mask, set, want)
	}
	for _, h := range found {
		slot, _ := r.x.slot(h.ServiceID)
		r.seen[slot] = true
	}
	r.hits = append(r.hits, found...)
}

// walk visits points nearest first, those in a category of mask or all,
// keeping the first want services that pass (and any tied with the
// last, so that compareHits decides among them).
func (r *ranking) walk(mask uint16, set bitset, want int) []Hit {
	var out []Hit
	taken := map[uint32]bool{}
	visited := 0
	kth := -1.0
	r.x.all.NearbyTagged(r.from, anywhere, mask, func(key uint32, p orb.Point, d float64) bool {
		if kth >= 0 && d > kth {
			return false
		}
		if visited++; visited%4096 == 0 && r.ctx.Err() != nil {
			return false
		}
		e := &r.x.entries[key]
		if r.seen[e.svc] || taken[e.svc] || set != nil && !set.has(e.svc) {
			return true
		}
		taken[e.svc] = true
		out = append(out, Hit{ServiceID: r.x.idOf(e.svc), LocationID: r.x.locID(e), Point: p, DistanceM: d})
		if len(out) == want {
			kth = d
		}
		return true
	})
	slices.SortFunc(out, compareHits)
	return out[:min(len(out), want)]
}

// measure computes the distance to every service of a small set and keeps
// the want nearest.
func (r *ranking) measure(mask uint16, set bitset, want int) []Hit {
	var top []Hit
	set.each(func(slot uint32) {
		if int(slot) >= len(r.x.svcs) || r.seen[slot] {
			return
		}
		s := &r.x.svcs[slot]
		if !s.live || mask != 0 && s.cats&mask == 0 {
			return
		}
		best := Hit{DistanceM: math.Inf(1)}
		for ei := s.first; ei != noEntry; ei = r.x.entries[ei].next {
			e := &r.x.entries[ei]
			if d := geo.Distance(r.from, e.point); d < best.DistanceM {
				best = Hit{ServiceID: r.x.svcID(s), LocationID: r.x.locID(e), Point: e.point, DistanceM: d}
			}
		}
		if best.ServiceID == "" || len(top) == want && compareHits(best, top[want-1]) >= 0 {
			return
		}
		i, _ := slices.BinarySearchFunc(top, best, compareHits)
		top = slices.Insert(top, i, best)
		if len(top) > want {
			top = top[:want]
		}
	})
	return top
}

// matchAll is the services whose text holds every token, and those whose
// name does; ok is false when some token is found nowhere.
func (x *index) matchAll(toks []qtoken) (all, names bitset, ok bool) {
	for _, u := range textUnits(toks) {
		a, n := x.matchUnit(u)
		if all == nil {
			all, names = a, n
		} else {
			all.and(a)
			names.and(n)
		}
		if all.empty() {
			return nil, nil, false
		}
	}
	return all, names, all != nil
}

// matchMost is the services holding the most of a query's telling words
// (3 letters or more, or Chinese), when it has two or more; nil if none
// holds any.
func (x *index) matchMost(toks []qtoken) bitset {
	var sets []bitset
	for _, u := range textUnits(toks) {
		if u.han || utf8.RuneCountInString(u.text) >= 3 {
			a, _ := x.matchUnit(u)
			sets = append(sets, a)
		}
	}
	if len(sets) < 2 {
		return nil
	}
	counts := make([]uint8, len(x.svcs))
	top := uint8(0)
	for _, s := range sets {
		s.each(func(slot uint32) {
			counts[slot]++
			top = max(top, counts[slot])
		})
	}
	if top == 0 {
		return nil
	}
	out := newBitset(len(x.svcs))
	for slot, c := range counts {
		if c == top {
			out.set(uint32(slot))
		}
	}
	return out
}

// textUnits are what the text must hold for a query's tokens: each word
// (with its other forms and corrections), and for Chinese each pair of
// neighbouring characters, or the character alone.
func textUnits(toks []qtoken) []qtoken {
	var out []qtoken
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if !t.han {
			out = append(out, t)
			continue
		}
		j := i
		for j+1 < len(toks) && toks[j+1].han {
			j++
		}
		if j == i {
			out = append(out, t)
		}
		for k := i; k < j; k++ {
			out = append(out, qtoken{token: token{text: toks[k].text + toks[k+1].text, han: true}})
		}
		i = j
	}
	return out
}

// matchUnit is the services holding one unit, and those holding it in
// their name: a word as a prefix (type-ahead), or, when nothing starts
// with it, its other forms; plus its corrections as whole words. Chinese
// is matched whole.
func (x *index) matchUnit(u qtoken) (all, names bitset) {
	t := x.text
	all, names = newBitset(len(x.svcs)), newBitset(len(x.svcs))
	add := func(id uint32) {
		for _, p := range t.posts.get(id) {
			all.set(p &^ nameBit)
			if p&nameBit != 0 {
				names.set(p &^ nameBit)
			}
		}
	}
	if u.han {
		if id, ok := t.word(u.text); ok {
			add(id)
		}
		return all, names
	}
	for _, f := range u.forms {
		for _, id := range t.prefixRange(f) {
			add(id)
		}
		if !all.empty() {
			break
		}
	}
	for _, f := range u.fixes {
		if id, ok := t.word(f); ok {
			add(id)
		}
	}
	return all, names
}

func (b bitset) count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

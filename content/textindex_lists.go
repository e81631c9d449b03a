package content

import "slices"

// lists is a numbered family of uint32 lists (search's postings) packed
// in one array: a list is a span of it, 8 bytes
// where a slice of its own costs a 24-byte header and an allocation.
// A list changed after packing moves into a slice of its own (own), so
// that a live update never shifts the packed array; the next full load
// packs everything again.
type lists struct {
	spans []span32
	pool  []uint32
	own   map[uint32][]uint32 // lists changed since they were packed
	n     int                 // number of lists
}

// span32 is a list's place in lists.pool.
type span32 struct{ at, n uint32 }

// count is the number of lists (empty ones included).
func (l *lists) count() int { return l.n }

// get is list i; appending to it never writes into the packed array.
func (l *lists) get(i uint32) []uint32 {
	if len(l.own) > 0 {
		if v, ok := l.own[i]; ok {
			return v
		}
	}
	if int(i) < len(l.spans) {
		s := l.spans[i]
		return l.pool[s.at : s.at+s.n : s.at+s.n]
	}
	return nil
}

// set replaces list i, making room for it.
func (l *lists) set(i uint32, v []uint32) {
	if l.own == nil {
		l.own = map[uint32][]uint32{}
	}
	l.own[i] = v
	l.n = max(l.n, int(i)+1)
}

// grow makes room for n lists.
func (l *lists) grow(n int) { l.n = max(l.n, n) }

// packLists packs lists of the given lengths, then filled in through
// the returned cursor: fill(i, v) appends v to list i, which must not
// get more than its length.
func packLists(lens []uint32) (l *lists, fill func(i, v uint32)) {
	total := uint64(0)
	for _, n := range lens {
		total += uint64(n)
	}
	l = &lists{spans: make([]span32, len(lens)), pool: make([]uint32, total), n: len(lens)}
	at := uint32(0)
	for i, n := range lens {
		l.spans[i].at = at
		at += n
	}
	return l, func(i, v uint32) {
		s := &l.spans[i]
		l.pool[s.at+s.n] = v
		s.n++
	}
}

// deleteFunc removes the values of list i for which del is true.
func (l *lists) deleteFunc(i uint32, del func(uint32) bool) {
	v := l.get(i)
	if !slices.ContainsFunc(v, del) {
		return
	}
	l.set(i, slices.DeleteFunc(slices.Clone(v), del))
}

// wordList is search's vocabulary by number, its words in an arena: no
// pointer per word for the collector to follow (at a million services a
// []string of the words was much of what every collection scanned).
type wordList struct {
	arena strArena
	refs  []strRef
}

func (w *wordList) len() int           { return len(w.refs) }
func (w *wordList) at(n uint32) string { return w.arena.str(w.refs[n]) }

// add appends a word and returns its number.
func (w *wordList) add(s string) uint32 {
	w.refs = append(w.refs, w.arena.add(s))
	return uint32(len(w.refs) - 1)
}

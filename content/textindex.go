package content

import (
	"context"
	"database/sql"
	"fmt"
	"math/bits"
	"slices"
	"strings"
)

// textIndex is the in-memory word index of every service's searchable
// text: its vocabulary (which typo tolerance and "did you mean" draw on)
// and, for each word, the services that use it. It is read from the
// full-text table's folded rows, folded again with today's fold (so a
// file written by an older Punto reads the same), and lives in the index
// beside the points, under the store's lock; services are known by their
// slot in index.svcs.
type textIndex struct {
	ids    map[string]uint32 // word → number
	words  []string          // number → word
	posts  [][]uint32        // number → slots of its services, nameBit set where it is in the name
	bySvc  [][]uint32        // slot → its word numbers
	sorted []uint32          // word numbers in byte order of the word: prefixes and the typo walk
}

// nameBit marks a posting whose word is in the service's name.
const nameBit = 1 << 31

func newTextIndex() *textIndex { return &textIndex{ids: map[string]uint32{}} }

// docWords are the words of one service's text (names, body), folded,
// with the forms a query may reach them by: Chinese as characters and
// pairs of characters, Arabic without proclitics.
func docWords(names, body string, cache map[string][]token) map[string]bool {
	out := map[string]bool{}
	for i, text := range []string{names, body} {
		isSep := func(r rune) bool { return r < 0x80 && r != '\'' && !isWordRune(r) }
		for _, field := range strings.FieldsFunc(text, isSep) {
			addDocTokens(out, fieldTokens(field, cache), i == 0)
		}
	}
	return out
}

// fieldTokens folds and splits a run of text once per distinct run:
// catalogs repeat their words.
func fieldTokens(s string, cache map[string][]token) []token {
	if v, ok := cache[s]; ok {
		return v
	}
	v := appendTokens(nil, fold(s))
	if len(cache) < 1<<20 {
		cache[s] = v
	}
	return v
}

func addDocTokens(out map[string]bool, toks []token, inName bool) {
	put := func(w string) {
		if w != "" && (inName || !out[w]) {
			out[w] = inName
		}
	}
	for i, t := range toks {
		put(t.text)
		if t.han {
			if i+1 < len(toks) && toks[i+1].han {
				put(t.text + toks[i+1].text)
			}
			continue
		}
		for _, f := range cliticForms(t.text) {
			put(f)
		}
	}
}

// set gives the service at slot its words (it has none) and returns the
// numbers of the words new to the index, which the caller adds to the
// sorted list once for all its services.
func (x *textIndex) set(slot uint32, words map[string]bool) (fresh []uint32) {
	x.grow(slot)
	list := make([]uint32, 0, len(words))
	for w, inName := range words {
		id, ok := x.ids[w]
		if !ok {
			id = uint32(len(x.words))
			x.ids[w] = id
			x.words = append(x.words, w)
			x.posts = append(x.posts, nil)
			fresh = append(fresh, id)
		}
		p := slot
		if inName {
			p |= nameBit
		}
		x.posts[id] = append(x.posts[id], p)
		list = append(list, id)
	}
	x.bySvc[slot] = list
	return fresh
}

func (x *textIndex) grow(slot uint32) {
	for uint32(len(x.bySvc)) <= slot {
		x.bySvc = append(x.bySvc, nil)
	}
}

// addSorted merges new word numbers into the sorted list.
func (x *textIndex) addSorted(fresh []uint32) {
	if len(fresh) == 0 {
		return
	}
	byWord := func(a, b uint32) int { return strings.Compare(x.words[a], x.words[b]) }
	slices.SortFunc(fresh, byWord)
	if len(x.sorted) == 0 {
		x.sorted = fresh
		return
	}
	merged := make([]uint32, 0, len(x.sorted)+len(fresh))
	i, j := 0, 0
	for i < len(x.sorted) && j < len(fresh) {
		if byWord(x.sorted[i], fresh[j]) <= 0 {
			merged, i = append(merged, x.sorted[i]), i+1
		} else {
			merged, j = append(merged, fresh[j]), j+1
		}
	}
	x.sorted = append(append(merged, x.sorted[i:]...), fresh[j:]...)
}

// drop removes the services at slots from every posting list they are
// in, one pass over each list whatever the number of services.
func (x *textIndex) drop(slots []uint32) {
	gone := map[uint32]bool{}
	touched := map[uint32]bool{}
	for _, s := range slots {
		if int(s) >= len(x.bySvc) {
			continue
		}
		gone[s] = true
		for _, w := range x.bySvc[s] {
			touched[w] = true
		}
		x.bySvc[s] = nil
	}
	for w := range touched {
		x.posts[w] = slices.DeleteFunc(x.posts[w], func(p uint32) bool { return gone[p&^nameBit] })
	}
}

// word returns the number of a word with at least one service.
func (x *textIndex) word(w string) (uint32, bool) {
	id, ok := x.ids[w]
	return id, ok && len(x.posts[id]) > 0
}

// prefixRange is the part of the sorted list whose words start with p.
func (x *textIndex) prefixRange(p string) []uint32 {
	lo, _ := slices.BinarySearchFunc(x.sorted, p, func(id uint32, p string) int { return strings.Compare(x.words[id], p) })
	hi := lo
	for hi < len(x.sorted) && strings.HasPrefix(x.words[x.sorted[hi]], p) {
		hi++
	}
	return x.sorted[lo:hi]
}

// loadText reads the searchable text of the services (all of them when
// ids is nil) and returns each one's words by service ID.
func loadText(ctx context.Context, db *sql.DB, ids []string) (map[string]map[string]bool, error) {
	q := "SELECT s.id, f.names, f.body FROM service s JOIN service_fts f ON f.rowid = s.pk"
	groups := [][]string{nil}
	if ids != nil {
		groups = chunks(ids, 400)
	}
	out := map[string]map[string]bool{}
	cache := map[string][]token{}
	for _, g := range groups {
		query, args := q, []any(nil)
		if g != nil {
			query += " WHERE s.id IN (" + placeholders(len(g)) + ")"
			args = anySlice(g)
		}
		rows, err := db.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, fmt.Errorf("content: load search words: %w", err)
		}
		for rows.Next() {
			var id, names, body string
			if err := rows.Scan(&id, &names, &body); err != nil {
				rows.Close()
				return nil, fmt.Errorf("content: load search words: %w", err)
			}
			out[id] = docWords(names, body, cache)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("content: load search words: %w", err)
		}
	}
	return out, nil
}

// bitset is a set of service slots.
type bitset []uint64

func newBitset(n int) bitset       { return make(bitset, (n+63)/64) }
func (b bitset) set(i uint32)      { b[i/64] |= 1 << (i % 64) }
func (b bitset) has(i uint32) bool { return int(i/64) < len(b) && b[i/64]&(1<<(i%64)) != 0 }

func (b bitset) and(o bitset) {
	for i := range b {
		b[i] &= o[i]
	}
}

func (b bitset) or(o bitset) {
	for i := range b {
		b[i] |= o[i]
	}
}

func (b bitset) empty() bool {
	for _, w := range b {
		if w != 0 {
			return false
		}
	}
	return true
}

// each calls fn for every slot in the set, in order.
func (b bitset) each(fn func(uint32)) {
	for i, w := range b {
		for w != 0 {
			t := bits.TrailingZeros64(w)
			fn(uint32(i*64 + t))
			w &= w - 1
		}
	}
}

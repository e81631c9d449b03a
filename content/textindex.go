package content

import (
	"context"
	"database/sql"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"unsafe"
)

// textIndex is the in-memory word index of every service's searchable
// text: its vocabulary (which typo tolerance and "did you mean" draw on)
// and, for each word, the services that use it. It is read from the
// service_text table's folded rows, folded again with today's fold (so a
// file written by an older Punto reads the same), and lives in the index
// beside the points, under the store's lock; services are known by their
// slot in index.svcs.
type textIndex struct {
	ids    idTable  // word → number
	words  wordList // number → word
	posts  lists    // number → slots of its services, nameBit set where it is in the name
	sorted []uint32 // word numbers in byte order of the word: prefixes and the typo walk
}

// nameBit marks a posting whose word is in the service's name.
const nameBit = 1 << 31

func newTextIndex() *textIndex { return &textIndex{ids: newIDTable(0)} }

func (x *textIndex) wordOf(n uint32) string { return x.words.at(n) }

// number returns a word's number, giving it one if it has none (then
// fresh is true; the caller adds it to the sorted list).
func (x *textIndex) number(w string) (id uint32, fresh bool) {
	if id, ok := x.ids.get(w, x.wordOf); ok {
		return id, false
	}
	id = x.words.add(w)
	x.ids.set(w, id, x.wordOf)
	x.posts.grow(x.words.len())
	return id, true
}

// wordLoad is the words of some services as read from the file, numbered
// on their own: it is built off the store's lock (at open, while the
// records load on another connection), then merged into the index.
type wordLoad struct {
	dict    *textIndex          // the words; no postings
	svcs    []serviceWords      // in the order read
	cache   map[string][]uint32 // a run of text → its words' numbers: catalogs repeat their words
	one     [1]uint32           // fieldWords' answer for a plain word
	scratch []uint32            // add's list of a service's words, reused
	svc     uint32              // add's count of services read
	seen    []wordSeen          // word number → where the service being read has it
}

// wordSeen is where a word is in the list of the service being read, if
// that service is svc.
type wordSeen struct{ svc, at uint32 }

func newWordLoad() *wordLoad {
	return &wordLoad{dict: newTextIndex(), cache: map[string][]uint32{}}
}

// serviceWords is a service's word numbers in a wordLoad's dict, nameBit
// on those of its name.
type serviceWords struct {
	id    string
	words []uint32
}

// add reads one service's text (names, body) as the service_text table
// holds it.
func (l *wordLoad) add(id string, names, body []byte) {
	l.svc++
	list := l.scratch[:0]
	for i, text := range [][]byte{names, body} {
		for start := 0; start < len(text); {
			end := start
			for end < len(text) && !isFieldSep(text[end]) {
				end++
			}
			if end > start {
				for _, n := range l.fieldWords(text[start:end]) {
					list = l.addWord(list, n, i == 0)
				}
			}
			start = end + 1
		}
	}
	l.scratch = list
	l.svcs = append(l.svcs, serviceWords{id, slices.Clone(list)})
}

// addWord adds word number n to the list of the service being read, once
// (a service in 15 languages uses hundreds of words, many of them many
// times), marked if any of its uses is in the name.
func (l *wordLoad) addWord(list []uint32, n uint32, inName bool) []uint32 {
	if int(n) >= len(l.seen) {
		l.seen = append(l.seen, make([]wordSeen, int(n)+1-len(l.seen)+len(l.seen)/2)...)
	}
	if s := &l.seen[n]; s.svc == l.svc {
		if inName {
			list[s.at] |= nameBit
		}
		return list
	}
	l.seen[n] = wordSeen{svc: l.svc, at: uint32(len(list))}
	if inName {
		n |= nameBit
	}
	return append(list, n)
}

// plainASCII: lower-case ASCII letters and digits only.
func plainASCII(b []byte) bool {
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// isFieldSep: ASCII that is neither a letter, a digit nor an apostrophe
// separates the runs of text fold takes one at a time.
func isFieldSep(c byte) bool {
	return c < 0x80 && c != '\'' && !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')
}

// fieldWords folds and splits a run of text, once per distinct run, into
// the numbers of its words with the forms a query may reach them by:
// Chinese as characters and pairs of characters, Arabic without
// proclitics.
func (l *wordLoad) fieldWords(b []byte) []uint32 {
	if plainASCII(b) {
		// Already one folded word (most of an Italian or English
		// catalog): no need to fold it or remember that it was.
		// Looked up without a copy: the bytes are not kept.
		if id, ok := l.dict.ids.get(unsafe.String(unsafe.SliceData(b), len(b)), l.dict.wordOf); ok {
			l.one[0] = id
		} else {
			l.one[0], _ = l.dict.number(string(b))
		}
		return l.one[:]
	}
	if v, ok := l.cache[string(b)]; ok {
		return v
	}
	s := string(b)
	var out []uint32
	put := func(w string) {
		n, _ := l.dict.number(w)
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	toks := appendTokens(nil, fold(s))
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
	if len(l.cache) < 1<<20 {
		l.cache[s] = out
	}
	return out
}

// setWords gives services their words (they have none): a whole load
// becomes the index's vocabulary as it is, its lists packed; a few
// services' words are merged into it.
func (x *index) setWords(l *wordLoad) {
	if l == nil {
		return
	}
	t := x.text
	slots := make([]uint32, len(l.svcs)) // noEntry: not in the index
	for i, sw := range l.svcs {
		if s, ok := x.slot(sw.id); ok {
			slots[i] = s
		} else {
			slots[i] = noEntry
		}
	}
	if t.words.len() == 0 {
		t.ids, t.words, t.sorted = l.dict.ids, l.dict.words, l.dict.sorted
		counts := make([]uint32, t.words.len())
		for i, sw := range l.svcs {
			if slots[i] != noEntry {
				for _, w := range sw.words {
					counts[w&^nameBit]++
				}
			}
		}
		posts, addPost := packLists(counts)
		for i, sw := range l.svcs {
			if s := slots[i]; s != noEntry {
				for _, w := range sw.words {
					addPost(w&^nameBit, s|w&nameBit)
				}
			}
		}
		t.posts = *posts
		return
	}
	remap := make([]uint32, l.dict.words.len()) // dict's numbers → the index's
	var fresh []uint32
	for i := range remap {
		id, isNew := t.number(l.dict.wordOf(uint32(i)))
		remap[i] = id
		if isNew {
			fresh = append(fresh, id)
		}
	}
	t.addSorted(fresh)
	// Each changed posting list grown once, sized by a first count.
	counts := make([]int, t.words.len())
	for _, sw := range l.svcs {
		list := sw.words
		for i, w := range list {
			list[i] = remap[w&^nameBit] | w&nameBit
			counts[list[i]&^nameBit]++
		}
	}
	for n, c := range counts {
		if c > 0 {
			t.posts.set(uint32(n), slices.Grow(t.posts.get(uint32(n)), c))
		}
	}
	for i, sw := range l.svcs {
		if slot := slots[i]; slot != noEntry {
			for _, w := range sw.words {
				n := w &^ nameBit
				t.posts.set(n, append(t.posts.get(n), slot|w&nameBit))
			}
		}
	}
}

// addSorted merges new word numbers into the sorted list.
func (x *textIndex) addSorted(fresh []uint32) {
	if len(fresh) == 0 {
		return
	}
	byWord := func(a, b uint32) int { return strings.Compare(x.wordOf(a), x.wordOf(b)) }
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

// holding lists the words whose postings hold a service of gone: one
// pass over every posting (a service's words are not kept beside them,
// which at a million services would take 40 MB more).
func (x *textIndex) holding(gone bitset) []uint32 {
	var out []uint32
	l := &x.posts
	for w, sp := range l.spans {
		if len(l.own) > 0 {
			if _, ok := l.own[uint32(w)]; ok {
				continue // its packed span is stale
			}
		}
		for _, p := range l.pool[sp.at : sp.at+sp.n] {
			if gone.has(p &^ nameBit) {
				out = append(out, uint32(w))
				break
			}
		}
	}
	for w, ps := range l.own {
		for _, p := range ps {
			if gone.has(p &^ nameBit) {
				out = append(out, w)
				break
			}
		}
	}
	return out
}

// drop removes the services of gone from the postings of words, the
// words holding them.
func (x *textIndex) drop(gone bitset, words []uint32) {
	for _, w := range words {
		x.posts.deleteFunc(w, func(p uint32) bool { return gone.has(p &^ nameBit) })
	}
}

// word returns the number of a word with at least one service.
func (x *textIndex) word(w string) (uint32, bool) {
	id, ok := x.ids.get(w, x.wordOf)
	return id, ok && len(x.posts.get(id)) > 0
}

// prefixRange is the part of the sorted list whose words start with p.
func (x *textIndex) prefixRange(p string) []uint32 {
	lo, _ := slices.BinarySearchFunc(x.sorted, p, func(id uint32, p string) int { return strings.Compare(x.wordOf(id), p) })
	hi := lo
	for hi < len(x.sorted) && strings.HasPrefix(x.wordOf(x.sorted[hi]), p) {
		hi++
	}
	return x.sorted[lo:hi]
}

// loadText reads the searchable text of the services (all of them when
// ids is nil) into a wordLoad, its words sorted.
func loadText(ctx context.Context, db *sql.DB, ids []string) (*wordLoad, error) {
	q := "SELECT s.id, f.names, f.body FROM service_text f JOIN service s ON s.pk = f.pk"
	groups := [][]string{nil}
	if ids != nil {
		groups = chunks(ids, 400)
	}
	l := newWordLoad()
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
			// The texts are read in place: only their words are kept.
			var id string
			var names, body sql.RawBytes
			if err := rows.Scan(&id, &names, &body); err != nil {
				rows.Close()
				return nil, fmt.Errorf("content: load search words: %w", err)
			}
			l.add(id, names, body)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("content: load search words: %w", err)
		}
	}
	all := make([]uint32, l.dict.words.len())
	for i := range all {
		all[i] = uint32(i)
	}
	l.dict.addSorted(all)
	l.cache = nil
	return l, nil
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

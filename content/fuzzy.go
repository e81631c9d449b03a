package content

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// Typo tolerance. A word of 4 letters or more may carry one typo, of 8 or
// more two; a typo is a letter added, dropped, changed, or two neighbours
// swapped (the optimal string alignment form of Damerau-Levenshtein).
//
// The vocabularies are sorted word lists, so the walk needs no structure
// of its own (nothing to build at open, nothing to update on writes): it
// computes the edit-distance table row by row along each word, reuses the
// rows of the prefix a word shares with the one before, and skips every
// word under a prefix that is already too far. Go's libraries for this
// (go-edlib, agnivade/levenshtein) give a distance between two strings but
// no index, which is the part that costs.

// maxEdits is how many typos a word of n letters may carry.
func maxEdits(n int) int {
	switch {
	case n >= 8:
		return 2
	case n >= 4:
		return 1
	}
	return 0
}

// editDistance is the optimal string alignment distance of a and b, or
// k+1 when it is more than k.
func editDistance(a, b string, k int) int {
	w := fuzzyWalker{q: []rune(a), k: k}
	w.reset()
	d := 0
	for i, r := range []rune(b) {
		d = i + 1
		w.row(d, r)
	}
	return min(w.rows[d][len(w.q)], k+1)
}

// fuzzyWalker holds the rows of one query's edit-distance table: row i is
// the distance from the first i letters of a vocabulary word to every
// prefix of the query.
type fuzzyWalker struct {
	q    []rune
	k    int
	rows [][]int
	mins []int  // each row's minimum
	word []rune // the letters the rows stand for
}

func (w *fuzzyWalker) reset() {
	w.rows = [][]int{make([]int, len(w.q)+1)}
	for j := range w.rows[0] {
		w.rows[0][j] = j
	}
	w.mins = []int{0}
	w.word = w.word[:0]
}

// row computes row i (1-based) for letter r, which becomes the word's i-th.
func (w *fuzzyWalker) row(i int, r rune) {
	w.word = append(w.word[:i-1], r)
	for len(w.rows) <= i {
		w.rows = append(w.rows, make([]int, len(w.q)+1))
		w.mins = append(w.mins, 0)
	}
	prev, cur := w.rows[i-1], w.rows[i]
	cur[0] = i
	best := i
	for j := 1; j <= len(w.q); j++ {
		cost := 1
		if w.q[j-1] == r {
			cost = 0
		}
		v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		if i > 1 && j > 1 && w.q[j-1] == w.word[i-2] && w.q[j-2] == r {
			v = min(v, w.rows[i-2][j-2]+1)
		}
		cur[j] = v
		best = min(best, v)
	}
	w.mins[i] = best
}

// hopeless says that no word continuing the first i letters can come
// within k: this row and the one before are too far (a swap reaches back
// two rows).
func (w *fuzzyWalker) hopeless(i int) bool {
	return w.mins[i] > w.k && (i < 2 || w.mins[i-1] >= w.k)
}

// nearWords calls fn with the index and distance of every word of a
// sorted list of n words (word(i) is the i-th) within k edits of q.
func nearWords(q string, k, n int, word func(int) string, fn func(i, d int)) {
	w := fuzzyWalker{q: []rune(q), k: k}
	w.reset()
	valid := 0 // rows 1..valid hold w.word[:valid]
	for i := 0; i < n; {
		s := word(i)
		depth, shared := 0, 0
		for _, r := range s {
			if depth < valid && shared == depth && w.word[depth] == r {
				shared++
			}
			depth++
		}
		d, cut := 0, -1
		for off, r := range s {
			d++
			if d > shared {
				w.row(d, r)
				valid = d
			}
			if w.hopeless(d) {
				cut = off + utf8.RuneLen(r)
				break
			}
		}
		if cut < 0 {
			valid = d
			if dist := w.rows[d][len(w.q)]; dist <= k {
				fn(i, dist)
			}
			i++
			continue
		}
		valid = d
		i = skipPrefix(i, n, s[:cut], word)
	}
}

// skipPrefix is the first index after i whose word does not start with p.
func skipPrefix(i, n int, p string, word func(int) string) int {
	return i + 1 + sort.Search(n-i-1, func(j int) bool { return !strings.HasPrefix(word(i+1+j), p) })
}

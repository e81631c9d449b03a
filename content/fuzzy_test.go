package content

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"medico", "medico", 0},
		{"medico", "medcio", 1}, // a swap
		{"medico", "medio", 1},  // a letter dropped
		{"medico", "mediico", 1},
		{"medico", "merico", 1},
		{"ospedale", "ospdlae", 2},
		{"طبيب", "طبيت", 1},
		{"лікар", "лiкар", 1}, // a Latin i among Cyrillic
		{"", "abc", 3},
		{"abcdef", "zzzzzz", 3}, // capped at k+1
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b, 2); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// fullDistance is the textbook optimal string alignment table, the
// reference the walk is checked against.
func fullDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}

// The walk over a sorted vocabulary finds exactly the words a full scan
// finds, with the same distances, whatever the shared prefixes and skips.
func TestNearWordsMatchesFullScan(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	alphabet := []rune("abcdeлж")
	word := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteRune(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	var vocab []string
	for range 3000 {
		vocab = append(vocab, word(1+r.IntN(9)))
	}
	slices.Sort(vocab)
	vocab = slices.Compact(vocab)
	for range 300 {
		q := word(1 + r.IntN(9))
		for k := 0; k <= 2; k++ {
			got := map[string]int{}
			nearWords(q, k, len(vocab), func(i int) string { return vocab[i] }, func(i, d int) { got[vocab[i]] = d })
			for _, w := range vocab {
				want := fullDistance(q, w)
				if d, ok := got[w]; want <= k && (!ok || d != want) || want > k && ok {
					t.Fatalf("q=%q k=%d w=%q: walk says %d (found %v), table %d", q, k, w, d, ok, want)
				}
			}
		}
	}
}

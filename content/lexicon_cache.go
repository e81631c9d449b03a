package content

import (
	"crypto/sha256"
	_ "embed" // the lexicon ready-built
	"encoding/binary"
	"errors"
	"io/fs"
	"maps"
	"slices"
	"strings"
)

// The lexicon is also kept ready-built in lexicon.cache, made by `go
// generate ./content` from the concept files and the category names: a
// process decodes it in a few milliseconds instead of building it in
// about 70 (every punto process opens a catalog, and with it the
// lexicon). The file carries a digest of the files it was built from; if
// they changed since (a TOML file edited, the cache not made again), it is
// left aside and the lexicon is built from them as before.
// TestLexiconCacheFresh fails until it is made again, and also when the
// code that builds the lexicon (folding, stems) changed what it builds.

//go:generate go test -tags sqlite_fts5 -run ^TestLexiconCacheFresh$ . -args -update-lexicon-cache

//go:embed lexicon.cache
var lexiconCache string

// lexiconCacheMagic starts the file; a new layout gets a new number.
const lexiconCacheMagic = "punto lexicon 1\n"

// loadLexicon is the lexicon of files and ui: cache if it was built from
// them, else built.
func loadLexicon(files, ui fs.FS, cache string) (*lexicon, error) {
	if sum, err := lexiconSources(files, ui); err == nil {
		if l, err := decodeLexicon(cache, sum); err == nil {
			return l, nil
		}
	}
	return buildLexicon(files, ui)
}

// lexiconSources is a digest of what the lexicon is built from: the
// concept files and the screens' strings (the category names), by name.
func lexiconSources(files, ui fs.FS) ([32]byte, error) {
	h := sha256.New()
	for _, src := range []struct {
		fsys    fs.FS
		pattern string
	}{{files, "lexicon/*.toml"}, {ui, "*.toml"}} {
		names, err := fs.Glob(src.fsys, src.pattern)
		if err != nil {
			return [32]byte{}, err
		}
		slices.Sort(names)
		for _, name := range names {
			b, err := fs.ReadFile(src.fsys, name)
			if err != nil {
				return [32]byte{}, err
			}
			var n [8]byte
			binary.LittleEndian.PutUint64(n[:], uint64(len(b)))
			h.Write([]byte(name + "\x00"))
			h.Write(n[:])
			h.Write(b)
		}
	}
	return [32]byte(h.Sum(nil)), nil
}

// encodeLexicon writes l, built from the sources of digest sum, in the
// cache's layout: varints, strings as length and bytes, maps in key order,
// and a count of 0 for a nil slice or map (n+1 for n items).
func encodeLexicon(l *lexicon, sum [32]byte) []byte {
	e := &lexEncoder{b: []byte(lexiconCacheMagic)}
	e.b = append(e.b, sum[:]...)
	e.uint(uint64(len(l.concepts)))
	for _, c := range l.concepts {
		e.str(c.id)
		e.strs(c.cats)
		e.uint(uint64(c.mask))
		e.strsMap(c.terms)
		e.strsMap(c.latin)
	}
	e.count(l.keys == nil, len(l.keys))
	for _, k := range slices.Sorted(maps.Keys(l.keys)) {
		e.str(k)
		hits := l.keys[k]
		e.count(hits == nil, len(hits))
		for _, h := range hits {
			e.uint(uint64(h.concept))
			e.str(h.lang)
		}
	}
	e.strs(l.singles)
	e.strs(l.words)
	e.strMap(l.known)
	e.uint(uint64(l.maxSpan))
	e.strsMap(l.stems)
	e.count(l.catNames == nil, len(l.catNames))
	for _, lang := range slices.Sorted(maps.Keys(l.catNames)) {
		e.str(lang)
		e.strMap(l.catNames[lang])
	}
	e.count(l.ids == nil, len(l.ids))
	for _, id := range slices.Sorted(maps.Keys(l.ids)) {
		e.str(id)
		e.uint(uint64(l.ids[id]))
	}
	return e.b
}

type lexEncoder struct{ b []byte }

func (e *lexEncoder) uint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }

func (e *lexEncoder) count(isNil bool, n int) {
	if isNil {
		e.uint(0)
		return
	}
	e.uint(uint64(n) + 1)
}

func (e *lexEncoder) str(s string) {
	e.uint(uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *lexEncoder) strs(v []string) {
	e.count(v == nil, len(v))
	for _, s := range v {
		e.str(s)
	}
}

func (e *lexEncoder) strMap(m map[string]string) {
	e.count(m == nil, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		e.str(k)
		e.str(m[k])
	}
}

func (e *lexEncoder) strsMap(m map[string][]string) {
	e.count(m == nil, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		e.str(k)
		e.strs(m[k])
	}
}

// errLexiconCache is a cache that is not for these sources, or damaged.
var errLexiconCache = errors.New("content: the lexicon cache does not match")

// decodeLexicon reads a lexicon encodeLexicon wrote from the sources of
// digest sum. Its strings are cut from data, not copied.
func decodeLexicon(data string, sum [32]byte) (l *lexicon, err error) {
	if !strings.HasPrefix(data, lexiconCacheMagic) || len(data) < len(lexiconCacheMagic)+32 ||
		data[len(lexiconCacheMagic):len(lexiconCacheMagic)+32] != string(sum[:]) {
		return nil, errLexiconCache
	}
	d := &lexDecoder{s: data[len(lexiconCacheMagic)+32:]}
	l = &lexicon{}
	n := min(d.uint(), uint64(len(d.s)))
	l.concepts = make([]lexConcept, 0, n)
	for range n {
		c := lexConcept{id: d.str(), cats: d.strs(), mask: uint16(d.uint())}
		c.terms, c.latin = d.strsMap(), d.strsMap()
		l.concepts = append(l.concepts, c)
	}
	if n, ok := d.count(); ok {
		l.keys = make(map[string][]lexHit, n)
		for range n {
			k := d.str()
			var hits []lexHit
			if m, ok := d.count(); ok {
				hits = make([]lexHit, m)
				for i := range hits {
					hits[i] = lexHit{concept: int32(d.uint()), lang: d.str()}
				}
			}
			l.keys[k] = hits
		}
	}
	l.singles, l.words, l.known = d.strs(), d.strs(), d.strMap()
	l.maxSpan = int(d.uint())
	l.stems = d.strsMap()
	if n, ok := d.count(); ok {
		l.catNames = make(map[string]map[string]string, n)
		for range n {
			lang := d.str()
			l.catNames[lang] = d.strMap()
		}
	}
	if n, ok := d.count(); ok {
		l.ids = make(map[string]int32, n)
		for range n {
			id := d.str()
			l.ids[id] = int32(d.uint())
		}
	}
	if d.bad || d.s != "" {
		return nil, errLexiconCache
	}
	return l, nil
}

// lexDecoder reads what lexEncoder wrote; bad records a short or damaged
// input (reads then return zero values).
type lexDecoder struct {
	s   string
	bad bool
}

func (d *lexDecoder) uint() uint64 {
	var v uint64
	for i := 0; i < len(d.s) && i < binary.MaxVarintLen64; i++ {
		b := d.s[i]
		v |= uint64(b&0x7f) << (7 * i)
		if b < 0x80 {
			d.s = d.s[i+1:]
			return v
		}
	}
	d.bad, d.s = true, ""
	return 0
}

// count reads a count: ok false for nil; n is bounded by what is left to
// read, so that a damaged count cannot make a huge allocation.
func (d *lexDecoder) count() (n uint64, ok bool) {
	v := d.uint()
	if v == 0 {
		return 0, false
	}
	return min(v-1, uint64(len(d.s))), true
}

func (d *lexDecoder) str() string {
	n := d.uint()
	if n > uint64(len(d.s)) {
		d.bad, d.s = true, ""
		return ""
	}
	s := d.s[:n]
	d.s = d.s[n:]
	return s
}

func (d *lexDecoder) strs() []string {
	n, ok := d.count()
	if !ok {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.str()
	}
	return out
}

func (d *lexDecoder) strMap() map[string]string {
	n, ok := d.count()
	if !ok {
		return nil
	}
	out := make(map[string]string, n)
	for range n {
		k := d.str()
		out[k] = d.str()
	}
	return out
}

func (d *lexDecoder) strsMap() map[string][]string {
	n, ok := d.count()
	if !ok {
		return nil
	}
	out := make(map[string][]string, n)
	for range n {
		k := d.str()
		out[k] = d.strs()
	}
	return out
}

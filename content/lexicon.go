package content

import (
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"github.com/punto-totem/punto/locales"
)

// The lexicon maps what people type to what they need: concepts ("doctor",
// "permesso di soggiorno") with their words in the 15 languages and their
// Latin spellings (Arabizi, Roman Urdu, pinyin), each concept pointing at
// the categories that serve it. The words of the category names on the
// screen (locales/, "category.<id>") are searchable too. It is data that
// ships with the binary, read once per process.

//go:embed lexicon/*.toml
var lexiconFiles embed.FS

// starterFile holds the first few concepts, until the data's files cover
// them.
const starterFile = "lexicon/starter.toml"

// lexiconFile is the shape of lexicon/*.toml.
type lexiconFile struct {
	Concept []struct {
		ID         string              `toml:"id"`
		Categories []string            `toml:"categories"`
		Review     []string            `toml:"review"` // languages awaiting a native speaker; matched all the same
		Terms      map[string][]string `toml:"terms"`
		Latin      map[string][]string `toml:"latin"`
	} `toml:"concept"`
}

// lexConcept is a concept, or a category standing for itself (id "").
type lexConcept struct {
	id    string
	cats  []string
	mask  uint16
	terms map[string][]string // language → its words as written: labels
	latin map[string][]string // language → its Latin spellings
}

// lexHit is a concept a key names, and in which language.
type lexHit struct {
	concept int32
	lang    string
}

// lexicon is the lexicon ready for matching queries.
type lexicon struct {
	concepts []lexConcept
	keys     map[string][]lexHit // a term's folded tokens joined → what it names
	singles  []string            // keys of one token, sorted: type-ahead
	words    []string            // every token of every term, sorted: typo tolerance
	known    map[string]string   // token → the term's word as written
	maxSpan  int                 // the most tokens in a term
	stems    map[string][]string // stem key (stemOf) → the tokens filed under it
	catNames map[string]map[string]string
	ids      map[string]int32 // concept id → its index in concepts

	// While extend adds terms: the keys and words it added, to merge
	// into singles and words.
	newKeys, newWords []string
}

var theLexicon = sync.OnceValues(func() (*lexicon, error) {
	return loadLexicon(lexiconFiles, locales.FS, lexiconCache)
})

// buildLexicon reads the concept files (lexicon/*.toml in files) and the
// category names (*.toml in ui).
func buildLexicon(files, ui fs.FS) (*lexicon, error) {
	l := &lexicon{keys: map[string][]lexHit{}, known: map[string]string{}, stems: map[string][]string{}, catNames: map[string]map[string]string{}, ids: map[string]int32{}}
	if err := l.readConcepts(files); err != nil {
		return nil, err
	}
	if err := l.readCategoryNames(ui); err != nil {
		return nil, err
	}
	for k := range l.keys {
		if !strings.Contains(k, " ") {
			l.singles = append(l.singles, k)
		}
	}
	slices.Sort(l.singles)
	for w := range l.known {
		l.words = append(l.words, w)
	}
	slices.Sort(l.words)
	return l, nil
}

func (l *lexicon) readConcepts(files fs.FS) error {
	names, err := fs.Glob(files, "lexicon/*.toml")
	if err != nil {
		return err
	}
	// The starter file yields: a concept it shares with the data's
	// files is theirs.
	slices.SortStableFunc(names, func(a, b string) int { return boolInt(a == starterFile) - boolInt(b == starterFile) })
	seen := map[string]string{}
	for _, name := range names {
		var f lexiconFile
		md, err := toml.DecodeFS(files, name, &f)
		if err == nil && len(md.Undecoded()) > 0 {
			err = fmt.Errorf("unknown keys %v", md.Undecoded()) // a misspelt "categories" would match nothing
		}
		if err != nil {
			return fmt.Errorf("content: lexicon %s: %w", path.Base(name), err)
		}
		for i, c := range f.Concept {
			where := fmt.Sprintf("content: lexicon %s, concept %d (%q)", path.Base(name), i+1, c.ID)
			if c.ID == "" {
				return fmt.Errorf("%s: no id", where)
			}
			if _, dup := seen[c.ID]; dup && name == starterFile {
				continue
			}
			if other, dup := seen[c.ID]; dup {
				return fmt.Errorf("%s: id already used in %s", where, other)
			}
			seen[c.ID] = path.Base(name)
			mask, err := categoryMask(c.Categories)
			if err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			n := int32(len(l.concepts))
			l.ids[c.ID] = n
			l.concepts = append(l.concepts, lexConcept{id: c.ID, cats: c.Categories, mask: mask, terms: c.Terms, latin: c.Latin})
			// Languages in order: the same files build the same lexicon
			// (which word shows a token, the order of a key's hits).
			for _, lang := range slices.Sorted(maps.Keys(c.Terms)) {
				if !ValidLanguage(lang) {
					return fmt.Errorf("%s: %q is not a language code", where, lang)
				}
				for _, t := range c.Terms[lang] {
					l.addTerm(t, lexHit{n, lang}, false)
				}
			}
			for _, lang := range slices.Sorted(maps.Keys(c.Latin)) {
				for _, t := range c.Latin[lang] {
					l.addTerm(t, lexHit{n, lang}, true)
				}
			}
		}
	}
	return nil
}

func categoryMask(ids []string) (uint16, error) {
	if len(ids) == 0 {
		return 0, fmt.Errorf("no categories")
	}
	var mask uint16
	for _, id := range ids {
		i := categoryIndex(id)
		if i < 0 {
			return 0, fmt.Errorf("%q is not a category", id)
		}
		mask |= 1 << i
	}
	return mask, nil
}

// addTerm makes a term findable by its tokens joined, with its first word
// also found without Arabic proclitics and a Latin spelling also found
// without tone numbers or spaces.
func (l *lexicon) addTerm(term string, h lexHit, latin bool) {
	toks := tokens(term)
	if len(toks) == 0 {
		return
	}
	l.maxSpan = max(l.maxSpan, len(toks))
	texts := make([]string, len(toks))
	for i, t := range toks {
		texts[i] = t.text
		l.addWord(t.text, term, len(toks) == 1)
		l.addStem(t.text, h.lang)
	}
	add := func(k string) {
		if l.newKeys != nil && len(l.keys[k]) == 0 {
			l.newKeys = append(l.newKeys, k)
		}
		if !slices.Contains(l.keys[k], h) {
			l.keys[k] = append(l.keys[k], h)
		}
	}
	key := strings.Join(texts, " ")
	add(key)
	if latin {
		add(compactLatin(strings.Join(texts, "")))
	}
	for _, f := range cliticForms(texts[0]) {
		add(strings.Join(append([]string{f}, texts[1:]...), " "))
		l.addWord(f, term, false)
	}
}

// addWord records a token the lexicon knows, and how to show it.
func (l *lexicon) addWord(w, term string, whole bool) {
	if _, ok := l.known[w]; !ok || whole {
		if !ok && l.newWords != nil {
			l.newWords = append(l.newWords, w)
		}
		if !whole {
			term = w
		}
		l.known[w] = term
	}
}

// categoryStop are words of category names too general to stand for the
// category on their own ("help", "for", "home"): the whole name still
// does, and so do the lexicon's concepts.
var categoryStop = sync.OnceValue(func() map[string]bool {
	out := map[string]bool{}
	for _, w := range []string{
		"help", "home", "aide", "pays", "ayuda", "para", "país", "origen", "ajutor", "pentru", "acasă",
		"помощь", "допомога", "додому", "ndihmë", "volontario", "assistito", "المساعدة", "برای",
		"জন্য", "সহায়তা", "ਬਾਰੇ",
	} {
		out[fold(w)] = true
	}
	return out
})

// readCategoryNames makes every category name, and each telling word of
// it, a term for its category.
func (l *lexicon) readCategoryNames(ui fs.FS) error {
	names, err := fs.Glob(ui, "*.toml")
	if err != nil {
		return err
	}
	first := int32(len(l.concepts))
	for _, c := range Categories {
		mask, _ := categoryMask([]string{c.ID})
		l.concepts = append(l.concepts, lexConcept{cats: []string{c.ID}, mask: mask, terms: map[string][]string{}})
	}
	for _, name := range names {
		var msgs map[string]any
		if _, err := toml.DecodeFS(ui, name, &msgs); err != nil {
			return fmt.Errorf("content: category names %s: %w", name, err)
		}
		lang := strings.TrimSuffix(path.Base(name), ".toml")
		l.catNames[lang] = map[string]string{}
		for i, c := range Categories {
			v, ok := msgs["category."+c.ID].(string)
			if !ok || v == "" {
				continue
			}
			l.catNames[lang][c.ID] = v
			h := lexHit{first + int32(i), lang}
			l.concepts[h.concept].terms[lang] = []string{v}
			for _, t := range categoryTerms(v) {
				l.addTerm(t, h, false)
			}
		}
	}
	return nil
}

// categoryTerms are a category name and the words of it that name it
// alone: 4 letters or more, not general; a Chinese name splits at "与".
func categoryTerms(name string) []string {
	out := []string{name}
	if strings.ContainsFunc(name, isHan) {
		for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '与' || r == '和' || r == '及' }) {
			if part != name {
				out = append(out, part)
			}
		}
		return out
	}
	toks := tokens(name)
	if len(toks) < 2 {
		return out
	}
	for _, t := range toks {
		if utf8.RuneCountInString(t.text) >= 4 && !categoryStop()[t.text] {
			out = append(out, t.text)
		}
	}
	return out
}

// label is a concept's name in lang: its first word there, else in
// English, else in Italian; a category's is its name.
func (l *lexicon) label(c *lexConcept, lang string) string {
	for _, tag := range []string{lang, "en", "it"} {
		if ts := c.terms[tag]; len(ts) > 0 {
			return ts[0]
		}
	}
	return c.id
}

// categoryName is a category's name in lang, else English, else Italian.
func (l *lexicon) categoryName(id, lang string) string {
	for _, tag := range []string{lang, "en", "it"} {
		if n := l.catNames[tag][id]; n != "" {
			return n
		}
	}
	return id
}

// lookup returns what a key names; when some of it is named in the
// visitor's language, only that (so "pan" in Spanish is bread).
func (l *lexicon) lookup(key, lang string) []lexHit {
	hits := l.keys[key]
	if len(hits) < 2 {
		return hits
	}
	var mine []lexHit
	for _, h := range hits {
		if h.lang == lang {
			mine = append(mine, h)
		}
	}
	if len(mine) > 0 {
		return mine
	}
	return hits
}

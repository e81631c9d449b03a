package locales

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Messages are written in the subset of ICU MessageFormat that the
// browser toolkit (assets/web/lib/toolkit.js) renders, for the kiosk and
// the editor alike:
//
//	Closes at {time}
//	{count, plural, one {# minute on foot} other {# minutes on foot}}
//
// A placeholder is {name}; a plural is {name, plural, …} with a form for
// each CLDR category the language needs (zero, one, two, few, many,
// other; =N for an exact number) and # for the number. There is no
// quoting: a message holds no literal brace. go-i18n loads the files as
// plain messages (no "{{", which it would read as a Go template).

// A Plural is one {arg, plural, …} of a message: its argument and the
// text of each form.
type Plural struct {
	Arg   string
	Forms map[string]string
}

// Parsed is what a message asks of its caller: the arguments it names
// (plural ones too) and its plurals.
type Parsed struct {
	Args    map[string]bool // argument name → used as a plural count
	Plurals []Plural
}

var (
	argName  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	selector = regexp.MustCompile(`^(zero|one|two|few|many|other|=[0-9]+)$`)
)

// Parse reads a message and says what it needs, or why the toolkit could
// not render it.
func Parse(msg string) (Parsed, error) {
	if strings.Contains(msg, "{{") {
		return Parsed{}, fmt.Errorf("%q: \"{{\" is a go-i18n template, not ICU", msg)
	}
	p := Parsed{Args: map[string]bool{}}
	rest, err := p.text(msg, false)
	if err != nil {
		return Parsed{}, fmt.Errorf("%q: %w", msg, err)
	}
	if rest != "" {
		return Parsed{}, fmt.Errorf("%q: unmatched %q", msg, rest[:1])
	}
	return p, nil
}

// text reads literal text and arguments up to a "}" that closes an
// enclosing form (returned with the rest) or the end.
func (p *Parsed) text(s string, inForm bool) (string, error) {
	for {
		i := strings.IndexAny(s, "{}")
		if i < 0 {
			if inForm {
				return "", fmt.Errorf("a plural form is not closed")
			}
			return "", nil
		}
		if s[i] == '}' {
			return s[i:], nil
		}
		var err error
		if s, err = p.argument(s[i+1:]); err != nil {
			return "", err
		}
	}
}

// argument reads what follows a "{": "name}" or "name, plural, … }".
func (p *Parsed) argument(s string) (string, error) {
	end := strings.IndexAny(s, ",}")
	if end < 0 {
		return "", fmt.Errorf("an argument is not closed")
	}
	name := strings.TrimSpace(s[:end])
	if !argName.MatchString(name) {
		return "", fmt.Errorf("bad argument name %q", name)
	}
	if s[end] == '}' {
		p.Args[name] = p.Args[name] || false
		return s[end+1:], nil
	}
	s = s[end+1:]
	end = strings.Index(s, ",")
	if end < 0 || strings.TrimSpace(s[:end]) != "plural" {
		return "", fmt.Errorf("argument %s: only {%s} and {%s, plural, …} are rendered", name, name, name)
	}
	s = s[end+1:]
	pl := Plural{Arg: name, Forms: map[string]string{}}
	for {
		s = strings.TrimLeft(s, " \t\n")
		if strings.HasPrefix(s, "}") {
			break
		}
		open := strings.Index(s, "{")
		if open < 0 {
			return "", fmt.Errorf("plural %s is not closed", name)
		}
		sel := strings.TrimSpace(s[:open])
		if !selector.MatchString(sel) {
			return "", fmt.Errorf("plural %s: bad form %q", name, sel)
		}
		if _, dup := pl.Forms[sel]; dup {
			return "", fmt.Errorf("plural %s: form %s twice", name, sel)
		}
		body := s[open+1:]
		rest, err := p.text(body, true)
		if err != nil {
			return "", fmt.Errorf("plural %s, form %s: %w", name, sel, err)
		}
		pl.Forms[sel] = body[:len(body)-len(rest)]
		s = rest[1:] // past the form's "}"
	}
	if _, ok := pl.Forms["other"]; !ok {
		return "", fmt.Errorf("plural %s has no other form", name)
	}
	p.Args[name] = true
	p.Plurals = append(p.Plurals, pl)
	return s[1:], nil
}

// Check validates the message tables of one app (tag → id → message):
// every message is in every language and parses, each language's
// translation names the same arguments as the reference language's, and
// each plural has every form the language's CLDR rules pick for whole
// numbers (as go-i18n knows them). It returns every problem found.
func Check(tables map[string]map[string]string, reference string) []error {
	var errs []error
	ref, ok := tables[reference]
	if !ok {
		return []error{fmt.Errorf("no %s messages", reference)}
	}
	tags := make([]string, 0, len(tables))
	for tag := range tables {
		tags = append(tags, tag)
	}
	sort.Strings(tags)
	for _, tag := range tags {
		msgs := tables[tag]
		for _, id := range sortedKeys(ref) {
			if _, ok := msgs[id]; !ok {
				errs = append(errs, fmt.Errorf("%s: %s is missing", tag, id))
			}
		}
		lt := language.Make(tag)
		b := i18n.NewBundle(lt)
		for _, id := range sortedKeys(msgs) {
			p, err := Parse(msgs[id])
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %s: %w", tag, id, err))
				continue
			}
			refMsg, ok := ref[id]
			if !ok {
				errs = append(errs, fmt.Errorf("%s: %s is not in %s", tag, id, reference))
				continue
			}
			if rp, err := Parse(refMsg); err == nil && !sameArgs(p.Args, rp.Args) {
				errs = append(errs, fmt.Errorf("%s: %s names %v, %s names %v", tag, id, argList(p.Args), reference, argList(rp.Args)))
			}
			for i, pl := range p.Plurals {
				m := &i18n.Message{ID: fmt.Sprintf("%s#%d", id, i), Zero: pl.Forms["zero"], One: pl.Forms["one"], Two: pl.Forms["two"],
					Few: pl.Forms["few"], Many: pl.Forms["many"], Other: pl.Forms["other"]}
				if err := b.AddMessages(lt, m); err != nil {
					errs = append(errs, fmt.Errorf("%s: %s: %w", tag, id, err))
					continue
				}
				l := i18n.NewLocalizer(b, tag)
				for _, n := range []int{0, 1, 2, 3, 5, 11, 21, 100, 1000000} {
					if _, err := l.Localize(&i18n.LocalizeConfig{MessageID: m.ID, PluralCount: n}); err != nil {
						errs = append(errs, fmt.Errorf("%s: %s: plural %s for %d: %w", tag, id, pl.Arg, n, err))
					}
				}
			}
		}
	}
	return errs
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sameArgs(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			return false
		}
	}
	return true
}

func argList(m map[string]bool) []string { return sortedKeys(m) }

package kiosk

import (
	"strconv"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// Held returns message id in exactly lang (no fallback: a text read aloud
// must be the language's own) rendered with vars: the ICU subset of
// locales/ ({name}, {n, plural, …} with # for the number), the plural form
// chosen by CLDR's rules.
func (m *Messages) Held(lang, id string, vars map[string]string) (string, bool) {
	msg, ok := m.raw[lang][id]
	if !ok {
		return "", false
	}
	return renderICU(messageText(msg), vars, language.Make(lang)), true
}

func messageText(msg *i18n.Message) string { return msg.Other }

// renderICU renders an ICU message of the subset locales/icu.go checks.
// A missing argument renders as nothing.
func renderICU(s string, vars map[string]string, tag language.Tag) string {
	var out strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '{' {
			out.WriteByte(s[i])
			i++
			continue
		}
		end := closingBrace(s, i+1)
		arg := s[i+1 : end]
		i = end + 1
		name, rest, isPlural := strings.Cut(arg, ",")
		name = strings.TrimSpace(name)
		if !isPlural {
			out.WriteString(vars[name])
			continue
		}
		_, forms, _ := strings.Cut(rest, ",") // past "plural"
		out.WriteString(pluralForm(forms, vars[name], tag))
	}
	return out.String()
}

// closingBrace returns the index of the "}" that closes the brace before
// s[i], or len(s).
func closingBrace(s string, i int) int {
	for depth := 1; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			if depth--; depth == 0 {
				return i
			}
		}
	}
	return len(s)
}

// pluralForm picks the form of forms (" one {…} other {…}") for the whole
// number n and renders it, # standing for n.
func pluralForm(forms, n string, tag language.Tag) string {
	num, _ := strconv.Atoi(n)
	want := map[plural.Form]string{plural.Zero: "zero", plural.One: "one", plural.Two: "two", plural.Few: "few", plural.Many: "many", plural.Other: "other"}[plural.Cardinal.MatchPlural(tag, num, 0, 0, 0, 0)]
	picked, other := "", ""
	for rest := forms; ; {
		rest = strings.TrimLeft(rest, " \t\n")
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			break
		}
		sel := strings.TrimSpace(rest[:open])
		end := closingBrace(rest, open+1)
		body := rest[open+1 : min(end, len(rest))]
		switch {
		case sel == "="+strconv.Itoa(num):
			return strings.ReplaceAll(renderICU(body, nil, tag), "#", n)
		case sel == want:
			picked = body
		case sel == "other":
			other = body
		}
		if end >= len(rest) {
			break
		}
		rest = rest[end+1:]
	}
	if picked == "" {
		picked = other
	}
	return strings.ReplaceAll(renderICU(picked, nil, tag), "#", n)
}

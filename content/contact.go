package content

import (
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"unicode"
)

// How a catalog's addresses are checked on every write: a website is an
// absolute http or https URL (never javascript:, data: or a relative
// path, which the screens would make a link of); an e-mail a bare
// address; a phone an international number (E.164, +39 …) or an Italian
// one (landline 0…, mobile 3…, toll-free and short numbers such as 800 …
// or 1522); a postal code (CAP) five digits.
var (
	phoneE164    = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	phoneItalian = regexp.MustCompile(`^(0[0-9]{5,10}|3[0-9]{8,9}|[18][0-9]{2,9})$`)
	postalCode   = regexp.MustCompile(`^[0-9]{5}$`)
)

// ValidURL checks a website address (empty is none).
func ValidURL(field, s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	switch {
	case len(s) > 2048:
		return invalid(field, "longer than 2048 bytes")
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return invalid(field, "has spaces or control characters")
	case err != nil:
		return invalid(field, "is not a URL: %v", err)
	case u.Scheme != "http" && u.Scheme != "https":
		return invalid(field, "must start with https:// or http://")
	case u.Host == "" || u.User != nil:
		return invalid(field, "needs a host name (and no user name)")
	}
	return nil
}

// ValidEmail checks an e-mail address (empty is none).
func ValidEmail(field, s string) error {
	if s == "" {
		return nil
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || len(s) > 254 || !strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") {
		return invalid(field, "%q is not an e-mail address (name@example.org)", s)
	}
	return nil
}

// ValidPhone checks a phone number, written with or without spaces,
// dots, dashes, slashes or brackets.
func ValidPhone(field, s string) error {
	digits := strings.Map(func(r rune) rune {
		if strings.ContainsRune(" .-/()\u00a0", r) {
			return -1
		}
		return r
	}, s)
	if !phoneE164.MatchString(digits) && !phoneItalian.MatchString(digits) {
		return invalid(field, "%q is not a phone number: +39 071 000 0000 (E.164), or an Italian one (071 000 0000, 333 000 0000, 800 000 000, 1522)", s)
	}
	return nil
}

// ValidPostalCode checks an Italian postal code (CAP; empty is none).
func ValidPostalCode(field, s string) error {
	if s != "" && !postalCode.MatchString(s) {
		return invalid(field, "%q is not a CAP (five digits)", s)
	}
	return nil
}

// CleanPhone is a phone number as directories write it, without the spaces
// and the quotes around it some put there (the official HSDS examples
// write "\"+44 1234 234567\""): importers clean numbers before checking them.
func CleanPhone(s string) string {
	s = strings.TrimSpace(s)
	for len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

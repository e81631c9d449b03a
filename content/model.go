package content

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/paulmach/orb"
)

// Errors the store returns.
var (
	ErrNotFound = errors.New("content: not found")
)

// ValidationError says which field of a record is wrong and why.
type ValidationError struct {
	Field  string
	Reason string
}

func (e *ValidationError) Error() string { return "content: " + e.Field + ": " + e.Reason }

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Text is a human-readable field in several locales: locale tag → text.
type Text map[string]string

// Status is a service's state, as HSDS names it.
type Status string

// The statuses a service can have. Withdrawn services are kept for the
// record but never shown.
const (
	StatusActive            Status = "active"
	StatusTemporarilyClosed Status = "temporarily_closed"
	StatusWithdrawn         Status = "withdrawn"
)

// Organization runs services (HSDS organization).
type Organization struct {
	ID          string `json:"id"`
	UUID        string `json:"uuid,omitempty"` // HSDS identifier; derived from ID when empty (RecordUUID)
	Extra       Extra  `json:"extra,omitempty"`
	Name        Text   `json:"name"`
	Description Text   `json:"description,omitempty"`
	URL         string `json:"url,omitempty"`
	Email       string `json:"email,omitempty"`
}

// Location is a place where services are delivered (HSDS location with its
// physical address and accessibility).
type Location struct {
	ID         string    `json:"id"`
	UUID       string    `json:"uuid,omitempty"` // HSDS identifier; derived from ID when empty (RecordUUID)
	Extra      Extra     `json:"extra,omitempty"`
	Name       Text      `json:"name,omitempty"`
	Address    string    `json:"address"`
	PostalCode string    `json:"postal_code,omitempty"`
	Comune     string    `json:"comune"`
	Province   string    `json:"province,omitempty"`
	Region     string    `json:"region,omitempty"`
	Country    string    `json:"country,omitempty"` // as an imported directory gives it; empty is Italy
	Point      orb.Point `json:"point"`
	// NoPoint: the place has no coordinates (a phone desk, an online
	// service, an address not geocoded): stored without a point, never in
	// nearby results, and its comune may be empty.
	NoPoint       bool `json:"no_point,omitempty"`
	Wheelchair    bool `json:"wheelchair"`
	Accessibility Text `json:"accessibility,omitempty"`
}

// Extra holds the fields of an imported record that Punto does not model
// (a JSON object, at most 256 KiB), written back on export. A record
// written without it keeps the one it has.
type Extra = json.RawMessage

// validExtra checks an Extra: empty, or a JSON object of bounded size.
func validExtra(e Extra) error {
	if len(e) == 0 {
		return nil
	}
	if len(e) > 256<<10 {
		return invalid("extra", "larger than 256 KiB")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(e, &m); err != nil || m == nil {
		return invalid("extra", "is not a JSON object")
	}
	return nil
}

// Phone is a number to call or text (HSDS phone).
type Phone struct {
	Number      string `json:"number"`
	Type        string `json:"type,omitempty"`
	Description Text   `json:"description,omitempty"`
}

// Contact is a named person or role at a service (HSDS contact).
type Contact struct {
	Name  string `json:"name,omitempty"`
	Title Text   `json:"title,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// Service is one service with everything that belongs to it: the aggregate
// the store writes in one transaction.
type Service struct {
	ID             string     `json:"id"`
	UUID           string     `json:"uuid,omitempty"` // HSDS identifier; derived from ID when empty (RecordUUID)
	Extra          Extra      `json:"extra,omitempty"`
	OrganizationID string     `json:"organization_id,omitempty"`
	Status         Status     `json:"status"`
	Name           Text       `json:"name"`
	Description    Text       `json:"description,omitempty"`
	Eligibility    Text       `json:"eligibility,omitempty"`
	Fees           Text       `json:"fees,omitempty"`
	URL            string     `json:"url,omitempty"`
	Email          string     `json:"email,omitempty"`
	ByAppointment  bool       `json:"by_appointment"`
	OpenOnHolidays bool       `json:"open_on_holidays"`
	Categories     []string   `json:"categories"`
	Languages      []string   `json:"languages"`
	Documents      []Text     `json:"documents,omitempty"`
	Phones         []Phone    `json:"phones,omitempty"`
	Contacts       []Contact  `json:"contacts,omitempty"`
	Hours          Schedule   `json:"hours"`
	Locations      []Location `json:"locations"`
	// Channels are the ways the service is reached (channel.go), each
	// with its own hours and languages; none means its hours and
	// locations say it all.
	Channels []Channel `json:"channels,omitempty"`
}

// Territory is an ambito territoriale sociale, a zona sociale or another
// area that places belong to.
type Territory struct {
	ID     string           `json:"id"`
	Kind   string           `json:"kind"`
	Region string           `json:"region,omitempty"`
	Name   Text             `json:"name"`
	Shape  orb.MultiPolygon `json:"-"`
}

var (
	idPattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`)
	langPattern = regexp.MustCompile(`^[a-z]{2,3}$`)
	tagPattern  = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
)

// ValidID reports whether s can be a record ID: 1–128 letters, digits and
// . _ : -, starting with a letter or digit.
func ValidID(s string) bool { return idPattern.MatchString(s) }

// ValidLanguage reports whether s is an ISO 639 code as Punto stores them
// (two or three lower-case letters).
func ValidLanguage(s string) bool { return langPattern.MatchString(s) }

// ValidText checks a text of field: valid language codes, valid UTF-8,
// bounded, and (if required) some text in Italian or English.
func ValidText(field string, t Text, required bool) error {
	if required && strings.TrimSpace(t["it"]) == "" && strings.TrimSpace(t["en"]) == "" {
		return invalid(field, "needs an Italian or English text")
	}
	for lang, v := range t {
		if !tagPattern.MatchString(lang) {
			return invalid(field, "%q is not a language tag", lang)
		}
		if len(v) > 20000 {
			return invalid(field+"."+lang, "longer than 20000 bytes")
		}
	}
	return nil
}

// Validate checks a service before it is written, naming the first field
// that is wrong.
func (s *Service) Validate() error {
	for _, check := range []func() error{s.validateIdentity, s.validateTexts, s.validateContacts, s.Hours.Validate, s.validateLocations, s.validateChannels} {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

// validateIdentity checks the ids, the status and the kept HSDS members.
func (s *Service) validateIdentity() error {
	if !ValidID(s.ID) {
		return invalid("id", "%q is not a valid id", s.ID)
	}
	if s.UUID != "" && !ValidUUID(s.UUID) {
		return invalid("uuid", "%q is not a UUID in lower-case hyphenated form", s.UUID)
	}
	if err := validExtra(s.Extra); err != nil {
		return err
	}
	if s.OrganizationID != "" && !ValidID(s.OrganizationID) {
		return invalid("organization_id", "%q is not a valid id", s.OrganizationID)
	}
	switch s.Status {
	case StatusActive, StatusTemporarilyClosed, StatusWithdrawn:
	case "":
		s.Status = StatusActive
	default:
		return invalid("status", "%q is not active, temporarily_closed or withdrawn", s.Status)
	}
	return nil
}

// validateTexts checks the texts, categories, languages and documents.
func (s *Service) validateTexts() error {
	if err := ValidText("name", s.Name, true); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		t    Text
	}{{"description", s.Description}, {"eligibility", s.Eligibility}, {"fees", s.Fees}} {
		if err := ValidText(f.name, f.t, false); err != nil {
			return err
		}
	}
	if len(s.Categories) == 0 {
		return invalid("categories", "at least one category is needed")
	}
	for _, c := range s.Categories {
		if _, ok := CategoryByID(c); !ok {
			return invalid("categories", "%q is not a category", c)
		}
	}
	for _, l := range s.Languages {
		if !ValidLanguage(l) {
			return invalid("languages", "%q is not an ISO 639 code", l)
		}
	}
	for i, d := range s.Documents {
		if err := ValidText(fmt.Sprintf("documents[%d]", i), d, true); err != nil {
			return err
		}
	}
	return nil
}

// validateContacts checks the website, e-mail, contacts and phones.
func (s *Service) validateContacts() error {
	if err := ValidURL("url", s.URL); err != nil {
		return err
	}
	if err := ValidEmail("email", s.Email); err != nil {
		return err
	}
	for i, c := range s.Contacts {
		if err := ValidEmail(fmt.Sprintf("contacts[%d].email", i), c.Email); err != nil {
			return err
		}
		if c.Phone != "" {
			if err := ValidPhone(fmt.Sprintf("contacts[%d].phone", i), c.Phone); err != nil {
				return err
			}
		}
	}
	for i, p := range s.Phones {
		if strings.TrimSpace(p.Number) == "" {
			return invalid(fmt.Sprintf("phones[%d].number", i), "is empty")
		}
		if err := ValidPhone(fmt.Sprintf("phones[%d].number", i), p.Number); err != nil {
			return err
		}
		switch p.Type {
		case "", "voice", "cell", "text", "fax", "video", "textphone":
		default:
			return invalid(fmt.Sprintf("phones[%d].type", i), "%q is not a phone type", p.Type)
		}
	}
	return nil
}

// Reachable reports whether a visitor can reach the service without
// going to a place: by phone, online, by e-mail or through a contact.
func (s *Service) Reachable() bool {
	return len(s.Phones) > 0 || s.URL != "" || s.Email != "" || len(s.Contacts) > 0
}

// Remote reports whether the service has no place with a point: it is
// offered by phone or online (or at addresses not on the map), and lists
// show it apart from the nearby results.
func (s *Service) Remote() bool {
	for _, l := range s.Locations {
		if !l.NoPoint {
			return false
		}
	}
	return true
}

// validateLocations checks the locations, each once, naming the one
// that is wrong.
func (s *Service) validateLocations() error {
	if len(s.Locations) == 0 && !s.Reachable() {
		return invalid("locations", "at least one location, or a phone, website, e-mail or contact to reach the service remotely, is needed")
	}
	seenLoc := map[string]bool{}
	for i := range s.Locations {
		l := &s.Locations[i]
		if seenLoc[l.ID] {
			return invalid(fmt.Sprintf("locations[%d].id", i), "%q is listed twice", l.ID)
		}
		seenLoc[l.ID] = true
		if err := l.Validate(); err != nil {
			var ve *ValidationError
			if errors.As(err, &ve) {
				ve.Field = fmt.Sprintf("locations[%d].%s", i, ve.Field)
			}
			return err
		}
	}
	return nil
}

// Validate checks a location before it is written.
func (l *Location) Validate() error {
	if !ValidID(l.ID) {
		return invalid("id", "%q is not a valid id", l.ID)
	}
	if l.UUID != "" && !ValidUUID(l.UUID) {
		return invalid("uuid", "%q is not a UUID in lower-case hyphenated form", l.UUID)
	}
	if err := validExtra(l.Extra); err != nil {
		return err
	}
	if strings.TrimSpace(l.Comune) == "" && !l.NoPoint {
		return invalid("comune", "is empty")
	}
	if len(l.Country) > 64 {
		return invalid("country", "longer than 64 bytes")
	}
	// A CAP in Italy; an imported directory's other countries keep
	// their own postal codes.
	if l.Country == "" || strings.EqualFold(l.Country, "IT") {
		if err := ValidPostalCode("postal_code", l.PostalCode); err != nil {
			return err
		}
	}
	if l.NoPoint {
		l.Point = orb.Point{}
	} else if err := ValidPoint(l.Point); err != nil {
		return err
	}
	l.Point = RoundPoint(l.Point)
	if err := ValidText("name", l.Name, false); err != nil {
		return err
	}
	return ValidText("accessibility", l.Accessibility, false)
}

// RoundPoint rounds a position to 7 decimals (about a centimetre), as
// Punto stores and exports it: more digits claim a precision no address
// has (RFC 7946 suggests about 6).
func RoundPoint(p orb.Point) orb.Point {
	return orb.Point{math.Round(p[0]*1e7) / 1e7, math.Round(p[1]*1e7) / 1e7}
}

// ValidPoint checks that p is a lon/lat position on the earth.
func ValidPoint(p orb.Point) error {
	switch {
	case p[0] != p[0] || p[0] < -180 || p[0] > 180:
		return invalid("point", "longitude %v is outside -180…180", p[0])
	case p[1] != p[1] || p[1] < -90 || p[1] > 90:
		return invalid("point", "latitude %v is outside -90…90", p[1])
	}
	return nil
}

// Validate checks a territory before it is written.
func (t *Territory) Validate() error {
	if !ValidID(t.ID) {
		return invalid("id", "%q is not a valid id", t.ID)
	}
	switch t.Kind {
	case "ambito", "zona", "comune", "other":
	default:
		return invalid("kind", "%q is not ambito, zona, comune or other", t.Kind)
	}
	if err := ValidText("name", t.Name, true); err != nil {
		return err
	}
	if len(t.Shape) == 0 {
		return invalid("shape", "is empty")
	}
	for _, poly := range t.Shape {
		for _, ring := range poly {
			if len(ring) < 4 || ring[0] != ring[len(ring)-1] {
				return invalid("shape", "every ring needs at least 4 points and must be closed")
			}
			for _, p := range ring {
				if err := ValidPoint(p); err != nil {
					return invalid("shape", "%s", err.(*ValidationError).Reason)
				}
			}
		}
	}
	return nil
}

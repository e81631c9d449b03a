package exchange

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/punto-totem/punto/content"
)

// Conversion of HSDS 3 objects into Punto's records (see hsds.go for the
// conventions), and the placing of the records' validation errors at the
// objects that gave them.

// fromHSDS converts HSDS objects into records. With embedded set the
// organizations come inside services and may repeat (identically).
func fromHSDS(orgs []*hsdsOrganization, svcs []*hsdsService, embedded bool, is *issues) *Records {
	x := &Records{}
	seen := map[string]*hsdsOrganization{}
	for _, h := range orgs {
		if prev, ok := seen[h.ID]; ok && embedded {
			a, _ := json.Marshal(prev)
			b, _ := json.Marshal(h)
			if !bytes.Equal(a, b) {
				is.add(h.at.issue("", fmt.Sprintf("organization %q differs from the one at %s", h.ID, prev.at.ptr)))
			}
			continue
		}
		seen[h.ID] = h
		if bad := checkTr(h.Translations, h.at, "name", "description"); bad != nil {
			is.add(*bad)
			continue
		}
		at := h.at
		x.Organizations = append(x.Organizations, content.Organization{ID: slugOf(h.ID, h.PuntoID), UUID: content.CanonicalUUID(h.ID), Extra: extraOf(h.extra), Name: textOf(h.Name, h.Translations, "name"),
			Description: textOf(h.Description, h.Translations, "description"), URL: h.Website, Email: h.Email})
		x.orgAt = append(x.orgAt, func(field, reason string) ImportIssue { return at.issue(hsdsTextField(at, field), reason) })
	}
	orgSlugs := map[string]string{}
	for id, h := range seen {
		orgSlugs[id] = slugOf(h.ID, h.PuntoID)
	}
	for _, h := range svcs {
		if is.full() {
			break
		}
		if h == nil {
			continue
		}
		s, loc, ok := h.punto(is)
		if slug, ok := orgSlugs[h.OrganizationID]; ok {
			s.OrganizationID = slug
		} else if s.OrganizationID != "" {
			s.OrganizationID = slugOf(s.OrganizationID, "")
		}
		if ok {
			x.Services = append(x.Services, s)
			x.svcAt = append(x.svcAt, loc)
		}
	}
	return x
}

// slugOf is the Punto ID of an HSDS record: the punto_id of a Punto
// export, else its HSDS id (a UUID in canonical form).
func slugOf(id, puntoID string) string {
	if puntoID != "" {
		return puntoID
	}
	if u := content.CanonicalUUID(id); u != "" {
		return u
	}
	return id
}

// hsdsTextField spells a validation field of a text ("name", "name.fr")
// the way the file does.
func hsdsTextField(at where, field string) string {
	f, lang, ok := strings.Cut(field, ".")
	if r, renamed := hsdsTextNames[f]; renamed {
		f = r
	}
	if !ok || lang == "it" {
		return f
	}
	return at.textField(f, lang)
}

// hsdsTextNames are the HSDS names of Punto's texts where they differ.
var hsdsTextNames = map[string]string{"eligibility": "eligibility_description", "fees": "fees_description", "categories": "attributes (category)"}

// punto converts one HSDS service; ok is false when it could not be read
// (the problems are in is).
func (h *hsdsService) punto(is *issues) (content.Service, locator, bool) {
	n := len(is.list)
	s := h.service(is)
	s.Channels = h.takeChannels(is)
	s.Phones = h.phones(is)
	hours := h.hours(is)
	s.Hours = hours.Schedule
	s.Locations = h.locations(is)
	for _, l := range h.Languages {
		if code, ok := languageCode(l.Code, l.Name); ok {
			s.Languages = append(s.Languages, code)
		} else if l.Code != "" || l.Name != "" {
			is.add(l.at.issue("code", fmt.Sprintf("neither the code %q nor the name %q is a language Punto knows (ISO 639, or its English name)", l.Code, l.Name)))
		}
		// A language with neither code nor name says nothing: left out.
	}
	s.Documents = h.documents(is)
	s.Contacts = h.contacts(is)
	h.attributes(&s, is.opt.Taxonomy)
	pruneKeptParts(&s)
	places := hsdsPlaces{h: h, slotAt: hours.slotAt, excAt: hours.excAt}
	return s, places.issue, len(is.list) == n
}

// service converts the service's own fields.
func (h *hsdsService) service(is *issues) content.Service {
	s := content.Service{ID: slugOf(h.ID, h.PuntoID), UUID: content.CanonicalUUID(h.ID), Extra: extraOf(h.extra), OrganizationID: h.OrganizationID, URL: h.URL, Email: h.Email,
		Name: textOf(h.Name, h.Translations, "name"), Description: textOf(h.Description, h.Translations, "description"),
		Eligibility: textOf(h.EligibilityDescription, h.Translations, "eligibility_description"),
		Fees:        textOf(h.FeesDescription, h.Translations, "fees_description")}
	if bad := checkTr(h.Translations, h.at, "name", "description", "eligibility_description", "fees_description"); bad != nil {
		is.add(*bad)
	}
	if h.Organization != nil {
		switch {
		case s.OrganizationID == "":
			s.OrganizationID = h.Organization.ID
		case s.OrganizationID != h.Organization.ID:
			is.add(h.at.issue("organization_id", fmt.Sprintf("%q differs from the organization's id %q", s.OrganizationID, h.Organization.ID)))
		}
	}
	if st, ok := statusFromHSDS[h.Status]; ok {
		s.Status = st
	} else {
		is.add(h.at.issue("status", fmt.Sprintf("%q is not active, inactive, defunct or temporarily closed", h.Status)))
	}
	return s
}

func (h *hsdsService) phones(is *issues) []content.Phone {
	var out []content.Phone
	for _, p := range h.Phones {
		if bad := checkTr(p.Translations, p.at, "description"); bad != nil {
			is.add(*bad)
		}
		out = append(out, content.Phone{Number: content.CleanPhone(p.Number), Type: p.Type, Description: textOf(p.Description, p.Translations, "description")})
	}
	return out
}

// hsdsHours are the hours a service's schedules give, and the schedule
// each weekly slot and each exception came from.
type hsdsHours struct {
	content.Schedule
	slotAt, excAt []where
}

// hours reads the WEEKLY schedules as weekly slots and the one-day
// schedules as exceptions.
func (h *hsdsService) hours(is *issues) hsdsHours {
	var out hsdsHours
	for _, sc := range h.Schedules {
		if bad := checkTr(sc.Translations, sc.at, "description"); bad != nil {
			is.add(*bad)
		}
		switch {
		case strings.EqualFold(sc.Freq, "WEEKLY"):
			out.addWeekly(sc, is)
		case sc.Freq == "" && sc.ValidFrom != "" && sc.ValidFrom == sc.ValidTo:
			opens, closes, shift, ok := zoned(sc, is)
			if !ok {
				continue
			}
			date := sc.ValidFrom
			if d, err := time.Parse("2006-01-02", date); err == nil && shift != 0 {
				date = d.AddDate(0, 0, shift).Format("2006-01-02")
			}
			out.Exceptions = append(out.Exceptions, content.Exception{Date: date, Closed: opens == "" && closes == "",
				Opens: hhmm(opens), Closes: hhmm(closes), Note: textOf(sc.Description, sc.Translations, "description")})
			out.excAt = append(out.excAt, sc.at)
		default:
			is.add(sc.at.issue("freq", "Punto reads WEEKLY schedules and one-day schedules (valid_from = valid_to, no freq)"))
		}
	}
	return out
}

// addWeekly adds a slot for each day of a WEEKLY schedule.
func (hh *hsdsHours) addWeekly(sc *hsdsSchedule, is *issues) {
	// Punto keeps weekly hours without validity dates: hours that ended
	// before the import are left out, the others kept as they are.
	if sc.ValidTo != "" {
		if _, err := time.Parse("2006-01-02", sc.ValidTo); err != nil {
			is.add(sc.at.issue("valid_to", fmt.Sprintf("%q is not a date YYYY-MM-DD", sc.ValidTo)))
			return
		}
		if scheduleEnded(sc.ValidTo) {
			return // kept whole with the service's parts (hsds_parts.go)
		}
	}
	opens, closes, shift, ok := zoned(sc, is)
	if !ok {
		return
	}
	for _, d := range strings.Split(sc.Byday, ",") {
		wd := weekdayOf(d)
		if wd == 0 {
			is.add(sc.at.issue("byday", fmt.Sprintf("%q is not a weekday MO…SU", d)))
			continue
		}
		wd = (wd-1+shift+7)%7 + 1
		hh.Weekly = append(hh.Weekly, content.Slot{Weekday: wd, Opens: hhmm(opens), Closes: hhmm(closes)})
		hh.slotAt = append(hh.slotAt, sc.at)
	}
}

// countryOf is the country Punto keeps for an address's: as given, but
// Italy (IT, ITA, Italy, Italia), Punto's own, as empty.
func countryOf(c string) string {
	c = strings.TrimSpace(c)
	switch strings.ToLower(c) {
	case "it", "ita", "italy", "italia":
		return ""
	}
	return c
}

// hhmm reads an HSDS time as Punto keeps it, HH:MM: HSDS writes
// HH:MM:SS, and files in the field write 9:00 too. A time with seconds
// other than :00, or that is no time, stays as given and is reported.
func hhmm(t string) string {
	t = strings.TrimSpace(t)
	if h, rest, ok := strings.Cut(t, ":"); ok && len(h) == 1 && h[0] >= '0' && h[0] <= '9' {
		t = "0" + h + ":" + rest
	}
	if len(t) == 8 && strings.HasSuffix(t, ":00") {
		return t[:5]
	}
	return t
}

// scheduleEnded: hours valid to a day before the import's.
func scheduleEnded(validTo string) bool {
	end, err := time.Parse("2006-01-02", validTo)
	return err == nil && end.Before(importDay())
}

// importDay is the day an import runs (UTC midnight), against which
// weekly hours' valid_to is compared.
var importDay = func() time.Time { return time.Now().UTC().Truncate(24 * time.Hour) }

// weekdayOf is the weekday (1 for Monday to 7) of a day code MO…SU, or 0.
func weekdayOf(code string) int {
	for i, c := range weekdayCodes {
		if strings.EqualFold(strings.TrimSpace(code), c) {
			return i + 1
		}
	}
	return 0
}

func (h *hsdsService) locations(is *issues) []content.Location {
	var out []content.Location
	for _, sal := range h.ServiceAtLocations {
		if l, ok := sal.punto(is); ok {
			out = append(out, l)
		}
	}
	return out
}

// punto converts the location a service is at; ok is false when there is
// none to convert.
func (sal *hsdsServiceAtLocation) punto(is *issues) (content.Location, bool) {
	l := sal.Location
	switch {
	case l == nil:
		is.add(sal.at.issue("location", "is missing"))
		return content.Location{}, false
	case sal.LocationID != "" && sal.LocationID != l.ID:
		is.add(sal.at.issue("location_id", fmt.Sprintf("%q differs from the location's id %q", sal.LocationID, l.ID)))
		return content.Location{}, false
	case (l.Latitude == nil) != (l.Longitude == nil):
		is.add(l.at.issue("latitude", "latitude and longitude come together, or neither (a place not on the map)"))
		return content.Location{}, false
	}
	return l.punto(is), true
}

// punto converts a location, with its coordinates or with none: its first address and
// accessibility, and whether it is wheelchair accessible.
func (l *hsdsLocation) punto(is *issues) content.Location {
	if bad := checkTr(l.Translations, l.at, "name"); bad != nil {
		is.add(*bad)
	}
	loc := content.Location{ID: slugOf(l.ID, l.PuntoID), UUID: content.CanonicalUUID(l.ID), Extra: extraOf(l.extra), Name: textOf(l.Name, l.Translations, "name")}
	if l.Latitude == nil || l.Longitude == nil {
		loc.NoPoint = true // phone, online or not geocoded: kept, off the map
	} else {
		loc.Point = [2]float64{*l.Longitude, *l.Latitude}
	}
	if len(l.Addresses) > 0 {
		a := l.Addresses[0]
		loc.Address, loc.PostalCode, loc.Comune, loc.Province, loc.Region = a.Address1, a.PostalCode, a.City, a.StateProvince, a.Region
		loc.Country = countryOf(a.Country)
	}
	if len(l.Accessibility) > 0 {
		a := l.Accessibility[0]
		if bad := checkTr(a.Translations, a.at, "description"); bad != nil {
			is.add(*bad)
		}
		loc.Accessibility = textOf(a.Description, a.Translations, "description")
	}
	for _, a := range l.Attributes {
		if code, ok := a.fact(); ok && code == factWheelchair {
			loc.Wheelchair = a.Value != "false"
		}
	}
	return loc
}

func (h *hsdsService) documents(is *issues) []content.Text {
	var out []content.Text
	for _, d := range h.RequiredDocuments {
		if bad := checkTr(d.Translations, d.at, "document"); bad != nil {
			is.add(*bad)
		}
		out = append(out, textOf(d.Document, d.Translations, "document"))
	}
	return out
}

// contacts converts the contacts, each with its first phone.
func (h *hsdsService) contacts(is *issues) []content.Contact {
	var out []content.Contact
	for _, c := range h.Contacts {
		if bad := checkTr(c.Translations, c.at, "title"); bad != nil {
			is.add(*bad)
		}
		ct := content.Contact{Name: c.Name, Title: textOf(c.Title, c.Translations, "title"), Email: c.Email}
		if len(c.Phones) > 0 {
			ct.Phone = content.CleanPhone(c.Phones[0].Number)
		}
		out = append(out, ct)
	}
	return out
}

// attributes reads the service's categories and yes/no facts. A term of
// another taxonomy goes through the mapping (tax, then Open Eligibility);
// a service left without a category gets the mapping's default.
func (h *hsdsService) attributes(s *content.Service, tax *TaxonomyMap) {
	for _, a := range h.Attributes {
		if code, ok := a.fact(); ok {
			switch code {
			case factAppointment:
				s.ByAppointment = a.Value != "false"
			case factHolidays:
				s.OpenOnHolidays = a.Value != "false"
			}
			continue
		}
		code := a.code()
		if _, ok := content.CategoryByID(code); ok && a.puntoTerm() {
			s.Categories = append(s.Categories, code)
			continue
		}
		keys := []string{a.TaxonomyTermID}
		if t := a.TaxonomyTerm; t != nil {
			keys = append([]string{t.Code, t.Name, t.TermURI}, keys...)
		}
		if cats := tax.mapTerm(keys...); cats != nil {
			s.Categories = append(s.Categories, cats...)
		} else if a.LinkType == linkCategory && tax == nil {
			s.Categories = append(s.Categories, code) // not a category: reported as such
		}
	}
	if len(s.Categories) == 0 && tax != nil && tax.Default != "" {
		s.Categories = []string{tax.Default}
	}
}

// puntoTerm reports whether the attribute's term is of the Punto taxonomy
// (or, with no taxonomy named, a bare Punto category code).
func (a *hsdsAttribute) puntoTerm() bool {
	if _, ok := termCodes[content.CanonicalUUID(a.TaxonomyTermID)]; ok {
		return true
	}
	t := a.TaxonomyTerm
	return t == nil || t.Taxonomy == "" || strings.EqualFold(t.Taxonomy, puntoTaxonomy) || t.TaxonomyID == TaxonomyUUID
}

// hsdsPlaces places a validation error of a converted service in the
// file: at the object that gave the field.
type hsdsPlaces struct {
	h             *hsdsService
	slotAt, excAt []where // the schedule of each weekly slot, each exception
}

// The HSDS fields of a weekly slot's and an exception's fields.
var (
	slotFields      = map[string]string{"opens": "opens_at", "closes": "closes_at", "weekday": "byday"}
	exceptionFields = map[string]string{"opens": "opens_at", "closes": "closes_at", "date": "valid_from", "": "opens_at"}
)

func (p hsdsPlaces) issue(field, reason string) ImportIssue {
	if field == "categories" {
		reason += ": no attribute names a Punto category or a term the taxonomy map knows (--taxonomy-map FILE maps the file's terms and names a default category)"
	}
	m := indexed.FindStringSubmatch(field)
	if m == nil {
		return p.h.at.issue(hsdsTextField(p.h.at, field), reason)
	}
	i, _ := strconv.Atoi(m[2])
	if issue, ok := p.child(m[1], i, m[3], reason); ok {
		return issue
	}
	return p.h.at.issue(field, reason)
}

// child places the field rest of the i-th item of a list of the service
// ("locations", "phones", …); ok is false when the file has no such item.
func (p hsdsPlaces) child(list string, i int, rest, reason string) (ImportIssue, bool) {
	h := p.h
	switch {
	case list == "locations" && i < len(h.ServiceAtLocations) && h.ServiceAtLocations[i].Location != nil:
		return h.ServiceAtLocations[i].Location.issue(rest, reason), true
	case list == "phones" && i < len(h.Phones):
		return h.Phones[i].at.issue(rest, reason), true
	case list == "documents" && i < len(h.RequiredDocuments):
		return h.RequiredDocuments[i].at.issue("document", reason), true
	case list == "hours.weekly" && i < len(p.slotAt):
		return p.slotAt[i].issue(slotFields[rest], reason), true
	case list == "hours.exceptions" && i < len(p.excAt):
		return p.excAt[i].issue(exceptionFields[rest], reason), true
	}
	return ImportIssue{}, false
}

// issue places a validation error of the converted location's field.
func (l *hsdsLocation) issue(field, reason string) ImportIssue {
	switch field {
	case "point":
		return l.at.issue("latitude/longitude", reason)
	case "comune":
		if len(l.Addresses) > 0 {
			return l.Addresses[0].at.issue("city", reason)
		}
		return l.at.issue("addresses", "no address: "+reason)
	}
	return l.at.issue(hsdsTextField(l.at, field), reason)
}

// code is the Punto taxonomy code of an attribute's term: known by its
// UUID, else the term's code, else (Punto's exports before UUIDs) the
// term ID after its "punto-category-" or "punto-" prefix.
func (a *hsdsAttribute) code() string {
	if c, ok := termCodes[content.CanonicalUUID(a.TaxonomyTermID)]; ok {
		return c
	}
	if a.TaxonomyTerm != nil && a.TaxonomyTerm.Code != "" {
		return a.TaxonomyTerm.Code
	}
	if c, ok := strings.CutPrefix(a.TaxonomyTermID, "punto-category-"); ok {
		return c
	}
	return strings.TrimPrefix(a.TaxonomyTermID, "punto-")
}

// fact returns the code of a punto yes/no attribute.
func (a *hsdsAttribute) fact() (string, bool) {
	if a.LinkType != linkFact {
		return "", false
	}
	return a.code(), true
}

package content

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// Open Referral HSDS 3 as Punto reads and writes it. Each text field holds
// the Italian text; the other languages go in a "translations" member of
// the same object, language → field → text (HSDS has no translation
// table). Categories and the yes/no facts HSDS lacks (by appointment, open
// on holidays, wheelchair access) are attributes with taxonomy terms of
// the "punto" taxonomy. Weekly hours are WEEKLY schedules; a dated
// exception is a schedule valid on one day, a closure when it has no
// hours. Fields Punto does not keep are ignored on import.

// hsdsTr is the translations member: language → field → text.
type hsdsTr map[string]map[string]string

// where is the place of an HSDS object in the imported file.
type where struct {
	file string // a CSV of the package; "" for JSON
	line int
	ptr  string // JSON pointer
}

func (w where) issue(field, reason string) ImportIssue {
	return ImportIssue{File: w.file, Line: w.line, Pointer: w.ptr, Field: field, Reason: reason}
}

// textField names field's translation into lang as the file spells it.
func (w where) textField(field, lang string) string {
	if w.file != "" {
		return field + "@" + lang
	}
	return "translations." + lang + "." + field
}

type hsdsList struct {
	TotalItems int            `json:"total_items"`
	TotalPages int            `json:"total_pages"`
	PageNumber int            `json:"page_number"`
	Size       int            `json:"size"`
	FirstPage  bool           `json:"first_page"`
	LastPage   bool           `json:"last_page"`
	Empty      bool           `json:"empty"`
	Contents   []*hsdsService `json:"contents"`
}

type hsdsOrganization struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Description  string `json:"description"`
	Email        string `json:"email,omitempty"`
	Website      string `json:"website,omitempty"`
	Translations hsdsTr `json:"translations,omitempty"`
	at           where
}

type hsdsService struct {
	ID                     string                   `json:"id"`
	OrganizationID         string                   `json:"organization_id,omitempty"`
	Name                   string                   `json:"name"`
	Description            string                   `json:"description,omitempty"`
	URL                    string                   `json:"url,omitempty"`
	Email                  string                   `json:"email,omitempty"`
	Status                 string                   `json:"status"`
	FeesDescription        string                   `json:"fees_description,omitempty"`
	EligibilityDescription string                   `json:"eligibility_description,omitempty"`
	Organization           *hsdsOrganization        `json:"organization,omitempty"`
	Phones                 []*hsdsPhone             `json:"phones,omitempty"`
	Schedules              []*hsdsSchedule          `json:"schedules,omitempty"`
	ServiceAtLocations     []*hsdsServiceAtLocation `json:"service_at_locations"`
	Languages              []*hsdsLanguage          `json:"languages,omitempty"`
	RequiredDocuments      []*hsdsDocument          `json:"required_documents,omitempty"`
	Contacts               []*hsdsContact           `json:"contacts,omitempty"`
	Attributes             []*hsdsAttribute         `json:"attributes,omitempty"`
	Translations           hsdsTr                   `json:"translations,omitempty"`
	at                     where
}

type hsdsPhone struct {
	ID           string `json:"id"`
	ServiceID    string `json:"service_id,omitempty"`
	ContactID    string `json:"contact_id,omitempty"`
	Number       string `json:"number"`
	Type         string `json:"type,omitempty"`
	Description  string `json:"description,omitempty"`
	Translations hsdsTr `json:"translations,omitempty"`
	at           where
}

type hsdsSchedule struct {
	ID           string `json:"id"`
	ServiceID    string `json:"service_id"`
	ValidFrom    string `json:"valid_from,omitempty"`
	ValidTo      string `json:"valid_to,omitempty"`
	Freq         string `json:"freq,omitempty"`
	Wkst         string `json:"wkst,omitempty"`
	Byday        string `json:"byday,omitempty"`
	OpensAt      string `json:"opens_at,omitempty"`
	ClosesAt     string `json:"closes_at,omitempty"`
	Description  string `json:"description,omitempty"`
	Translations hsdsTr `json:"translations,omitempty"`
	at           where
}

type hsdsServiceAtLocation struct {
	ID         string        `json:"id"`
	ServiceID  string        `json:"service_id"`
	LocationID string        `json:"location_id"`
	Location   *hsdsLocation `json:"location,omitempty"`
	at         where
}

type hsdsLocation struct {
	ID            string               `json:"id"`
	LocationType  string               `json:"location_type"`
	Name          string               `json:"name,omitempty"`
	Latitude      *float64             `json:"latitude"`
	Longitude     *float64             `json:"longitude"`
	Addresses     []*hsdsAddress       `json:"addresses,omitempty"`
	Accessibility []*hsdsAccessibility `json:"accessibility,omitempty"`
	Attributes    []*hsdsAttribute     `json:"attributes,omitempty"`
	Translations  hsdsTr               `json:"translations,omitempty"`
	at            where
}

type hsdsAddress struct {
	ID            string `json:"id"`
	LocationID    string `json:"location_id"`
	Address1      string `json:"address_1"`
	City          string `json:"city"`
	Region        string `json:"region,omitempty"`
	StateProvince string `json:"state_province"`
	PostalCode    string `json:"postal_code"`
	Country       string `json:"country"`
	AddressType   string `json:"address_type"`
	at            where
}

type hsdsAccessibility struct {
	ID           string `json:"id"`
	LocationID   string `json:"location_id"`
	Description  string `json:"description,omitempty"`
	Translations hsdsTr `json:"translations,omitempty"`
	at           where
}

type hsdsLanguage struct {
	ID        string `json:"id"`
	ServiceID string `json:"service_id"`
	Code      string `json:"code"`
	at        where
}

type hsdsDocument struct {
	ID           string `json:"id"`
	ServiceID    string `json:"service_id"`
	Document     string `json:"document"`
	Translations hsdsTr `json:"translations,omitempty"`
	at           where
}

type hsdsContact struct {
	ID           string       `json:"id"`
	ServiceID    string       `json:"service_id"`
	Name         string       `json:"name,omitempty"`
	Title        string       `json:"title,omitempty"`
	Email        string       `json:"email,omitempty"`
	Phones       []*hsdsPhone `json:"phones,omitempty"`
	Translations hsdsTr       `json:"translations,omitempty"`
	at           where
}

type hsdsAttribute struct {
	ID             string            `json:"id"`
	LinkID         string            `json:"link_id"`
	LinkEntity     string            `json:"link_entity"`
	LinkType       string            `json:"link_type"`
	TaxonomyTermID string            `json:"taxonomy_term_id"`
	Value          string            `json:"value,omitempty"`
	TaxonomyTerm   *hsdsTaxonomyTerm `json:"taxonomy_term,omitempty"`
	at             where
}

type hsdsTaxonomyTerm struct {
	ID          string `json:"id"`
	Code        string `json:"code"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Taxonomy    string `json:"taxonomy"`
	at          where
}

// The punto taxonomy: the categories, and yes/no facts.
const (
	puntoTaxonomy   = "punto"
	linkCategory    = "category"
	linkFact        = "punto"
	termCategory    = "punto-category-"
	termFact        = "punto-"
	factAppointment = "by_appointment"
	factHolidays    = "open_on_holidays"
	factWheelchair  = "wheelchair"
)

var factNames = map[string]string{
	factAppointment: "By appointment", factHolidays: "Open on public holidays", factWheelchair: "Wheelchair accessible",
}

func categoryTerm(c string) *hsdsTaxonomyTerm {
	return &hsdsTaxonomyTerm{ID: termCategory + c, Code: c, Name: c, Description: "Punto category " + c, Taxonomy: puntoTaxonomy}
}

func factTerm(f string) *hsdsTaxonomyTerm {
	return &hsdsTaxonomyTerm{ID: termFact + f, Code: f, Name: factNames[f], Description: factNames[f], Taxonomy: puntoTaxonomy}
}

// HSDS statuses and Punto's.
var (
	statusToHSDS   = map[Status]string{StatusActive: "active", StatusTemporarilyClosed: "temporarily closed", StatusWithdrawn: "inactive"}
	statusFromHSDS = map[string]Status{"active": StatusActive, "temporarily closed": StatusTemporarilyClosed, "inactive": StatusWithdrawn, "defunct": StatusWithdrawn}
)

var weekdayCodes = []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}

// trAdd puts the non-Italian texts of t into tr under field.
func trAdd(tr hsdsTr, field string, t Text) hsdsTr {
	for lang, v := range t {
		if lang == "it" || v == "" {
			continue
		}
		if tr == nil {
			tr = hsdsTr{}
		}
		if tr[lang] == nil {
			tr[lang] = map[string]string{}
		}
		tr[lang][field] = v
	}
	return tr
}

// textOf rebuilds a Text from a field's Italian value and its translations.
func textOf(it string, tr hsdsTr, field string) Text {
	var t Text
	if strings.TrimSpace(it) != "" {
		t = Text{"it": it}
	}
	for lang, m := range tr {
		if v := m[field]; strings.TrimSpace(v) != "" {
			if t == nil {
				t = Text{}
			}
			t[lang] = v
		}
	}
	return t
}

// checkTr refuses translations into Italian (the field itself holds it)
// and fields the object has no text for.
func checkTr(tr hsdsTr, at where, fields ...string) *ImportIssue {
	for lang, m := range tr {
		for f := range m {
			switch {
			case !strings.Contains(" "+strings.Join(fields, " ")+" ", " "+f+" "):
				i := at.issue(at.textField(f, lang), fmt.Sprintf("is not a translated field here (%s)", strings.Join(fields, ", ")))
				return &i
			case lang == "it":
				i := at.issue(at.textField(f, lang), "the Italian text goes in the field itself")
				return &i
			}
		}
	}
	return nil
}

func itOf(t Text) string { return t["it"] }

func hsdsOrg(o *Organization) *hsdsOrganization {
	h := &hsdsOrganization{ID: o.ID, Name: itOf(o.Name), Description: itOf(o.Description), Email: o.Email, Website: o.URL}
	h.Translations = trAdd(h.Translations, "name", o.Name)
	h.Translations = trAdd(h.Translations, "description", o.Description)
	return h
}

// toHSDS converts a service, with its organization when orgs has it.
func toHSDS(s *Service, orgs map[string]*Organization) *hsdsService {
	h := &hsdsService{ID: s.ID, OrganizationID: s.OrganizationID, Name: itOf(s.Name), Description: itOf(s.Description),
		URL: s.URL, Email: s.Email, Status: statusToHSDS[s.Status], FeesDescription: itOf(s.Fees), EligibilityDescription: itOf(s.Eligibility)}
	for f, t := range map[string]Text{"name": s.Name, "description": s.Description, "fees_description": s.Fees, "eligibility_description": s.Eligibility} {
		h.Translations = trAdd(h.Translations, f, t)
	}
	if o := orgs[s.OrganizationID]; o != nil {
		h.Organization = hsdsOrg(o)
	}
	for i, p := range s.Phones {
		hp := &hsdsPhone{ID: fmt.Sprintf("%s#phone-%d", s.ID, i), ServiceID: s.ID, Number: p.Number, Type: p.Type, Description: itOf(p.Description)}
		hp.Translations = trAdd(nil, "description", p.Description)
		h.Phones = append(h.Phones, hp)
	}
	// Weekly slots with the same hours share one schedule.
	type span struct{ opens, closes string }
	var spans []span
	days := map[span][]string{}
	for _, sl := range s.Hours.Weekly {
		k := span{sl.Opens, sl.Closes}
		if _, ok := days[k]; !ok {
			spans = append(spans, k)
		}
		days[k] = append(days[k], weekdayCodes[sl.Weekday-1])
	}
	for _, k := range spans {
		h.Schedules = append(h.Schedules, &hsdsSchedule{ID: fmt.Sprintf("%s#schedule-%d", s.ID, len(h.Schedules)), ServiceID: s.ID,
			Freq: "WEEKLY", Wkst: "MO", Byday: strings.Join(days[k], ","), OpensAt: k.opens, ClosesAt: k.closes})
	}
	for _, ex := range s.Hours.Exceptions {
		hs := &hsdsSchedule{ID: fmt.Sprintf("%s#schedule-%d", s.ID, len(h.Schedules)), ServiceID: s.ID,
			ValidFrom: ex.Date, ValidTo: ex.Date, OpensAt: ex.Opens, ClosesAt: ex.Closes, Description: itOf(ex.Note)}
		hs.Translations = trAdd(nil, "description", ex.Note)
		h.Schedules = append(h.Schedules, hs)
	}
	for _, l := range s.Locations {
		h.ServiceAtLocations = append(h.ServiceAtLocations, &hsdsServiceAtLocation{ID: s.ID + "@" + l.ID, ServiceID: s.ID, LocationID: l.ID, Location: hsdsLoc(&l)})
	}
	for _, l := range s.Languages {
		h.Languages = append(h.Languages, &hsdsLanguage{ID: s.ID + "#language-" + l, ServiceID: s.ID, Code: l})
	}
	for i, d := range s.Documents {
		hd := &hsdsDocument{ID: fmt.Sprintf("%s#document-%d", s.ID, i), ServiceID: s.ID, Document: itOf(d)}
		hd.Translations = trAdd(nil, "document", d)
		h.RequiredDocuments = append(h.RequiredDocuments, hd)
	}
	for i, c := range s.Contacts {
		id := fmt.Sprintf("%s#contact-%d", s.ID, i)
		hc := &hsdsContact{ID: id, ServiceID: s.ID, Name: c.Name, Title: itOf(c.Title), Email: c.Email}
		hc.Translations = trAdd(nil, "title", c.Title)
		if c.Phone != "" {
			hc.Phones = []*hsdsPhone{{ID: id + "#phone", ContactID: id, Number: c.Phone}}
		}
		h.Contacts = append(h.Contacts, hc)
	}
	for _, c := range s.Categories {
		h.Attributes = append(h.Attributes, &hsdsAttribute{ID: s.ID + "#category-" + c, LinkID: s.ID, LinkEntity: "service",
			LinkType: linkCategory, TaxonomyTermID: termCategory + c, TaxonomyTerm: categoryTerm(c)})
	}
	for _, f := range []struct {
		name string
		on   bool
	}{{factAppointment, s.ByAppointment}, {factHolidays, s.OpenOnHolidays}} {
		if f.on {
			h.Attributes = append(h.Attributes, &hsdsAttribute{ID: s.ID + "#" + f.name, LinkID: s.ID, LinkEntity: "service",
				LinkType: linkFact, TaxonomyTermID: termFact + f.name, Value: "true", TaxonomyTerm: factTerm(f.name)})
		}
	}
	return h
}

func hsdsLoc(l *Location) *hsdsLocation {
	lat, lon := l.Point[1], l.Point[0]
	h := &hsdsLocation{ID: l.ID, LocationType: "physical", Name: itOf(l.Name), Latitude: &lat, Longitude: &lon}
	h.Translations = trAdd(nil, "name", l.Name)
	h.Addresses = []*hsdsAddress{{ID: l.ID + "#address", LocationID: l.ID, Address1: l.Address, City: l.Comune, Region: l.Region,
		StateProvince: l.Province, PostalCode: l.PostalCode, Country: "IT", AddressType: "physical"}}
	if len(l.Accessibility) > 0 {
		ha := &hsdsAccessibility{ID: l.ID + "#accessibility", LocationID: l.ID, Description: itOf(l.Accessibility)}
		ha.Translations = trAdd(nil, "description", l.Accessibility)
		h.Accessibility = []*hsdsAccessibility{ha}
	}
	if l.Wheelchair {
		h.Attributes = []*hsdsAttribute{{ID: l.ID + "#" + factWheelchair, LinkID: l.ID, LinkEntity: "location",
			LinkType: linkFact, TaxonomyTermID: termFact + factWheelchair, Value: "true", TaxonomyTerm: factTerm(factWheelchair)}}
	}
	return h
}

// writeHSDS writes the services as an HSDS 3 paginated service list (one
// page), each with its organization, locations, phones and schedules.
func writeHSDS(x *Exchange, w io.Writer) error {
	orgs := orgMap(x)
	list := hsdsList{TotalItems: len(x.Services), TotalPages: 1, PageNumber: 1, Size: len(x.Services),
		FirstPage: true, LastPage: true, Empty: len(x.Services) == 0, Contents: []*hsdsService{}}
	for i := range x.Services {
		list.Contents = append(list.Contents, toHSDS(&x.Services[i], orgs))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(list); err != nil {
		return fmt.Errorf("content: export hsds: %w", err)
	}
	return nil
}

func orgMap(x *Exchange) map[string]*Organization {
	m := make(map[string]*Organization, len(x.Organizations))
	for i := range x.Organizations {
		m[x.Organizations[i].ID] = &x.Organizations[i]
	}
	return m
}

// parseHSDS reads an HSDS 3 service list (a paginated list or a bare
// array of services).
func parseHSDS(data []byte, is *issues) *Exchange {
	var list hsdsList
	root := "/contents"
	trimmed := bytes.TrimSpace(data)
	var err error
	if len(trimmed) > 0 && trimmed[0] == '[' {
		root = ""
		err = json.Unmarshal(data, &list.Contents)
	} else {
		err = json.Unmarshal(data, &list)
	}
	if err != nil {
		is.add(jsonIssue(data, err))
		return nil
	}
	var orgs []*hsdsOrganization
	for i, s := range list.Contents {
		if s == nil {
			is.add(ImportIssue{Pointer: fmt.Sprintf("%s/%d", root, i), Reason: "is null, not a service"})
			continue
		}
		s.setPointers(fmt.Sprintf("%s/%d", root, i))
		if s.Organization != nil {
			orgs = append(orgs, s.Organization)
		}
	}
	if len(is.list) > 0 {
		return nil
	}
	return fromHSDS(orgs, list.Contents, true, is)
}

// setPointers records each object's JSON pointer, for error reports.
func (s *hsdsService) setPointers(p string) {
	s.at.ptr = p
	if s.Organization != nil {
		s.Organization.at.ptr = p + "/organization"
	}
	for i, x := range s.Phones {
		x.at.ptr = fmt.Sprintf("%s/phones/%d", p, i)
	}
	for i, x := range s.Schedules {
		x.at.ptr = fmt.Sprintf("%s/schedules/%d", p, i)
	}
	for i, x := range s.ServiceAtLocations {
		x.at.ptr = fmt.Sprintf("%s/service_at_locations/%d", p, i)
		if x.Location != nil {
			x.Location.at.ptr = x.at.ptr + "/location"
			for j, a := range x.Location.Addresses {
				a.at.ptr = fmt.Sprintf("%s/addresses/%d", x.Location.at.ptr, j)
			}
			for j, a := range x.Location.Accessibility {
				a.at.ptr = fmt.Sprintf("%s/accessibility/%d", x.Location.at.ptr, j)
			}
			for j, a := range x.Location.Attributes {
				a.at.ptr = fmt.Sprintf("%s/attributes/%d", x.Location.at.ptr, j)
			}
		}
	}
	for i, x := range s.Languages {
		x.at.ptr = fmt.Sprintf("%s/languages/%d", p, i)
	}
	for i, x := range s.RequiredDocuments {
		x.at.ptr = fmt.Sprintf("%s/required_documents/%d", p, i)
	}
	for i, x := range s.Contacts {
		x.at.ptr = fmt.Sprintf("%s/contacts/%d", p, i)
		for j, ph := range x.Phones {
			ph.at.ptr = fmt.Sprintf("%s/phones/%d", x.at.ptr, j)
		}
	}
	for i, x := range s.Attributes {
		x.at.ptr = fmt.Sprintf("%s/attributes/%d", p, i)
	}
}

// fromHSDS converts HSDS objects into an exchange. With embedded set the
// organizations come inside services and may repeat (identically).
func fromHSDS(orgs []*hsdsOrganization, svcs []*hsdsService, embedded bool, is *issues) *Exchange {
	x := &Exchange{}
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
		x.Organizations = append(x.Organizations, Organization{ID: h.ID, Name: textOf(h.Name, h.Translations, "name"),
			Description: textOf(h.Description, h.Translations, "description"), URL: h.Website, Email: h.Email})
		x.orgAt = append(x.orgAt, func(field, reason string) ImportIssue { return at.issue(hsdsTextField(at, field), reason) })
	}
	for _, h := range svcs {
		if is.full() {
			break
		}
		if h == nil {
			continue
		}
		s, loc, ok := h.punto(is)
		if ok {
			x.Services = append(x.Services, s)
			x.svcAt = append(x.svcAt, loc)
		}
	}
	return x
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

var indexed = regexp.MustCompile(`^([a-z_.]+)\[(\d+)\]\.?(.*)$`)

// punto converts one HSDS service; ok is false when it could not be read
// (the problems are in is).
func (h *hsdsService) punto(is *issues) (Service, locator, bool) {
	n := len(is.list)
	s := Service{ID: h.ID, OrganizationID: h.OrganizationID, URL: h.URL, Email: h.Email,
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
	for _, p := range h.Phones {
		if bad := checkTr(p.Translations, p.at, "description"); bad != nil {
			is.add(*bad)
		}
		s.Phones = append(s.Phones, Phone{Number: p.Number, Type: p.Type, Description: textOf(p.Description, p.Translations, "description")})
	}
	var slotAt, excAt []where
	for _, sc := range h.Schedules {
		if bad := checkTr(sc.Translations, sc.at, "description"); bad != nil {
			is.add(*bad)
		}
		switch {
		case strings.EqualFold(sc.Freq, "WEEKLY"):
			if sc.ValidFrom != "" || sc.ValidTo != "" {
				is.add(sc.at.issue("valid_from", "Punto keeps weekly hours without validity dates"))
				continue
			}
			for _, d := range strings.Split(sc.Byday, ",") {
				wd := 0
				for i, c := range weekdayCodes {
					if strings.EqualFold(strings.TrimSpace(d), c) {
						wd = i + 1
					}
				}
				if wd == 0 {
					is.add(sc.at.issue("byday", fmt.Sprintf("%q is not a weekday MO…SU", d)))
					continue
				}
				s.Hours.Weekly = append(s.Hours.Weekly, Slot{Weekday: wd, Opens: sc.OpensAt, Closes: sc.ClosesAt})
				slotAt = append(slotAt, sc.at)
			}
		case sc.Freq == "" && sc.ValidFrom != "" && sc.ValidFrom == sc.ValidTo:
			s.Hours.Exceptions = append(s.Hours.Exceptions, Exception{Date: sc.ValidFrom, Closed: sc.OpensAt == "" && sc.ClosesAt == "",
				Opens: sc.OpensAt, Closes: sc.ClosesAt, Note: textOf(sc.Description, sc.Translations, "description")})
			excAt = append(excAt, sc.at)
		default:
			is.add(sc.at.issue("freq", "Punto reads WEEKLY schedules and one-day schedules (valid_from = valid_to, no freq)"))
		}
	}
	for _, sal := range h.ServiceAtLocations {
		l := sal.Location
		switch {
		case l == nil:
			is.add(sal.at.issue("location", "is missing"))
			continue
		case sal.LocationID != "" && sal.LocationID != l.ID:
			is.add(sal.at.issue("location_id", fmt.Sprintf("%q differs from the location's id %q", sal.LocationID, l.ID)))
			continue
		case l.Latitude == nil || l.Longitude == nil:
			is.add(l.at.issue("latitude", "a location needs latitude and longitude"))
			continue
		}
		if bad := checkTr(l.Translations, l.at, "name"); bad != nil {
			is.add(*bad)
		}
		loc := Location{ID: l.ID, Name: textOf(l.Name, l.Translations, "name"), Point: [2]float64{*l.Longitude, *l.Latitude}}
		if len(l.Addresses) > 0 {
			a := l.Addresses[0]
			loc.Address, loc.PostalCode, loc.Comune, loc.Province, loc.Region = a.Address1, a.PostalCode, a.City, a.StateProvince, a.Region
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
		s.Locations = append(s.Locations, loc)
	}
	for _, l := range h.Languages {
		s.Languages = append(s.Languages, l.Code)
	}
	for _, d := range h.RequiredDocuments {
		if bad := checkTr(d.Translations, d.at, "document"); bad != nil {
			is.add(*bad)
		}
		s.Documents = append(s.Documents, textOf(d.Document, d.Translations, "document"))
	}
	for _, c := range h.Contacts {
		if bad := checkTr(c.Translations, c.at, "title"); bad != nil {
			is.add(*bad)
		}
		ct := Contact{Name: c.Name, Title: textOf(c.Title, c.Translations, "title"), Email: c.Email}
		if len(c.Phones) > 0 {
			ct.Phone = c.Phones[0].Number
		}
		s.Contacts = append(s.Contacts, ct)
	}
	for _, a := range h.Attributes {
		if a.LinkType == linkCategory {
			code := strings.TrimPrefix(a.TaxonomyTermID, termCategory)
			if a.TaxonomyTerm != nil && a.TaxonomyTerm.Code != "" {
				code = a.TaxonomyTerm.Code
			}
			s.Categories = append(s.Categories, code)
			continue
		}
		switch code, _ := a.fact(); code {
		case factAppointment:
			s.ByAppointment = a.Value != "false"
		case factHolidays:
			s.OpenOnHolidays = a.Value != "false"
		}
	}
	loc := func(field, reason string) ImportIssue {
		m := indexed.FindStringSubmatch(field)
		if m == nil {
			return h.at.issue(hsdsTextField(h.at, field), reason)
		}
		i, _ := strconv.Atoi(m[2])
		rest := m[3]
		switch m[1] {
		case "locations":
			if i < len(h.ServiceAtLocations) && h.ServiceAtLocations[i].Location != nil {
				l := h.ServiceAtLocations[i].Location
				switch rest {
				case "point":
					return l.at.issue("latitude/longitude", reason)
				case "comune":
					if len(l.Addresses) > 0 {
						return l.Addresses[0].at.issue("city", reason)
					}
					return l.at.issue("addresses", "no address: "+reason)
				}
				return l.at.issue(hsdsTextField(l.at, rest), reason)
			}
		case "phones":
			if i < len(h.Phones) {
				return h.Phones[i].at.issue(rest, reason)
			}
		case "documents":
			if i < len(h.RequiredDocuments) {
				return h.RequiredDocuments[i].at.issue("document", reason)
			}
		case "hours.weekly":
			if i < len(slotAt) {
				return slotAt[i].issue(map[string]string{"opens": "opens_at", "closes": "closes_at", "weekday": "byday"}[rest], reason)
			}
		case "hours.exceptions":
			if i < len(excAt) {
				return excAt[i].issue(map[string]string{"opens": "opens_at", "closes": "closes_at", "date": "valid_from", "": "opens_at"}[rest], reason)
			}
		}
		return h.at.issue(field, reason)
	}
	return s, loc, len(is.list) == n
}

// fact returns the code of a punto yes/no attribute.
func (a *hsdsAttribute) fact() (string, bool) {
	if a.LinkType != linkFact {
		return "", false
	}
	if a.TaxonomyTerm != nil && a.TaxonomyTerm.Code != "" {
		return a.TaxonomyTerm.Code, true
	}
	return strings.TrimPrefix(a.TaxonomyTermID, termFact), true
}

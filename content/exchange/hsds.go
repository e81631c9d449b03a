package exchange

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/punto-totem/punto/content"
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
	Version    string         `json:"version,omitempty"` // the Punto profile's page names the HSDS version
	Profile    string         `json:"profile,omitempty"` // and the profile
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
	PuntoID      string `json:"punto_id,omitempty"`
	Name         string `json:"name"`
	Description  string `json:"description"`
	Email        string `json:"email,omitempty"`
	Website      string `json:"website,omitempty"`
	Translations hsdsTr `json:"translations,omitempty"`
	at           where
	extra        map[string]json.RawMessage // HSDS members Punto does not model
}

type hsdsService struct {
	ID                     string                   `json:"id"`
	PuntoID                string                   `json:"punto_id,omitempty"`
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
	extra                  map[string]json.RawMessage // HSDS members Punto does not model
}

type hsdsPhone struct {
	ID                  string          `json:"id"`
	ServiceID           string          `json:"service_id,omitempty"`
	ContactID           string          `json:"contact_id,omitempty"`
	ServiceAtLocationID string          `json:"service_at_location_id,omitempty"` // a desk's phone (hsds_channel.go)
	Number              string          `json:"number"`
	Type                string          `json:"type,omitempty"`
	Description         string          `json:"description,omitempty"`
	Languages           []*hsdsLanguage `json:"languages,omitempty"`
	PuntoChannel        string          `json:"punto_channel,omitempty"` // the Punto profile: the channel's id
	Translations        hsdsTr          `json:"translations,omitempty"`
	at                  where
	extra               map[string]json.RawMessage // members kept at import (hsds_parts.go)
}

type hsdsSchedule struct {
	ID                  string   `json:"id"`
	ServiceID           string   `json:"service_id"`
	LocationID          string   `json:"location_id,omitempty"`            // a desk's hours (hsds_channel.go)
	ServiceAtLocationID string   `json:"service_at_location_id,omitempty"` // a desk's hours
	AttendingType       string   `json:"attending_type,omitempty"`         // a channel's hours: in_person, phone or video
	ScheduleLink        string   `json:"schedule_link,omitempty"`          // a video channel's link
	PuntoChannel        string   `json:"punto_channel,omitempty"`          // the Punto profile: the channel's id
	ValidFrom           string   `json:"valid_from,omitempty"`
	ValidTo             string   `json:"valid_to,omitempty"`
	Freq                string   `json:"freq,omitempty"`
	Wkst                string   `json:"wkst,omitempty"`
	Byday               string   `json:"byday,omitempty"`
	OpensAt             string   `json:"opens_at,omitempty"`
	ClosesAt            string   `json:"closes_at,omitempty"`
	Timezone            *float64 `json:"timezone,omitempty"` // read, never written: Punto's times are Europe/Rome's
	Description         string   `json:"description,omitempty"`
	Translations        hsdsTr   `json:"translations,omitempty"`
	at                  where
	extra               map[string]json.RawMessage // members kept at import (hsds_parts.go)
}

type hsdsServiceAtLocation struct {
	ID         string          `json:"id"`
	ServiceID  string          `json:"service_id"`
	LocationID string          `json:"location_id"`
	Phones     []*hsdsPhone    `json:"phones,omitempty"`    // the desk's (hsds_channel.go)
	Schedules  []*hsdsSchedule `json:"schedules,omitempty"` // the desk's hours
	Location   *hsdsLocation   `json:"location,omitempty"`
	at         where
	extra      map[string]json.RawMessage // members kept at import (hsds_parts.go)
}

type hsdsLocation struct {
	ID            string               `json:"id"`
	PuntoID       string               `json:"punto_id,omitempty"`
	LocationType  string               `json:"location_type"`
	Name          string               `json:"name,omitempty"`
	Latitude      *float64             `json:"latitude,omitempty"`
	Longitude     *float64             `json:"longitude,omitempty"`
	Addresses     []*hsdsAddress       `json:"addresses,omitempty"`
	Accessibility []*hsdsAccessibility `json:"accessibility,omitempty"`
	Attributes    []*hsdsAttribute     `json:"attributes,omitempty"`
	Translations  hsdsTr               `json:"translations,omitempty"`
	at            where
	extra         map[string]json.RawMessage // HSDS members Punto does not model
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
	extra         map[string]json.RawMessage // members kept at import (hsds_parts.go)
}

type hsdsAccessibility struct {
	ID           string `json:"id"`
	LocationID   string `json:"location_id"`
	Description  string `json:"description,omitempty"`
	Translations hsdsTr `json:"translations,omitempty"`
	at           where
	extra        map[string]json.RawMessage // members kept at import (hsds_parts.go)
}

type hsdsLanguage struct {
	ID        string `json:"id"`
	ServiceID string `json:"service_id,omitempty"` // none for a phone's
	PhoneID   string `json:"phone_id,omitempty"`
	Name      string `json:"name,omitempty"`
	Code      string `json:"code"`
	at        where
	extra     map[string]json.RawMessage // members kept at import (hsds_parts.go)
}

type hsdsDocument struct {
	ID           string `json:"id"`
	ServiceID    string `json:"service_id"`
	Document     string `json:"document"`
	Translations hsdsTr `json:"translations,omitempty"`
	at           where
	extra        map[string]json.RawMessage // members kept at import (hsds_parts.go)
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
	extra        map[string]json.RawMessage // members kept at import (hsds_parts.go)
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
	raw            map[string]json.RawMessage // another taxonomy's attribute, kept whole (hsds_parts.go)
}

type hsdsTaxonomyTerm struct {
	ID           string        `json:"id"`
	Code         string        `json:"code,omitempty"`
	Name         string        `json:"name"`
	Description  string        `json:"description"`
	Taxonomy     string        `json:"taxonomy,omitempty"`
	TaxonomyID   string        `json:"taxonomy_id,omitempty"`
	TermURI      string        `json:"term_uri,omitempty"`
	Language     string        `json:"language,omitempty"`
	Detail       *hsdsTaxonomy `json:"taxonomy_detail,omitempty"`
	Translations hsdsTr        `json:"translations,omitempty"`
	at           where
}

type hsdsTaxonomy struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	URI         string `json:"uri,omitempty"`
	Version     string `json:"version,omitempty"`
}

// HSDS statuses and Punto's.
var (
	statusToHSDS   = map[content.Status]string{content.StatusActive: "active", content.StatusTemporarilyClosed: "temporarily closed", content.StatusWithdrawn: "inactive"}
	statusFromHSDS = map[string]content.Status{"active": content.StatusActive, "temporarily closed": content.StatusTemporarilyClosed, "inactive": content.StatusWithdrawn, "defunct": content.StatusWithdrawn}
)

var weekdayCodes = []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}

// writeHSDS writes the services as an HSDS 3 paginated service list (one
// page), each with its organization, locations, phones and schedules.
func writeHSDS(x *Records, w io.Writer, opt Options) error {
	o := opt.out()
	orgs := orgMap(x)
	list := hsdsList{TotalItems: len(x.Services), TotalPages: 1, PageNumber: 1, Size: len(x.Services),
		FirstPage: true, LastPage: true, Empty: len(x.Services) == 0, Contents: []*hsdsService{}}
	if !o.plain {
		list.Version, list.Profile = HSDSVersion, ProfileURI
	}
	for i := range x.Services {
		list.Contents = append(list.Contents, o.service(&x.Services[i], orgs))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(list); err != nil {
		return fmt.Errorf("content: export hsds: %w", err)
	}
	return nil
}

func orgMap(x *Records) map[string]*content.Organization {
	m := make(map[string]*content.Organization, len(x.Organizations))
	for i := range x.Organizations {
		m[x.Organizations[i].ID] = &x.Organizations[i]
	}
	return m
}

// parseHSDS reads HSDS 3 JSON as the API and the specification's examples
// publish it: a page of services, organizations or services at locations
// ({"contents": […]}), a bare array of them, or a single one (an
// organization with its services, a service at a location with its
// service and location). A file that holds no service is an error, not
// an import of nothing.
func parseHSDS(data []byte, is *issues) *Records {
	root, kind, err := hsdsShape(data)
	if err != nil {
		is.add(jsonIssue(data, err))
		return nil
	}
	var orgs []*hsdsOrganization
	var svcs []*hsdsService
	switch kind {
	case "organization":
		orgs, svcs = parseHSDSOrgs(data, root, is)
	case "service_at_location":
		svcs = parseHSDSSALs(data, root, is)
	default:
		svcs = parseHSDSServices(data, root, is)
	}
	if len(is.list) > 0 {
		return nil
	}
	for _, s := range svcs {
		if s.Organization != nil {
			orgs = append(orgs, s.Organization)
		}
	}
	if len(svcs) == 0 && len(orgs) == 0 {
		is.add(ImportIssue{Pointer: root, Reason: "holds no " + kind + ": nothing to import"})
		return nil
	}
	return fromHSDS(orgs, svcs, true, is)
}

// hsdsShape says where the objects of a file are ("/contents" in a page,
// "" for an array or a single object; one = single object) and what they
// are: "service", "organization" or "service_at_location", by the members
// of the first.
func hsdsShape(doc []byte) (root, kind string, err error) {
	var first map[string]json.RawMessage
	switch t := bytes.TrimLeft(doc, " \t\r\n\uFEFF"); {
	case len(t) > 0 && t[0] == '[':
		var items []json.RawMessage
		if err := json.Unmarshal(doc, &items); err != nil {
			return "", "", err
		}
		for _, it := range items {
			if json.Unmarshal(it, &first) == nil && first != nil {
				break
			}
		}
		root = ""
	default:
		if err := json.Unmarshal(doc, &first); err != nil {
			return "", "", err
		}
		if c, ok := first["contents"]; ok {
			root = "/contents"
			var items []json.RawMessage
			if err := json.Unmarshal(c, &items); err != nil {
				return "", "", err
			}
			first = nil
			for _, it := range items {
				if json.Unmarshal(it, &first) == nil && first != nil {
					break
				}
			}
		} else {
			root = "single"
		}
	}
	_, hasService := first["service"]
	_, hasLocation := first["location"]
	_, hasServices := first["services"]
	_, hasStatus := first["status"]
	_, hasWebsite := first["website"]
	_, hasLegal := first["legal_status"]
	switch {
	case hasService && hasLocation:
		kind = "service_at_location"
	case hasServices || (!hasStatus && (hasWebsite || hasLegal)):
		kind = "organization"
	default:
		kind = "service"
	}
	return root, kind, nil
}

// decodeObjects reads a page, an array or a single object (root "single")
// into a list of T, giving each its JSON pointer.
func decodeObjects[T any](doc []byte, root string, is *issues) ([]*T, []string, bool) {
	var items []*T
	var err error
	switch root {
	case "single":
		var one T
		err = json.Unmarshal(doc, &one)
		items = []*T{&one}
	case "":
		err = json.Unmarshal(doc, &items)
	default:
		var page struct {
			Contents []*T `json:"contents"`
		}
		err = json.Unmarshal(doc, &page)
		items = page.Contents
	}
	if err != nil {
		is.add(jsonIssue(doc, err))
		return nil, nil, false
	}
	ptrs := make([]string, len(items))
	for i := range items {
		switch root {
		case "single":
			ptrs[i] = ""
		default:
			ptrs[i] = fmt.Sprintf("%s/%d", root, i)
		}
		if items[i] == nil {
			is.add(ImportIssue{Pointer: ptrs[i], Reason: "is null, not an object"})
		}
	}
	return items, ptrs, len(is.list) == 0
}

func parseHSDSServices(doc []byte, root string, is *issues) []*hsdsService {
	svcs, ptrs, ok := decodeObjects[hsdsService](doc, root, is)
	if !ok {
		return nil
	}
	raws, _, _ := decodeObjects[rawService](doc, root, &issues{})
	for i, s := range svcs {
		s.setPointers(ptrs[i])
		if i < len(raws) && raws[i] != nil {
			keepServiceExtras(s, *raws[i])
		}
	}
	return svcs
}

// hsdsOrgFull is an organization as organization_full.json has it: with
// its services.
type hsdsOrgFull struct {
	hsdsOrganization
	Services []*hsdsService `json:"services"`
}

// parseHSDSOrgs reads organizations, each with its services.
func parseHSDSOrgs(doc []byte, root string, is *issues) ([]*hsdsOrganization, []*hsdsService) {
	full, ptrs, ok := decodeObjects[hsdsOrgFull](doc, root, is)
	if !ok {
		return nil, nil
	}
	raws, _, _ := decodeObjects[rawService](doc, root, &issues{})
	var orgs []*hsdsOrganization
	var svcs []*hsdsService
	for i, o := range full {
		org := &o.hsdsOrganization
		org.at.ptr = ptrs[i]
		var rawSvcs []rawService
		if i < len(raws) && raws[i] != nil {
			org.extra = pickExtra(*raws[i], organizationExtra)
			_ = json.Unmarshal((*raws[i])["services"], &rawSvcs)
		}
		for j, s := range o.Services {
			if j < len(rawSvcs) {
				keepServiceExtras(s, rawSvcs[j])
			}
		}
		orgs = append(orgs, org)
		for j, s := range o.Services {
			if s == nil {
				is.add(ImportIssue{Pointer: fmt.Sprintf("%s/services/%d", ptrs[i], j), Reason: "is null, not a service"})
				continue
			}
			s.setPointers(fmt.Sprintf("%s/services/%d", ptrs[i], j))
			if s.OrganizationID == "" {
				s.OrganizationID = org.ID
			}
			svcs = append(svcs, s)
		}
	}
	return orgs, svcs
}

// hsdsSALFull is a service at a location as service_at_location_full.json
// has it: the service and the location, and the phones and schedules of
// the service there (a desk there, an in-person channel).
type hsdsSALFull struct {
	ID        string          `json:"id"`
	Service   *hsdsService    `json:"service"`
	Location  *hsdsLocation   `json:"location"`
	Phones    []*hsdsPhone    `json:"phones"`
	Schedules []*hsdsSchedule `json:"schedules"`
}

// parseHSDSSALs reads services at locations; a service at several
// locations becomes one service.
func parseHSDSSALs(doc []byte, root string, is *issues) []*hsdsService {
	sals, ptrs, ok := decodeObjects[hsdsSALFull](doc, root, is)
	if !ok {
		return nil
	}
	raws, _, _ := decodeObjects[rawService](doc, root, &issues{})
	byID := map[string]*hsdsService{}
	var svcs []*hsdsService
	// Each service as it would be read from a list of services: its own
	// members, and the services at locations it is at (their members and
	// their locations' parts are kept as a service's are).
	rawSvcs := map[*hsdsService]rawService{}
	rawSALs := map[*hsdsService][]json.RawMessage{}
	for i, sal := range sals {
		var raw rawService
		if i < len(raws) && raws[i] != nil {
			raw = *raws[i]
		}
		if sal.Service == nil {
			is.add(ImportIssue{Pointer: ptrs[i], Field: "service", Reason: "is missing"})
			continue
		}
		s := byID[sal.Service.ID]
		if s == nil {
			s = sal.Service
			s.setPointers(ptrs[i] + "/service")
			var rs rawService
			if json.Unmarshal(raw["service"], &rs) == nil && rs != nil {
				rawSvcs[s] = rs
			}
			byID[s.ID] = s
			svcs = append(svcs, s)
		}
		if sal.Location != nil {
			rsal := map[string]json.RawMessage{}
			for k, v := range raw {
				if k != "service" {
					rsal[k] = v
				}
			}
			if b, err := json.Marshal(rsal); err == nil {
				rawSALs[s] = append(rawSALs[s], b)
			}
		}
		sl := &hsdsServiceAtLocation{ID: sal.ID, ServiceID: s.ID, Location: sal.Location, at: where{ptr: ptrs[i]}}
		// The phones and schedules of the service there are a desk
		// there (hsds_channel.go); without a location, the service's.
		phones, schedules := &sl.Phones, &sl.Schedules
		if sal.Location == nil {
			phones, schedules = &s.Phones, &s.Schedules
		}
		for j, p := range sal.Phones {
			p.at.ptr = fmt.Sprintf("%s/phones/%d", ptrs[i], j)
			*phones = append(*phones, p)
		}
		for j, sc := range sal.Schedules {
			sc.at.ptr = fmt.Sprintf("%s/schedules/%d", ptrs[i], j)
			*schedules = append(*schedules, sc)
		}
		if sal.Location != nil {
			sl.LocationID = sal.Location.ID
			sal.Location.setPointers(ptrs[i] + "/location")
			var rl map[string]json.RawMessage
			if json.Unmarshal(raw["location"], &rl) == nil {
				sal.Location.extra = pickExtra(rl, locationExtra)
			}
		}
		s.ServiceAtLocations = append(s.ServiceAtLocations, sl)
	}
	for _, s := range svcs {
		rs := rawSvcs[s]
		if rs == nil {
			continue
		}
		if b, err := json.Marshal(rawSALs[s]); err == nil && len(rawSALs[s]) > 0 {
			rs["service_at_locations"] = b
		}
		keepServiceExtras(s, rs)
	}
	return svcs
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
			x.Location.setPointers(x.at.ptr + "/location")
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

// setPointers records the JSON pointers of a location and its parts.
func (l *hsdsLocation) setPointers(p string) {
	l.at.ptr = p
	for j, a := range l.Addresses {
		a.at.ptr = fmt.Sprintf("%s/addresses/%d", p, j)
	}
	for j, a := range l.Accessibility {
		a.at.ptr = fmt.Sprintf("%s/accessibility/%d", p, j)
	}
	for j, a := range l.Attributes {
		a.at.ptr = fmt.Sprintf("%s/attributes/%d", p, j)
	}
}

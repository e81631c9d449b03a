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
			if b, err := json.Marshal(salMembers(raw)); err == nil {
				rawSALs[s] = append(rawSALs[s], b)
			}
		}
		s.ServiceAtLocations = append(s.ServiceAtLocations, sal.serviceThere(s, ptrs[i], raw))
	}
	keepSALServiceExtras(svcs, rawSvcs, rawSALs)
	return svcs
}

// salMembers is a service at location's own members: all but its service.
func salMembers(raw rawService) map[string]json.RawMessage {
	rsal := map[string]json.RawMessage{}
	for k, v := range raw {
		if k != "service" {
			rsal[k] = v
		}
	}
	return rsal
}

// serviceThere is the service s (the one sal names, read once) at sal's location,
// read at ptr from raw; with no location, sal's phones and schedules are
// s's own.
func (sal *hsdsSALFull) serviceThere(s *hsdsService, ptr string, raw rawService) *hsdsServiceAtLocation {
	sl := &hsdsServiceAtLocation{ID: sal.ID, ServiceID: s.ID, Location: sal.Location, at: where{ptr: ptr}}
	// The phones and schedules of the service there are a desk
	// there (hsds_channel.go); without a location, the service's.
	phones, schedules := &sl.Phones, &sl.Schedules
	if sal.Location == nil {
		phones, schedules = &s.Phones, &s.Schedules
	}
	for j, p := range sal.Phones {
		p.at.ptr = fmt.Sprintf("%s/phones/%d", ptr, j)
		*phones = append(*phones, p)
	}
	for j, sc := range sal.Schedules {
		sc.at.ptr = fmt.Sprintf("%s/schedules/%d", ptr, j)
		*schedules = append(*schedules, sc)
	}
	if sal.Location != nil {
		sl.LocationID = sal.Location.ID
		sal.Location.setPointers(ptr + "/location")
		var rl map[string]json.RawMessage
		if json.Unmarshal(raw["location"], &rl) == nil {
			sal.Location.extra = pickExtra(rl, locationExtra)
		}
	}
	return sl
}

// keepSALServiceExtras keeps, for each service read from services at
// locations, its own members and those of the services at locations it is
// at, as a service read from a list of services keeps them.
func keepSALServiceExtras(svcs []*hsdsService, rawSvcs map[*hsdsService]rawService, rawSALs map[*hsdsService][]json.RawMessage) {
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
}

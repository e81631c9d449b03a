package exchange

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/punto-totem/punto/content"
)

// assemblePackage joins the tables into HSDS objects and converts them.
func assemblePackage(tables map[string][]pkgRow, is *issues) *Records {
	return assembleRows(tables, is, false)
}

// assembleRows is assemblePackage of the whole package or, gathered, of
// the rows of one service or organization (whose links to rows outside
// were checked over the whole package: see dangling).
func assembleRows(tables map[string][]pkgRow, is *issues, gathered bool) *Records {
	a := &assembly{tables: tables, is: is, gathered: gathered, svcs: map[string]*hsdsService{}, locs: map[string]*hsdsLocation{}, contacts: map[string]*hsdsContact{},
		sals: map[string]*hsdsServiceAtLocation{}, phones: map[string]*hsdsPhone{}, keptContacts: map[string]bool{}}
	orgs := a.organizations()
	a.services()
	a.locations()
	a.locationParts()
	a.serviceAtLocations()
	a.contactsAndPhones()
	a.serviceLists()
	a.attributes()
	if len(is.list) > 0 {
		return nil
	}
	a.nest(orgs)
	for _, s := range a.order {
		keepPackageExtras(s)
	}
	return fromHSDS(orgs, a.order, false, is)
}

// assembly joins the package's tables, reporting a row that names a
// record the package lacks.
type assembly struct {
	tables   map[string][]pkgRow
	is       *issues
	svcs     map[string]*hsdsService
	order    []*hsdsService // the services in file order
	locs     map[string]*hsdsLocation
	contacts map[string]*hsdsContact
	sals     map[string]*hsdsServiceAtLocation
	phones   map[string]*hsdsPhone // the channels' (a desk's, a phone desk's): their languages are their own
	// keptContacts are the contacts of an organization, a location or a
	// service at a location: their phones are kept with them (nest).
	keptContacts map[string]bool
	gathered     bool // one service's or organization's rows: see assembleRows
}

func (a *assembly) organizations() []*hsdsOrganization {
	var orgs []*hsdsOrganization
	for _, r := range a.tables["organizations"] {
		desc := r.get("description")
		if desc == r.get("name") {
			desc = "" // the package requires a description: Punto writes the name when it has none
		}
		orgs = append(orgs, &hsdsOrganization{ID: r.get("id"), PuntoID: r.get("punto_id"), Name: r.get("name"), Description: desc,
			Email: r.get("email"), Website: r.get("website"), Translations: r.tr(), at: r.at,
			extra: pickExtra(r.kept("organization", "id", "name", "description", "email", "website"), organizationExtra)})
	}
	return orgs
}

func (a *assembly) services() {
	for _, r := range a.tables["services"] {
		s := &hsdsService{ID: r.get("id"), PuntoID: r.get("punto_id"), OrganizationID: r.get("organization_id"), Name: r.get("name"), Description: r.get("description"),
			URL: r.get("url"), Email: r.get("email"), Status: r.get("status"), FeesDescription: r.get("fees_description"),
			EligibilityDescription: r.get("eligibility_description"), Translations: r.tr(), at: r.at,
			extra: r.kept("service", "id", "organization_id", "name", "description", "url", "email", "status", "fees_description", "eligibility_description")}
		if _, dup := a.svcs[s.ID]; dup {
			a.is.add(r.at.issue("id", fmt.Sprintf("service %q is given twice", s.ID)))
			continue
		}
		a.svcs[s.ID] = s
		a.order = append(a.order, s)
	}
}

// service is the service a row names in service_id (nil, reported, when
// there is none).
func (a *assembly) service(r pkgRow) *hsdsService {
	s := a.svcs[r.get("service_id")]
	if s == nil && !a.gathered {
		a.is.add(r.at.issue("service_id", fmt.Sprintf("no service %q in services", r.get("service_id"))))
	}
	return s
}

// location is the location a row names in location_id (nil, reported,
// when there is none).
func (a *assembly) location(r pkgRow) *hsdsLocation {
	l := a.locs[r.get("location_id")]
	if l == nil && !a.gathered {
		a.is.add(r.at.issue("location_id", fmt.Sprintf("no location %q in locations", r.get("location_id"))))
	}
	return l
}

func (a *assembly) locations() {
	for _, r := range a.tables["locations"] {
		l := &hsdsLocation{ID: r.get("id"), PuntoID: r.get("punto_id"), LocationType: r.get("location_type"), Name: r.get("name"), Translations: r.tr(), at: r.at,
			extra: r.kept("location", "id", "location_type", "name", "latitude", "longitude")}
		l.Latitude = a.coordinate(r, "latitude")
		l.Longitude = a.coordinate(r, "longitude")
		a.locs[l.ID] = l
	}
}

// timezone reads a schedule's timezone cell (nil when empty; reported
// when not a number).
func (a *assembly) timezone(r pkgRow) *float64 {
	v := strings.TrimSpace(r.get("timezone"))
	if v == "" {
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		a.is.add(r.at.issue("timezone", fmt.Sprintf("%q is not a UTC offset in hours", v)))
		return nil
	}
	return &f
}

// coordinate reads a latitude or longitude cell (nil when empty or not a
// number, reported).
func (a *assembly) coordinate(r pkgRow, col string) *float64 {
	v := strings.TrimSpace(r.get(col))
	if v == "" {
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		a.is.add(r.at.issue(col, fmt.Sprintf("%q is not a number", v)))
		return nil
	}
	return &f
}

// locationParts gives the locations their addresses and accessibility.
func (a *assembly) locationParts() {
	for _, r := range a.tables["addresses"] {
		if l := a.location(r); l != nil {
			l.Addresses = append(l.Addresses, &hsdsAddress{ID: r.get("id"), LocationID: r.get("location_id"), Address1: r.get("address_1"),
				City: r.get("city"), Region: r.get("region"), StateProvince: r.get("state_province"), PostalCode: r.get("postal_code"),
				Country: r.get("country"), AddressType: r.get("address_type"), at: r.at,
				extra: r.kept("address", "id", "location_id", "address_1", "city", "region", "state_province", "postal_code", "country", "address_type")})
		}
	}
	for _, r := range a.tables["accessibility"] {
		if l := a.location(r); l != nil {
			l.Accessibility = append(l.Accessibility, &hsdsAccessibility{ID: r.get("id"), LocationID: r.get("location_id"),
				Description: r.get("description"), Translations: r.tr(), at: r.at, extra: r.kept("accessibility", "id", "location_id", "description")})
		}
	}
}

func (a *assembly) serviceAtLocations() {
	for _, r := range a.tables["service_at_locations"] {
		s, l := a.service(r), a.location(r)
		if s != nil && l != nil {
			sal := &hsdsServiceAtLocation{ID: r.get("id"), ServiceID: s.ID, LocationID: l.ID, Location: l, at: r.at,
				extra: r.kept("service_at_location", "id", "service_id", "location_id")}
			s.ServiceAtLocations = append(s.ServiceAtLocations, sal)
			a.sals[sal.ID] = sal
		}
	}
}

// serviceAtLocation is the service at a location a row names in
// service_at_location_id (nil, reported, when there is none).
func (a *assembly) serviceAtLocation(r pkgRow) *hsdsServiceAtLocation {
	sal := a.sals[r.get("service_at_location_id")]
	if sal == nil && !a.gathered {
		a.is.add(r.at.issue("service_at_location_id", fmt.Sprintf("no service at location %q in service_at_location", r.get("service_at_location_id"))))
	}
	return sal
}

// contactsAndPhones gives the services their contacts, and the phones to
// their contact, service at location (a desk's) or service, with the
// languages spoken at them.
func (a *assembly) contactsAndPhones() {
	for _, r := range a.tables["contacts"] {
		if r.get("service_id") == "" && linked(r) {
			a.keptContacts[r.get("id")] = true
			continue // an organization's, a location's, a service at a location's: kept (nest)
		}
		if s := a.service(r); s != nil {
			c := &hsdsContact{ID: r.get("id"), ServiceID: s.ID, Name: r.get("name"), Title: r.get("title"), Email: r.get("email"), Translations: r.tr(), at: r.at,
				extra: r.kept("contact", "id", "service_id", "name", "title", "email")}
			s.Contacts = append(s.Contacts, c)
			a.contacts[c.ID] = c
		}
	}
	// A phone is each record's it links to (the same phone of a service,
	// of its contact and of a location is one row): a part of each.
	for _, r := range a.tables["phones"] {
		phone := func(link, id string) *hsdsPhone {
			p := &hsdsPhone{ID: r.get("id"), Number: r.get("number"), Type: r.get("type"), Description: r.get("description"),
				Translations: r.tr(), at: r.at, extra: r.kept("phone", "id", "number", "type", "description")}
			switch link {
			case "contact_id":
				p.ContactID = id
			case "service_at_location_id":
				p.ServiceAtLocationID = id
				p.PuntoChannel = r.get("punto_channel") // a desk's
			default:
				p.ServiceID = id
				if r.get("service_at_location_id") == "" {
					p.PuntoChannel = r.get("punto_channel") // a phone desk's
				}
			}
			return p
		}
		if id := r.get("contact_id"); id != "" {
			if c := a.contacts[id]; c != nil {
				c.Phones = append(c.Phones, phone("contact_id", id))
			} else if !a.keptContacts[id] && !a.gathered {
				a.is.add(r.at.issue("contact_id", fmt.Sprintf("no contact %q in contacts", id)))
			}
		}
		if id := r.get("service_at_location_id"); id != "" {
			if sal := a.serviceAtLocation(r); sal != nil {
				p := phone("service_at_location_id", id)
				sal.Phones = append(sal.Phones, p)
				a.phones[p.ID] = p
			}
		}
		if id := r.get("service_id"); id != "" {
			if s := a.service(r); s != nil {
				p := phone("service_id", id)
				s.Phones = append(s.Phones, p)
				if isChannelPhone(p) {
					a.phones[p.ID] = p
				}
			}
		}
	}
}

// linked reports whether a row of a part links to anything other than a
// service: an organization, a location, a service at a location, a
// contact or a phone (its kept members there).
func linked(r pkgRow) bool {
	for _, c := range []string{"organization_id", "location_id", "service_at_location_id", "contact_id", "phone_id"} {
		if r.get(c) != "" {
			return true
		}
	}
	return false
}

// serviceLists gives the services (or their services at locations)
// their schedules, the services and their phones their languages, and the
// services their required documents.
func (a *assembly) serviceLists() {
	for _, r := range a.tables["schedules"] {
		sc := &hsdsSchedule{ID: r.get("id"), ServiceID: r.get("service_id"), LocationID: r.get("location_id"), ServiceAtLocationID: r.get("service_at_location_id"),
			AttendingType: r.get("attending_type"), ScheduleLink: r.get("schedule_link"), PuntoChannel: r.get("punto_channel"),
			ValidFrom: r.get("valid_from"), ValidTo: r.get("valid_to"), Freq: r.get("freq"), Wkst: r.get("wkst"), Byday: r.get("byday"),
			OpensAt: r.get("opens_at"), ClosesAt: r.get("closes_at"), Description: r.get("description"), Timezone: a.timezone(r), Translations: r.tr(), at: r.at,
			extra: r.kept("schedule", "id", "service_id", "location_id", "service_at_location_id", "attending_type", "schedule_link",
				"valid_from", "valid_to", "freq", "wkst", "byday", "opens_at", "closes_at", "description", "timezone")}
		if sc.ServiceAtLocationID == "" && sc.ServiceID == "" && linked(r) {
			continue // a location's: kept (nest)
		}
		if sc.ServiceAtLocationID != "" {
			// A desk's hours, as Punto writes them (in_person, or a
			// channel's under its profile); another schedule of a service
			// at a location is its service's too when it says so.
			desk := sc.AttendingType == content.ChannelInPerson || sc.PuntoChannel != ""
			if sal := a.serviceAtLocation(r); sal != nil {
				at := *sc
				at.ServiceID, at.LocationID = sal.ServiceID, sal.LocationID
				sal.Schedules = append(sal.Schedules, &at)
			}
			if desk || sc.ServiceID == "" {
				continue
			}
			sc.ServiceAtLocationID, sc.PuntoChannel = "", ""
		}
		if s := a.service(r); s != nil {
			sc.LocationID = "" // the service's own hours; a location's are kept with it (nest)
			s.Schedules = append(s.Schedules, sc)
		}
	}
	for _, r := range a.tables["languages"] {
		// A language is each record's it links to: a channel's phone's
		// (the channel's), the service's; another phone's or a
		// location's are kept with them (nest).
		if p := a.phones[r.get("phone_id")]; p != nil && r.get("phone_id") != "" {
			p.Languages = append(p.Languages, &hsdsLanguage{ID: r.get("id"), PhoneID: p.ID, Name: r.get("name"), Code: r.get("code"), at: r.at,
				extra: r.kept("language", "id", "service_id", "phone_id", "name", "code")})
			if r.get("service_id") == "" {
				continue
			}
		}
		if r.get("phone_id") != "" && r.get("id") == content.PartUUID(r.get("phone_id"), "language/"+r.get("code")) {
			continue // a channel phone's as Punto writes it (its packages before channel languages lost their service_id named the service too)
		}
		if r.get("service_id") == "" && linked(r) {
			continue
		} else if s := a.service(r); s != nil {
			s.Languages = append(s.Languages, &hsdsLanguage{ID: r.get("id"), ServiceID: s.ID, Name: r.get("name"), Code: r.get("code"), at: r.at,
				extra: r.kept("language", "id", "service_id", "phone_id", "name", "code")})
		}
	}
	for _, r := range a.tables["required_documents"] {
		if s := a.service(r); s != nil {
			s.RequiredDocuments = append(s.RequiredDocuments, &hsdsDocument{ID: r.get("id"), ServiceID: s.ID, Document: r.get("document"), Translations: r.tr(), at: r.at,
				extra: r.kept("required_document", "id", "service_id", "document")})
		}
	}
}

// attributes gives the services and locations their attributes, each
// with its taxonomy term.
func (a *assembly) attributes() {
	terms := map[string]*hsdsTaxonomyTerm{}
	termRows := map[string]pkgRow{}
	for _, r := range a.tables["taxonomy_terms"] {
		terms[r.get("id")] = &hsdsTaxonomyTerm{ID: r.get("id"), Code: r.get("code"), Name: r.get("name"), Description: r.get("description"), Taxonomy: r.get("taxonomy"), at: r.at}
		termRows[r.get("id")] = r
	}
	taxonomies := map[string]pkgRow{}
	for _, r := range a.tables["taxonomies"] {
		taxonomies[r.get("id")] = r
	}
	for _, r := range a.tables["attributes"] {
		attr := &hsdsAttribute{ID: r.get("id"), LinkID: r.get("link_id"), LinkEntity: r.get("link_entity"), LinkType: r.get("link_type"),
			TaxonomyTermID: r.get("taxonomy_term_id"), Value: r.get("value"), TaxonomyTerm: terms[r.get("taxonomy_term_id")], at: r.at}
		if !attr.punto() {
			// Another taxonomy's: kept whole, as its JSON nests it (its
			// links said by the nesting).
			attr.raw = foreignAttributeObject(r, termRows, taxonomies)
		}
		switch attr.LinkEntity {
		case "service":
			if s := a.svcs[attr.LinkID]; s != nil {
				s.Attributes = append(s.Attributes, attr)
			} else {
				a.is.add(r.at.issue("link_id", fmt.Sprintf("no service %q in services", attr.LinkID)))
			}
		case "location":
			if l := a.locs[attr.LinkID]; l != nil {
				l.Attributes = append(l.Attributes, attr)
			} else {
				a.is.add(r.at.issue("link_id", fmt.Sprintf("no location %q in locations", attr.LinkID)))
			}
		default: // another taxonomy's attribute of a service (its link_entity as given)
			if s := a.svcs[attr.LinkID]; s != nil && attr.raw != nil {
				s.Attributes = append(s.Attributes, attr)
			}
		}
	}
}

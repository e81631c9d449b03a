package exchange

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/punto-totem/punto/content"
)

// Conversion between Punto's records and HSDS 3 objects (see hsds.go
// for the conventions): the texts, and Punto's records as HSDS objects.
// hsds_punto.go converts the other way.

// trAdd puts the non-Italian texts of t into tr under field.
func trAdd(tr hsdsTr, field string, t content.Text) hsdsTr {
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
func textOf(it string, tr hsdsTr, field string) content.Text {
	var t content.Text
	if strings.TrimSpace(it) != "" {
		t = content.Text{"it": it}
	}
	for lang, m := range tr {
		if v := m[field]; strings.TrimSpace(v) != "" {
			if t == nil {
				t = content.Text{}
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

// hsdsOut says how records become HSDS objects: under the Punto profile
// (every language, Punto's slugs) or as plain HSDS in one language.
type hsdsOut struct {
	plain bool
	lang  string // plain: the language written
}

// text is the value a field holds: the Italian text under the Punto
// profile (the others go in translations); in plain HSDS the text in the
// chosen language, else Italian, else English.
func (o hsdsOut) text(t content.Text) string {
	if !o.plain {
		return t["it"]
	}
	for _, l := range []string{o.lang, "it", "en"} {
		if v := t[l]; v != "" {
			return v
		}
	}
	return ""
}

// tr adds field's translations under the Punto profile; plain HSDS has
// none.
func (o hsdsOut) tr(tr hsdsTr, field string, t content.Text) hsdsTr {
	if o.plain {
		return tr
	}
	return trAdd(tr, field, t)
}

// slug is the Punto ID written beside the UUID under the Punto profile.
func (o hsdsOut) slug(id string) string {
	if o.plain {
		return ""
	}
	return id
}

func orgUUID(o *content.Organization) string {
	if o.UUID != "" {
		return o.UUID
	}
	return content.RecordUUID(content.KindOrganization, o.ID)
}

func svcUUID(s *content.Service) string {
	if s.UUID != "" {
		return s.UUID
	}
	return content.RecordUUID(content.KindService, s.ID)
}

func locUUID(l *content.Location) string {
	if l.UUID != "" {
		return l.UUID
	}
	return content.RecordUUID("location", l.ID)
}

func (o hsdsOut) org(org *content.Organization) *hsdsOrganization {
	h := &hsdsOrganization{ID: orgUUID(org), PuntoID: o.slug(org.ID), Name: o.text(org.Name), Description: o.text(org.Description), Email: org.Email, Website: org.URL,
		extra: extraMembers(org.Extra, organizationExtra)}
	h.Translations = o.tr(h.Translations, "name", org.Name)
	h.Translations = o.tr(h.Translations, "description", org.Description)
	return h
}

// service converts a service, with its organization when orgs has it;
// orgIDs gives the UUID of an organization that orgs lacks.
func (o hsdsOut) service(s *content.Service, orgs map[string]*content.Organization) *hsdsService {
	id := svcUUID(s)
	h := &hsdsService{ID: id, PuntoID: o.slug(s.ID), Name: o.text(s.Name), Description: o.text(s.Description),
		URL: s.URL, Email: s.Email, Status: statusToHSDS[s.Status], FeesDescription: o.text(s.Fees), EligibilityDescription: o.text(s.Eligibility),
		extra: extraMembers(s.Extra, serviceExtra)}
	for f, t := range map[string]content.Text{"name": s.Name, "description": s.Description, "fees_description": s.Fees, "eligibility_description": s.Eligibility} {
		h.Translations = o.tr(h.Translations, f, t)
	}
	if s.OrganizationID != "" {
		if org := orgs[s.OrganizationID]; org != nil {
			h.OrganizationID = orgUUID(org)
			h.Organization = o.org(org)
		} else {
			h.OrganizationID = content.RecordUUID(content.KindOrganization, s.OrganizationID)
		}
	}
	for i, p := range s.Phones {
		hp := &hsdsPhone{ID: content.PartUUID(id, fmt.Sprintf("phone/%d", i)), ServiceID: id, Number: p.Number, Type: p.Type, Description: o.text(p.Description)}
		hp.Translations = o.tr(nil, "description", p.Description)
		h.Phones = append(h.Phones, hp)
	}
	h.Schedules = o.schedules(s, id)
	for _, l := range s.Locations {
		lid := locUUID(&l)
		h.ServiceAtLocations = append(h.ServiceAtLocations, &hsdsServiceAtLocation{ID: content.PartUUID(id, "service_at_location/"+lid),
			ServiceID: id, LocationID: lid, Location: o.location(&l)})
	}
	for _, l := range s.Languages {
		h.Languages = append(h.Languages, &hsdsLanguage{ID: content.PartUUID(id, "language/"+l), ServiceID: id, Code: l, Name: languageName(l)})
	}
	for i, d := range s.Documents {
		hd := &hsdsDocument{ID: content.PartUUID(id, fmt.Sprintf("required_document/%d", i)), ServiceID: id, Document: o.text(d)}
		hd.Translations = o.tr(nil, "document", d)
		h.RequiredDocuments = append(h.RequiredDocuments, hd)
	}
	h.Contacts = o.contacts(s, id)
	h.Attributes = o.attributes(s, id)
	o.channels(s, h)
	applyKeptParts(h, s.Extra)
	return h
}

// schedules converts the hours: a WEEKLY schedule for the weekly slots
// with the same hours, then a one-day schedule per exception. Times are
// HH:MM:SS, Europe/Rome local time.
func (o hsdsOut) schedules(s *content.Service, id string) []*hsdsSchedule {
	var out []*hsdsSchedule
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
		out = append(out, &hsdsSchedule{ID: content.PartUUID(id, fmt.Sprintf("schedule/%d", len(out))), ServiceID: id,
			Freq: "WEEKLY", Wkst: "MO", Byday: strings.Join(days[k], ","), OpensAt: hhmmss(k.opens), ClosesAt: hhmmss(k.closes)})
	}
	for _, ex := range s.Hours.Exceptions {
		hs := &hsdsSchedule{ID: content.PartUUID(id, fmt.Sprintf("schedule/%d", len(out))), ServiceID: id,
			ValidFrom: ex.Date, ValidTo: ex.Date, OpensAt: hhmmss(ex.Opens), ClosesAt: hhmmss(ex.Closes), Description: o.text(ex.Note)}
		hs.Translations = o.tr(nil, "description", ex.Note)
		out = append(out, hs)
	}
	return out
}

// hhmmss writes a Punto time (HH:MM) as HSDS does (HH:MM:SS).
func hhmmss(t string) string {
	if len(t) == 5 {
		return t + ":00"
	}
	return t
}

// contacts converts the contacts, each with its phone.
func (o hsdsOut) contacts(s *content.Service, id string) []*hsdsContact {
	var out []*hsdsContact
	for i, c := range s.Contacts {
		cid := content.PartUUID(id, fmt.Sprintf("contact/%d", i))
		hc := &hsdsContact{ID: cid, ServiceID: id, Name: c.Name, Title: o.text(c.Title), Email: c.Email}
		hc.Translations = o.tr(nil, "title", c.Title)
		if c.Phone != "" {
			hc.Phones = []*hsdsPhone{{ID: content.PartUUID(cid, "phone/0"), ContactID: cid, Number: c.Phone}}
		}
		out = append(out, hc)
	}
	return out
}

// attributes are the service's categories and yes/no facts, as
// attributes with terms of the Punto taxonomy.
func (o hsdsOut) attributes(s *content.Service, id string) []*hsdsAttribute {
	var out []*hsdsAttribute
	for _, c := range s.Categories {
		t := categoryTerm(c, o)
		out = append(out, &hsdsAttribute{ID: content.PartUUID(id, "attribute/category/"+c), LinkID: id, LinkEntity: "service",
			LinkType: linkCategory, TaxonomyTermID: t.ID, TaxonomyTerm: t})
	}
	for _, f := range []struct {
		name string
		on   bool
	}{{factAppointment, s.ByAppointment}, {factHolidays, s.OpenOnHolidays}} {
		if f.on {
			t := factTerm(f.name, o)
			out = append(out, &hsdsAttribute{ID: content.PartUUID(id, "attribute/"+f.name), LinkID: id, LinkEntity: "service",
				LinkType: linkFact, TaxonomyTermID: t.ID, Value: "true", TaxonomyTerm: t})
		}
	}
	return out
}

func (o hsdsOut) location(l *content.Location) *hsdsLocation {
	id := locUUID(l)
	h := &hsdsLocation{ID: id, PuntoID: o.slug(l.ID), LocationType: "physical", Name: o.text(l.Name), extra: extraMembers(l.Extra, locationExtra)}
	if !l.NoPoint {
		lat, lon := l.Point[1], l.Point[0]
		h.Latitude, h.Longitude = &lat, &lon
	}
	h.Translations = o.tr(nil, "name", l.Name)
	if l.NoPoint && l.Address == "" && l.Comune == "" {
		h.LocationType = "virtual" // online or by phone: no address at all
	} else {
		h.Addresses = []*hsdsAddress{{ID: content.PartUUID(id, "address/0"), LocationID: id, Address1: l.Address, City: l.Comune, Region: l.Region,
			StateProvince: l.Province, PostalCode: l.PostalCode, Country: cmp.Or(l.Country, "IT"), AddressType: "physical"}}
	}
	if len(l.Accessibility) > 0 {
		ha := &hsdsAccessibility{ID: content.PartUUID(id, "accessibility/0"), LocationID: id, Description: o.text(l.Accessibility)}
		ha.Translations = o.tr(nil, "description", l.Accessibility)
		h.Accessibility = []*hsdsAccessibility{ha}
	}
	if l.Wheelchair {
		t := factTerm(factWheelchair, o)
		h.Attributes = []*hsdsAttribute{{ID: content.PartUUID(id, "attribute/"+factWheelchair), LinkID: id, LinkEntity: "location",
			LinkType: linkFact, TaxonomyTermID: t.ID, Value: "true", TaxonomyTerm: t}}
	}
	return h
}

package exchange

import (
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

func itOf(t content.Text) string { return t["it"] }

func hsdsOrg(o *content.Organization) *hsdsOrganization {
	h := &hsdsOrganization{ID: o.ID, Name: itOf(o.Name), Description: itOf(o.Description), Email: o.Email, Website: o.URL}
	h.Translations = trAdd(h.Translations, "name", o.Name)
	h.Translations = trAdd(h.Translations, "description", o.Description)
	return h
}

// toHSDS converts a service, with its organization when orgs has it.
func toHSDS(s *content.Service, orgs map[string]*content.Organization) *hsdsService {
	h := &hsdsService{ID: s.ID, OrganizationID: s.OrganizationID, Name: itOf(s.Name), Description: itOf(s.Description),
		URL: s.URL, Email: s.Email, Status: statusToHSDS[s.Status], FeesDescription: itOf(s.Fees), EligibilityDescription: itOf(s.Eligibility)}
	for f, t := range map[string]content.Text{"name": s.Name, "description": s.Description, "fees_description": s.Fees, "eligibility_description": s.Eligibility} {
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
	h.Schedules = hsdsSchedules(s)
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
	h.Contacts = hsdsContacts(s)
	h.Attributes = hsdsAttributes(s)
	return h
}

// hsdsSchedules converts the hours: a WEEKLY schedule for the weekly
// slots with the same hours, then a one-day schedule per exception.
func hsdsSchedules(s *content.Service) []*hsdsSchedule {
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
		out = append(out, &hsdsSchedule{ID: fmt.Sprintf("%s#schedule-%d", s.ID, len(out)), ServiceID: s.ID,
			Freq: "WEEKLY", Wkst: "MO", Byday: strings.Join(days[k], ","), OpensAt: k.opens, ClosesAt: k.closes})
	}
	for _, ex := range s.Hours.Exceptions {
		hs := &hsdsSchedule{ID: fmt.Sprintf("%s#schedule-%d", s.ID, len(out)), ServiceID: s.ID,
			ValidFrom: ex.Date, ValidTo: ex.Date, OpensAt: ex.Opens, ClosesAt: ex.Closes, Description: itOf(ex.Note)}
		hs.Translations = trAdd(nil, "description", ex.Note)
		out = append(out, hs)
	}
	return out
}

// hsdsContacts converts the contacts, each with its phone.
func hsdsContacts(s *content.Service) []*hsdsContact {
	var out []*hsdsContact
	for i, c := range s.Contacts {
		id := fmt.Sprintf("%s#contact-%d", s.ID, i)
		hc := &hsdsContact{ID: id, ServiceID: s.ID, Name: c.Name, Title: itOf(c.Title), Email: c.Email}
		hc.Translations = trAdd(nil, "title", c.Title)
		if c.Phone != "" {
			hc.Phones = []*hsdsPhone{{ID: id + "#phone", ContactID: id, Number: c.Phone}}
		}
		out = append(out, hc)
	}
	return out
}

// hsdsAttributes are the service's categories and yes/no facts, as
// attributes of the punto taxonomy.
func hsdsAttributes(s *content.Service) []*hsdsAttribute {
	var out []*hsdsAttribute
	for _, c := range s.Categories {
		out = append(out, &hsdsAttribute{ID: s.ID + "#category-" + c, LinkID: s.ID, LinkEntity: "service",
			LinkType: linkCategory, TaxonomyTermID: termCategory + c, TaxonomyTerm: categoryTerm(c)})
	}
	for _, f := range []struct {
		name string
		on   bool
	}{{factAppointment, s.ByAppointment}, {factHolidays, s.OpenOnHolidays}} {
		if f.on {
			out = append(out, &hsdsAttribute{ID: s.ID + "#" + f.name, LinkID: s.ID, LinkEntity: "service",
				LinkType: linkFact, TaxonomyTermID: termFact + f.name, Value: "true", TaxonomyTerm: factTerm(f.name)})
		}
	}
	return out
}

func hsdsLoc(l *content.Location) *hsdsLocation {
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

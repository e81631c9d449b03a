package exchange

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/paulmach/orb/geojson"

	"github.com/punto-totem/punto/content"
)

// GeoJSON: a FeatureCollection with one Point feature per service at a
// location. Texts are one property per language ("name_it", "name_fr"),
// lists of texts (documents, phones, contacts, hours) keep Punto's own
// JSON shape. A service at several locations is several features that
// agree on every service property.

// The translated properties of the service, its organization and its
// location: the property prefix and how to reach the text.
var geoServiceTexts = []struct {
	prefix string
	get    func(*content.Service) *content.Text
}{
	{"name", func(s *content.Service) *content.Text { return &s.Name }},
	{"description", func(s *content.Service) *content.Text { return &s.Description }},
	{"eligibility", func(s *content.Service) *content.Text { return &s.Eligibility }},
	{"fees", func(s *content.Service) *content.Text { return &s.Fees }},
}

var geoOrgTexts = []struct {
	prefix string
	get    func(*content.Organization) *content.Text
}{
	{"organization_name", func(o *content.Organization) *content.Text { return &o.Name }},
	{"organization_description", func(o *content.Organization) *content.Text { return &o.Description }},
}

var geoLocTexts = []struct {
	prefix string
	get    func(*content.Location) *content.Text
}{
	{"location_name", func(l *content.Location) *content.Text { return &l.Name }},
	{"accessibility", func(l *content.Location) *content.Text { return &l.Accessibility }},
}

// geoLocationProp reports whether a property belongs to the location;
// every other property belongs to the service (or its organization).
func geoLocationProp(k string) bool {
	switch k {
	case "location_id", "address", "postal_code", "comune", "province", "region", "wheelchair":
		return true
	}
	return strings.HasPrefix(k, "location_name_") || strings.HasPrefix(k, "accessibility_")
}

func putTexts(p geojson.Properties, prefix string, t content.Text) {
	for lang, v := range t {
		if v != "" {
			p[prefix+"_"+lang] = v
		}
	}
}

func putString(p geojson.Properties, k, v string) {
	if v != "" {
		p[k] = v
	}
}

// writeGeoJSON writes one Point feature per service at a location.
func writeGeoJSON(x *Records, w io.Writer) error {
	orgs := orgMap(x)
	fc := geojson.NewFeatureCollection()
	for i := range x.Services {
		s := &x.Services[i]
		for _, l := range s.Locations {
			f := geojson.NewFeature(l.Point)
			f.ID = s.ID + "@" + l.ID
			putService(f.Properties, s)
			putOrganization(f.Properties, orgs[s.OrganizationID])
			putLocation(f.Properties, &l)
			fc.Append(f)
		}
	}
	return writeFeatures(w, fc)
}

// putService sets the service's properties.
func putService(p geojson.Properties, s *content.Service) {
	p["service_id"] = s.ID
	p["status"] = string(s.Status)
	for _, t := range geoServiceTexts {
		putTexts(p, t.prefix, *t.get(s))
	}
	putString(p, "url", s.URL)
	putString(p, "email", s.Email)
	p["by_appointment"] = s.ByAppointment
	p["open_on_holidays"] = s.OpenOnHolidays
	p["categories"] = nonNil(s.Categories)
	p["languages"] = nonNil(s.Languages)
	if len(s.Documents) > 0 {
		p["documents"] = s.Documents
	}
	if len(s.Phones) > 0 {
		p["phones"] = s.Phones
	}
	if len(s.Contacts) > 0 {
		p["contacts"] = s.Contacts
	}
	p["hours"] = s.Hours
	putString(p, "organization_id", s.OrganizationID)
}

// putOrganization describes the service's organization (nothing when the
// records lack it).
func putOrganization(p geojson.Properties, o *content.Organization) {
	if o == nil {
		return
	}
	for _, t := range geoOrgTexts {
		putTexts(p, t.prefix, *t.get(o))
	}
	putString(p, "organization_url", o.URL)
	putString(p, "organization_email", o.Email)
}

// putLocation sets the location's properties.
func putLocation(p geojson.Properties, l *content.Location) {
	p["location_id"] = l.ID
	for _, t := range geoLocTexts {
		putTexts(p, t.prefix, *t.get(l))
	}
	putString(p, "address", l.Address)
	putString(p, "postal_code", l.PostalCode)
	p["comune"] = l.Comune
	putString(p, "province", l.Province)
	putString(p, "region", l.Region)
	p["wheelchair"] = l.Wheelchair
}

// writeFeatures writes the collection one feature per line: readable,
// and diffs stay small.
func writeFeatures(w io.Writer, fc *geojson.FeatureCollection) error {
	var buf bytes.Buffer
	buf.WriteString(`{"type":"FeatureCollection","features":[`)
	for i, f := range fc.Features {
		fr, err := json.Marshal(f)
		if err != nil {
			return fmt.Errorf("content: export geojson: %w", err)
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString("\n")
		buf.Write(fr)
	}
	buf.WriteString("\n]}\n")
	_, err := w.Write(buf.Bytes())
	return err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

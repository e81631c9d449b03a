package exchange

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
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

func writeGeoJSON(x *Records, w io.Writer) error {
	orgs := orgMap(x)
	fc := geojson.NewFeatureCollection()
	for i := range x.Services {
		s := &x.Services[i]
		for _, l := range s.Locations {
			f := geojson.NewFeature(l.Point)
			f.ID = s.ID + "@" + l.ID
			p := f.Properties
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
			if o := orgs[s.OrganizationID]; o != nil {
				for _, t := range geoOrgTexts {
					putTexts(p, t.prefix, *t.get(o))
				}
				putString(p, "organization_url", o.URL)
				putString(p, "organization_email", o.Email)
			}
			putString(p, "organization_id", s.OrganizationID)
			p["location_id"] = l.ID
			for _, t := range geoLocTexts {
				putTexts(p, t.prefix, *t.get(&l))
			}
			putString(p, "address", l.Address)
			putString(p, "postal_code", l.PostalCode)
			p["comune"] = l.Comune
			putString(p, "province", l.Province)
			putString(p, "region", l.Region)
			p["wheelchair"] = l.Wheelchair
			fc.Append(f)
		}
	}
	// One feature per line: readable, and diffs stay small.
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

type geoFeature = geojson.FeatureOf[map[string]json.RawMessage]

func parseGeoJSON(data []byte, is *issues) *Records {
	// The collection first, then each feature: a problem in a feature is
	// reported with its index.
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(data, &fc); err != nil {
		is.add(jsonIssue(data, err))
		return nil
	}
	if fc.Type != "FeatureCollection" {
		is.add(ImportIssue{Pointer: "/type", Reason: fmt.Sprintf("%q is not FeatureCollection", fc.Type)})
		return nil
	}
	features := make([]*geoFeature, len(fc.Features))
	for i, raw := range fc.Features {
		if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			continue
		}
		var f geoFeature
		if err := json.Unmarshal(raw, &f); err != nil {
			is.add(ImportIssue{Pointer: fmt.Sprintf("/features/%d", i), Reason: "not a GeoJSON feature: " + err.Error()})
			if is.full() {
				return nil
			}
			continue
		}
		features[i] = &f
	}
	if len(is.list) > 0 {
		return nil
	}
	x := &Records{}
	type seenSvc struct {
		index   int // in x.Services
		feature int
		props   map[string]string
		feats   *[]int // the feature of each location
	}
	svcs := map[string]*seenSvc{}
	orgs := map[string]int{} // organization → feature that gave it
	orgProps := map[string]map[string]string{}
	for fi, f := range features {
		if is.full() {
			break
		}
		ptr := fmt.Sprintf("/features/%d", fi)
		at := where{ptr: ptr}
		if f == nil {
			is.add(at.issue("", "is null, not a feature"))
			continue
		}
		svc, org, ok := geoFeatureService(f, at, is)
		if !ok {
			continue
		}
		compact := map[string]string{}
		for k, v := range f.Properties {
			var b bytes.Buffer
			json.Compact(&b, v)
			compact[k] = b.String()
		}
		if org != nil {
			op := map[string]string{}
			for k, v := range compact {
				if strings.HasPrefix(k, "organization_") {
					op[k] = v
				}
			}
			if prev, ok := orgProps[org.ID]; ok {
				if k := firstDiff(prev, op, func(string) bool { return true }); k != "" {
					is.add(at.issue("properties."+k, fmt.Sprintf("organization %q differs from feature %d", org.ID, orgs[org.ID])))
				}
			} else {
				orgProps[org.ID], orgs[org.ID] = op, fi
				x.Organizations = append(x.Organizations, *org)
				x.orgAt = append(x.orgAt, func(field, reason string) ImportIssue {
					return at.issue("properties."+geoTextProp("organization_", field), reason)
				})
			}
		}
		if prev, ok := svcs[svc.ID]; ok {
			if k := firstDiff(prev.props, compact, func(k string) bool { return !geoLocationProp(k) }); k != "" {
				is.add(at.issue("properties."+k, fmt.Sprintf("service %q differs from feature %d", svc.ID, prev.feature)))
				continue
			}
			s := &x.Services[prev.index]
			s.Locations = append(s.Locations, svc.Locations...)
			*prev.feats = append(*prev.feats, fi)
			continue
		}
		feats := &[]int{fi}
		svcs[svc.ID] = &seenSvc{index: len(x.Services), feature: fi, props: compact, feats: feats}
		x.Services = append(x.Services, svc)
		x.svcAt = append(x.svcAt, geoLocator(at, feats))
	}
	return x
}

// geoLocator places a service's validation error among its features
// (feats: the feature of each location, in order).
func geoLocator(at where, feats *[]int) locator {
	return func(field, reason string) ImportIssue {
		m := indexed.FindStringSubmatch(field)
		if m == nil {
			return at.issue("properties."+geoTextProp("", field), reason)
		}
		i, _ := strconv.Atoi(m[2])
		switch m[1] {
		case "locations":
			la := at
			if i < len(*feats) {
				la = where{ptr: fmt.Sprintf("/features/%d", (*feats)[i])}
			}
			switch m[3] {
			case "point":
				return la.issue("geometry", reason)
			case "id":
				return la.issue("properties.location_id", reason)
			case "comune":
				return la.issue("properties.comune", reason)
			}
			return la.issue("properties."+geoTextProp("location_", m[3]), reason)
		}
		return at.issue("properties."+field, reason)
	}
}

// geoTextProp spells a text's validation field ("name", "name.fr") as a
// property ("name_it", "name_fr").
func geoTextProp(prefix, field string) string {
	f, lang, ok := strings.Cut(field, ".")
	switch f {
	case "name", "description", "eligibility", "fees", "accessibility":
		if !ok {
			lang = "it"
		}
		if f == "accessibility" {
			prefix = ""
		}
		return prefix + f + "_" + lang
	}
	return prefix + field
}

func firstDiff(a, b map[string]string, keep func(string) bool) string {
	for k, v := range a {
		if keep(k) && b[k] != v {
			return k
		}
	}
	for k, v := range b {
		if keep(k) && a[k] != v {
			return k
		}
	}
	return ""
}

// geoFeatureService reads one feature: its service with one location, and
// the organization it names (nil when none is described).
func geoFeatureService(f *geoFeature, at where, is *issues) (content.Service, *content.Organization, bool) {
	n := len(is.list)
	var s content.Service
	var l content.Location
	var org *content.Organization
	pt, ok := f.Geometry.(orb.Point)
	if !ok {
		is.add(at.issue("geometry", "must be a Point"))
		return s, nil, false
	}
	l.Point = pt
	bad := func(k, reason string) { is.add(at.issue("properties."+k, reason)) }
	str := func(k string, raw json.RawMessage, dst *string) {
		if err := json.Unmarshal(raw, dst); err != nil {
			bad(k, "must be a string")
		}
	}
	boolean := func(k string, raw json.RawMessage, dst *bool) {
		if err := json.Unmarshal(raw, dst); err != nil {
			bad(k, "must be true or false")
		}
	}
	strict := func(k string, raw json.RawMessage, dst any) {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(dst); err != nil {
			bad(k, err.Error())
		}
	}
	setText := func(t *content.Text, lang, k string, raw json.RawMessage) {
		if !content.ValidLanguageTag(lang) {
			bad(k, fmt.Sprintf("%q is not a language tag", lang))
			return
		}
		var v string
		str(k, raw, &v)
		if *t == nil {
			*t = content.Text{}
		}
		(*t)[lang] = v
	}
	var status string
	orgFields := content.Organization{}
	describedOrg := false
	for k, raw := range f.Properties {
		switch k {
		case "service_id":
			str(k, raw, &s.ID)
		case "status":
			str(k, raw, &status)
		case "url":
			str(k, raw, &s.URL)
		case "email":
			str(k, raw, &s.Email)
		case "by_appointment":
			boolean(k, raw, &s.ByAppointment)
		case "open_on_holidays":
			boolean(k, raw, &s.OpenOnHolidays)
		case "categories":
			strict(k, raw, &s.Categories)
		case "languages":
			strict(k, raw, &s.Languages)
		case "documents":
			strict(k, raw, &s.Documents)
		case "phones":
			strict(k, raw, &s.Phones)
		case "contacts":
			strict(k, raw, &s.Contacts)
		case "hours":
			strict(k, raw, &s.Hours)
		case "organization_id":
			str(k, raw, &s.OrganizationID)
		case "organization_url":
			str(k, raw, &orgFields.URL)
			describedOrg = true
		case "organization_email":
			str(k, raw, &orgFields.Email)
			describedOrg = true
		case "location_id":
			str(k, raw, &l.ID)
		case "address":
			str(k, raw, &l.Address)
		case "postal_code":
			str(k, raw, &l.PostalCode)
		case "comune":
			str(k, raw, &l.Comune)
		case "province":
			str(k, raw, &l.Province)
		case "region":
			str(k, raw, &l.Region)
		case "wheelchair":
			boolean(k, raw, &l.Wheelchair)
		default:
			done := false
			for _, t := range geoOrgTexts {
				if lang, ok := strings.CutPrefix(k, t.prefix+"_"); ok {
					setText(t.get(&orgFields), lang, k, raw)
					describedOrg, done = true, true
				}
			}
			for _, t := range geoLocTexts {
				if lang, ok := strings.CutPrefix(k, t.prefix+"_"); ok && !done {
					setText(t.get(&l), lang, k, raw)
					done = true
				}
			}
			for _, t := range geoServiceTexts {
				if lang, ok := strings.CutPrefix(k, t.prefix+"_"); ok && !done {
					setText(t.get(&s), lang, k, raw)
					done = true
				}
			}
			if !done {
				bad(k, "is not a property Punto reads")
			}
		}
	}
	s.Status = content.Status(status)
	s.Locations = []content.Location{l}
	if describedOrg {
		if s.OrganizationID == "" {
			bad("organization_id", "is needed when the organization is described")
		}
		orgFields.ID = s.OrganizationID
		org = &orgFields
	}
	return s, org, len(is.list) == n
}

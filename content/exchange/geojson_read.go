package exchange

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/punto-totem/punto/content"
)

// Reading GeoJSON (see geojson.go): the collection, then each feature, a
// service at one location; the features of a service at several
// locations are merged.

type geoFeature = geojson.FeatureOf[map[string]json.RawMessage]

func parseGeoJSON(data []byte, is *issues) *Records {
	features, ok := readFeatures(data, is)
	if !ok {
		return nil
	}
	gp := &geoParse{is: is, x: &Records{}, svcs: map[string]*geoSeen{}, orgs: map[string]int{}, orgProps: map[string]map[string]string{}}
	for fi, f := range features {
		if is.full() {
			break
		}
		gp.add(fi, f)
	}
	return gp.x
}

// readFeatures reads the collection first, then each feature, so that a
// problem in a feature is reported with its index. A null feature is nil.
func readFeatures(data []byte, is *issues) ([]*geoFeature, bool) {
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(data, &fc); err != nil {
		is.add(jsonIssue(data, err))
		return nil, false
	}
	if fc.Type != "FeatureCollection" {
		is.add(ImportIssue{Pointer: "/type", Reason: fmt.Sprintf("%q is not FeatureCollection", fc.Type)})
		return nil, false
	}
	features := make([]*geoFeature, len(fc.Features))
	for i, raw := range fc.Features {
		if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			continue
		}
		if len(raw) > maxFeature {
			is.add(ImportIssue{Pointer: fmt.Sprintf("/features/%d", i), Reason: fmt.Sprintf("a feature of %d bytes: larger than %d; Punto reads one Point per service at a location", len(raw), maxFeature)})
			return nil, false
		}
		var f geoFeature
		if err := json.Unmarshal(raw, &f); err != nil {
			is.add(ImportIssue{Pointer: fmt.Sprintf("/features/%d", i), Reason: "not a GeoJSON feature: " + err.Error()})
			if is.full() {
				return nil, false
			}
			continue
		}
		features[i] = &f
	}
	return features, len(is.list) == 0
}

// geoParse gathers the records of the features read so far.
type geoParse struct {
	is       *issues
	x        *Records
	svcs     map[string]*geoSeen          // by service ID
	orgs     map[string]int               // organization → feature that gave it
	orgProps map[string]map[string]string // organization → its properties there
}

// geoSeen is a service already read.
type geoSeen struct {
	index   int // in x.Services
	feature int
	props   map[string]string
	feats   *[]int // the feature of each location
}

// add reads feature fi: a service at several features must agree on
// every service property, an organization described again must be
// described the same way.
func (gp *geoParse) add(fi int, f *geoFeature) {
	at := where{ptr: fmt.Sprintf("/features/%d", fi)}
	if f == nil {
		gp.is.add(at.issue("", "is null, not a feature"))
		return
	}
	svc, org, ok := geoFeatureService(f, at, gp.is)
	if !ok {
		return
	}
	props := compactProps(f)
	if org != nil {
		gp.addOrganization(fi, at, org, props)
	}
	gp.addService(fi, at, svc, props)
}

// compactProps are a feature's properties as compact JSON, to compare.
func compactProps(f *geoFeature) map[string]string {
	out := map[string]string{}
	for k, v := range f.Properties {
		var b bytes.Buffer
		if err := json.Compact(&b, v); err != nil {
			out[k] = string(v) // not JSON: compared as it is
			continue
		}
		out[k] = b.String()
	}
	return out
}

func (gp *geoParse) addOrganization(fi int, at where, org *content.Organization, props map[string]string) {
	op := map[string]string{}
	for k, v := range props {
		if strings.HasPrefix(k, "organization_") {
			op[k] = v
		}
	}
	if prev, ok := gp.orgProps[org.ID]; ok {
		if k := firstDiff(prev, op, func(string) bool { return true }); k != "" {
			gp.is.add(at.issue("properties."+k, fmt.Sprintf("organization %q differs from feature %d", org.ID, gp.orgs[org.ID])))
		}
		return
	}
	gp.orgProps[org.ID], gp.orgs[org.ID] = op, fi
	gp.x.Organizations = append(gp.x.Organizations, *org)
	gp.x.orgAt = append(gp.x.orgAt, func(field, reason string) ImportIssue {
		return at.issue("properties."+geoTextProp("organization_", field), reason)
	})
}

func (gp *geoParse) addService(fi int, at where, svc content.Service, props map[string]string) {
	x := gp.x
	if prev, ok := gp.svcs[svc.ID]; ok {
		if k := firstDiff(prev.props, props, func(k string) bool { return !geoLocationProp(k) }); k != "" {
			gp.is.add(at.issue("properties."+k, fmt.Sprintf("service %q differs from feature %d", svc.ID, prev.feature)))
			return
		}
		s := &x.Services[prev.index]
		s.Locations = append(s.Locations, svc.Locations...)
		*prev.feats = append(*prev.feats, fi)
		return
	}
	feats := &[]int{fi}
	gp.svcs[svc.ID] = &geoSeen{index: len(x.Services), feature: fi, props: props, feats: feats}
	x.Services = append(x.Services, svc)
	x.svcAt = append(x.svcAt, geoLocator(at, feats))
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
	pt, ok := f.Geometry.(orb.Point)
	if !ok {
		is.add(at.issue("geometry", "must be a Point"))
		return content.Service{}, nil, false
	}
	g := &geoReader{at: at, is: is}
	g.l.Point = pt
	for k, raw := range f.Properties {
		g.property(k, raw)
	}
	g.s.Status = content.Status(g.status)
	g.s.Locations = []content.Location{g.l}
	org := g.organization()
	return g.s, org, len(is.list) == n
}

// geoReader reads the properties of one feature, reporting a bad one at
// the feature.
type geoReader struct {
	at           where
	is           *issues
	s            content.Service
	status       string
	l            content.Location
	org          content.Organization
	describedOrg bool // a property describes the organization
}

func (g *geoReader) bad(k, reason string) { g.is.add(g.at.issue("properties."+k, reason)) }

func (g *geoReader) str(k string, raw json.RawMessage, dst *string) {
	if err := json.Unmarshal(raw, dst); err != nil {
		g.bad(k, "must be a string")
	}
}

func (g *geoReader) boolean(k string, raw json.RawMessage, dst *bool) {
	if err := json.Unmarshal(raw, dst); err != nil {
		g.bad(k, "must be true or false")
	}
}

// gdalList matches a string list as GDAL writes it to a format without
// lists (GeoPackage) and back to GeoJSON: "(2:info,legal)".
var gdalList = regexp.MustCompile(`^\((\d+):(.*)\)$`)

// fromGDAL undoes what GDAL does to a list or an object property that
// passes through a format without them: a string holding JSON, or a
// string list "(N:a,b)". Anything else is returned as it is.
func fromGDAL(raw json.RawMessage) json.RawMessage {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return raw
	}
	t := strings.TrimSpace(s)
	if (strings.HasPrefix(t, "[") || strings.HasPrefix(t, "{")) && json.Valid([]byte(t)) {
		return json.RawMessage(t)
	}
	if m := gdalList.FindStringSubmatch(t); m != nil {
		items := strings.Split(m[2], ",")
		if n, _ := strconv.Atoi(m[1]); n == len(items) || (n == 0 && m[2] == "") {
			if n == 0 {
				items = []string{}
			}
			out, _ := json.Marshal(items)
			return out
		}
	}
	return raw
}

// strict reads a property in Punto's own JSON shape, refusing members it
// does not know; a list or object GDAL wrote as a string is read too.
func (g *geoReader) strict(k string, raw json.RawMessage, dst any) {
	raw = fromGDAL(raw)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		g.bad(k, err.Error())
	}
}

func (g *geoReader) setText(t *content.Text, lang, k string, raw json.RawMessage) {
	if !content.ValidLanguageTag(lang) {
		g.bad(k, fmt.Sprintf("%q is not a language tag", lang))
		return
	}
	var v string
	g.str(k, raw, &v)
	if *t == nil {
		*t = content.Text{}
	}
	(*t)[lang] = v
}

// property reads one property.
func (g *geoReader) property(k string, raw json.RawMessage) {
	if !g.serviceProperty(k, raw) && !g.listProperty(k, raw) && !g.locationProperty(k, raw) && !g.text(k, raw) {
		g.bad(k, "is not a property Punto reads")
	}
}

// serviceProperty reads a property of the service or its organization
// that is not a text or a list; false when k is none.
func (g *geoReader) serviceProperty(k string, raw json.RawMessage) bool {
	switch k {
	case "id":
		// The feature's id ("service@location") as GDAL moves it into
		// the properties: Punto derives it, so it only has to be a string.
		var id string
		g.str(k, raw, &id)
	case "service_id":
		g.str(k, raw, &g.s.ID)
	case "status":
		g.str(k, raw, &g.status)
	case "url":
		g.str(k, raw, &g.s.URL)
	case "email":
		g.str(k, raw, &g.s.Email)
	case "by_appointment":
		g.boolean(k, raw, &g.s.ByAppointment)
	case "open_on_holidays":
		g.boolean(k, raw, &g.s.OpenOnHolidays)
	case "organization_id":
		g.str(k, raw, &g.s.OrganizationID)
	case "organization_url":
		g.str(k, raw, &g.org.URL)
		g.describedOrg = true
	case "organization_email":
		g.str(k, raw, &g.org.Email)
		g.describedOrg = true
	default:
		return false
	}
	return true
}

// listProperty reads a list of the service; false when k is none.
func (g *geoReader) listProperty(k string, raw json.RawMessage) bool {
	switch k {
	case "categories":
		g.strict(k, raw, &g.s.Categories)
	case "languages":
		g.strict(k, raw, &g.s.Languages)
	case "documents":
		g.strict(k, raw, &g.s.Documents)
	case "phones":
		g.strict(k, raw, &g.s.Phones)
	case "contacts":
		g.strict(k, raw, &g.s.Contacts)
	case "hours":
		g.strict(k, raw, &g.s.Hours)
	default:
		return false
	}
	return true
}

// locationProperty reads a property of the location that is not a
// text; false when k is none.
func (g *geoReader) locationProperty(k string, raw json.RawMessage) bool {
	switch k {
	case "location_id":
		g.str(k, raw, &g.l.ID)
	case "address":
		g.str(k, raw, &g.l.Address)
	case "postal_code":
		g.str(k, raw, &g.l.PostalCode)
	case "comune":
		g.str(k, raw, &g.l.Comune)
	case "province":
		g.str(k, raw, &g.l.Province)
	case "region":
		g.str(k, raw, &g.l.Region)
	case "wheelchair":
		g.boolean(k, raw, &g.l.Wheelchair)
	default:
		return false
	}
	return true
}

// text reads a translated property ("<text>_<lang>") of the organization,
// the location or the service; false when k is none.
func (g *geoReader) text(k string, raw json.RawMessage) bool {
	for _, t := range geoOrgTexts {
		if lang, ok := strings.CutPrefix(k, t.prefix+"_"); ok {
			g.setText(t.get(&g.org), lang, k, raw)
			g.describedOrg = true
			return true
		}
	}
	for _, t := range geoLocTexts {
		if lang, ok := strings.CutPrefix(k, t.prefix+"_"); ok {
			g.setText(t.get(&g.l), lang, k, raw)
			return true
		}
	}
	for _, t := range geoServiceTexts {
		if lang, ok := strings.CutPrefix(k, t.prefix+"_"); ok {
			g.setText(t.get(&g.s), lang, k, raw)
			return true
		}
	}
	return false
}

// organization is the organization the feature describes, or nil.
func (g *geoReader) organization() *content.Organization {
	if !g.describedOrg {
		return nil
	}
	if g.s.OrganizationID == "" {
		g.bad("organization_id", "is needed when the organization is described")
	}
	g.org.ID = g.s.OrganizationID
	return &g.org
}

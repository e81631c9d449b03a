package exchange

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// The HSDS 3 tabular data package: datapackage.json (a Frictionless
// tabular data package) and one CSV per table, as a zip or a folder. Each
// translated field has one column per language other than Italian,
// "name@en", "name@fr", … beside the field itself (Italian).

// hsdsTable is one table of the package: its columns and the columns it
// translates.
type hsdsTable struct {
	name       string
	columns    []string
	translated []string
}

var hsdsTables = []hsdsTable{
	{"organizations", []string{"id", "punto_id", "name", "description", "email", "website"}, []string{"name", "description"}},
	{"services", []string{"id", "punto_id", "organization_id", "name", "description", "url", "email", "status", "fees_description", "eligibility_description"},
		[]string{"name", "description", "fees_description", "eligibility_description"}},
	{"locations", []string{"id", "punto_id", "location_type", "name", "latitude", "longitude"}, []string{"name"}},
	{"service_at_locations", []string{"id", "service_id", "location_id"}, nil},
	{"addresses", []string{"id", "location_id", "address_1", "city", "region", "state_province", "postal_code", "country", "address_type"}, nil},
	{"accessibility", []string{"id", "location_id", "description"}, []string{"description"}},
	{"phones", []string{"id", "service_id", "contact_id", "number", "type", "description"}, []string{"description"}},
	{"contacts", []string{"id", "service_id", "name", "title", "email"}, []string{"title"}},
	{"schedules", []string{"id", "service_id", "valid_from", "valid_to", "freq", "wkst", "byday", "opens_at", "closes_at", "description"}, []string{"description"}},
	{"languages", []string{"id", "service_id", "code"}, nil},
	{"required_documents", []string{"id", "service_id", "document"}, []string{"document"}},
	{"attributes", []string{"id", "link_id", "link_entity", "link_type", "taxonomy_term_id", "value"}, nil},
	{"taxonomy_terms", []string{"id", "code", "name", "description", "taxonomy"}, nil},
}

// tableRows collects the rows of one table as it is written.
type tableRows struct {
	table *hsdsTable
	rows  []map[string]string
	langs map[string]map[string]bool // field → languages with a text
}

func (t *tableRows) add(row map[string]string, tr hsdsTr) {
	for lang, m := range tr {
		for f, v := range m {
			if t.langs == nil {
				t.langs = map[string]map[string]bool{}
			}
			if t.langs[f] == nil {
				t.langs[f] = map[string]bool{}
			}
			t.langs[f][lang] = true
			row[f+"@"+lang] = v
		}
	}
	t.rows = append(t.rows, row)
}

func (t *tableRows) header() []string {
	h := append([]string(nil), t.table.columns...)
	for _, f := range t.table.translated {
		for _, l := range orderLangs(t.langs[f]) {
			h = append(h, f+"@"+l)
		}
	}
	return h
}

func (t *tableRows) csv() ([]byte, []string, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	h := t.header()
	if err := w.Write(h); err != nil {
		return nil, nil, err
	}
	rec := make([]string, len(h))
	for _, r := range t.rows {
		for i, c := range h {
			rec[i] = r[c]
		}
		if err := w.Write(rec); err != nil {
			return nil, nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), h, w.Error()
}

func ftoa(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

// hsdsPackage renders the package's files, in order: datapackage.json
// first, then the tables.
func hsdsPackage(x *Records, opt Options) ([]string, map[string][]byte, error) {
	out := opt.out()
	p := newPackageTables()
	orgs := orgMap(x)
	for i := range x.Organizations {
		o := out.org(&x.Organizations[i])
		p.add("organizations", map[string]string{"id": o.ID, "punto_id": o.PuntoID, "name": o.Name, "description": o.Description, "email": o.Email, "website": o.Website}, o.Translations)
	}
	for i := range x.Services {
		h := out.service(&x.Services[i], orgs)
		h.Organization = nil
		p.service(h)
	}
	p.taxonomyTerms()
	return p.files()
}

// packageTables collects the rows of every table as the records are
// written.
type packageTables struct {
	tabs      map[string]*tableRows
	locDone   map[string]bool // locations already written
	terms     map[string]*hsdsTaxonomyTerm
	termOrder []string // the terms, as the attributes first name them
}

func newPackageTables() *packageTables {
	p := &packageTables{tabs: map[string]*tableRows{}, locDone: map[string]bool{}, terms: map[string]*hsdsTaxonomyTerm{}}
	for i := range hsdsTables {
		p.tabs[hsdsTables[i].name] = &tableRows{table: &hsdsTables[i]}
	}
	return p
}

func (p *packageTables) add(table string, row map[string]string, tr hsdsTr) {
	p.tabs[table].add(row, tr)
}

// service writes a service and everything it owns, each location once.
func (p *packageTables) service(h *hsdsService) {
	p.add("services", map[string]string{"id": h.ID, "punto_id": h.PuntoID, "organization_id": h.OrganizationID, "name": h.Name, "description": h.Description,
		"url": h.URL, "email": h.Email, "status": h.Status, "fees_description": h.FeesDescription, "eligibility_description": h.EligibilityDescription}, h.Translations)
	for _, sal := range h.ServiceAtLocations {
		p.add("service_at_locations", map[string]string{"id": sal.ID, "service_id": sal.ServiceID, "location_id": sal.LocationID}, nil)
		if !p.locDone[sal.Location.ID] {
			p.locDone[sal.Location.ID] = true
			p.location(sal.Location)
		}
	}
	for _, ph := range h.Phones {
		p.add("phones", map[string]string{"id": ph.ID, "service_id": ph.ServiceID, "number": ph.Number, "type": ph.Type, "description": ph.Description}, ph.Translations)
	}
	for _, c := range h.Contacts {
		p.add("contacts", map[string]string{"id": c.ID, "service_id": c.ServiceID, "name": c.Name, "title": c.Title, "email": c.Email}, c.Translations)
		for _, ph := range c.Phones {
			p.add("phones", map[string]string{"id": ph.ID, "contact_id": ph.ContactID, "number": ph.Number}, nil)
		}
	}
	for _, sc := range h.Schedules {
		p.add("schedules", map[string]string{"id": sc.ID, "service_id": sc.ServiceID, "valid_from": sc.ValidFrom, "valid_to": sc.ValidTo,
			"freq": sc.Freq, "wkst": sc.Wkst, "byday": sc.Byday, "opens_at": sc.OpensAt, "closes_at": sc.ClosesAt, "description": sc.Description}, sc.Translations)
	}
	for _, l := range h.Languages {
		p.add("languages", map[string]string{"id": l.ID, "service_id": l.ServiceID, "code": l.Code}, nil)
	}
	for _, d := range h.RequiredDocuments {
		p.add("required_documents", map[string]string{"id": d.ID, "service_id": d.ServiceID, "document": d.Document}, d.Translations)
	}
	for _, a := range h.Attributes {
		p.attribute(a)
	}
}

// location writes a location with its addresses, accessibility and
// attributes.
func (p *packageTables) location(l *hsdsLocation) {
	p.add("locations", map[string]string{"id": l.ID, "punto_id": l.PuntoID, "location_type": l.LocationType, "name": l.Name,
		"latitude": ftoa(l.Latitude), "longitude": ftoa(l.Longitude)}, l.Translations)
	for _, a := range l.Addresses {
		p.add("addresses", map[string]string{"id": a.ID, "location_id": a.LocationID, "address_1": a.Address1, "city": a.City,
			"region": a.Region, "state_province": a.StateProvince, "postal_code": a.PostalCode, "country": a.Country, "address_type": a.AddressType}, nil)
	}
	for _, a := range l.Accessibility {
		p.add("accessibility", map[string]string{"id": a.ID, "location_id": a.LocationID, "description": a.Description}, a.Translations)
	}
	for _, a := range l.Attributes {
		p.attribute(a)
	}
}

// attribute writes an attribute, and notes its taxonomy term.
func (p *packageTables) attribute(a *hsdsAttribute) {
	p.add("attributes", map[string]string{"id": a.ID, "link_id": a.LinkID, "link_entity": a.LinkEntity, "link_type": a.LinkType,
		"taxonomy_term_id": a.TaxonomyTermID, "value": a.Value}, nil)
	if _, ok := p.terms[a.TaxonomyTermID]; !ok {
		p.terms[a.TaxonomyTermID] = a.TaxonomyTerm
		p.termOrder = append(p.termOrder, a.TaxonomyTermID)
	}
}

// taxonomyTerms writes the terms the attributes use.
func (p *packageTables) taxonomyTerms() {
	for _, id := range p.termOrder {
		t := p.terms[id]
		p.add("taxonomy_terms", map[string]string{"id": t.ID, "code": t.Code, "name": t.Name, "description": t.Description, "taxonomy": t.Taxonomy}, nil)
	}
}

// The package descriptor, datapackage.json: a Frictionless tabular data
// package.
type (
	packageDescriptor struct {
		Profile   string            `json:"profile"`
		Name      string            `json:"name"`
		Title     string            `json:"title"`
		Resources []packageResource `json:"resources"`
	}
	packageResource struct {
		Name    string `json:"name"`
		Path    string `json:"path"`
		Profile string `json:"profile"`
		Format  string `json:"format"`
		Schema  struct {
			Fields []packageField `json:"fields"`
		} `json:"schema"`
	}
	packageField struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
)

// files renders the tables as CSV files and describes them in
// datapackage.json.
func (p *packageTables) files() ([]string, map[string][]byte, error) {
	desc := packageDescriptor{Profile: "tabular-data-package", Name: "punto-hsds", Title: "Punto catalog, Open Referral HSDS 3"}
	files := map[string][]byte{}
	names := []string{"datapackage.json"}
	for _, t := range hsdsTables {
		data, header, err := p.tabs[t.name].csv()
		if err != nil {
			return nil, nil, fmt.Errorf("content: export hsds-csv: %w", err)
		}
		path := t.name + ".csv"
		files[path] = data
		names = append(names, path)
		desc.Resources = append(desc.Resources, tableResource(t.name, path, header))
	}
	raw, err := json.MarshalIndent(desc, "", "  ")
	if err != nil {
		return nil, nil, err
	}
	files["datapackage.json"] = append(raw, '\n')
	return names, files, nil
}

// tableResource describes one table: coordinates are numbers, every
// other column a string.
func tableResource(name, path string, header []string) packageResource {
	r := packageResource{Name: name, Path: path, Profile: "tabular-data-resource", Format: "csv"}
	for _, c := range header {
		typ := "string"
		if c == "latitude" || c == "longitude" {
			typ = "number"
		}
		r.Schema.Fields = append(r.Schema.Fields, packageField{c, typ})
	}
	return r
}

// writeHSDSZip writes the package as a zip. Entries carry no times, so
// the same catalog gives the same bytes.
func writeHSDSZip(x *Records, w io.Writer, opt Options) error {
	names, files, err := hsdsPackage(x, opt)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	for _, n := range names {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate})
		if err != nil {
			return fmt.Errorf("content: export hsds-csv: %w", err)
		}
		if _, err := f.Write(files[n]); err != nil {
			return fmt.Errorf("content: export hsds-csv: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("content: export hsds-csv: %w", err)
	}
	return nil
}

// WriteHSDSFolder writes the package as files in dir (created if needed).
func (x *Records) WriteHSDSFolder(dir string, opt Options) error {
	names, files, err := hsdsPackage(x, opt)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("content: export hsds-csv: %w", err)
	}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), files[n], 0o644); err != nil {
			return fmt.Errorf("content: export hsds-csv: %w", err)
		}
	}
	return nil
}

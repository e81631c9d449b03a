package content

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
	{"organizations", []string{"id", "name", "description", "email", "website"}, []string{"name", "description"}},
	{"services", []string{"id", "organization_id", "name", "description", "url", "email", "status", "fees_description", "eligibility_description"},
		[]string{"name", "description", "fees_description", "eligibility_description"}},
	{"locations", []string{"id", "location_type", "name", "latitude", "longitude"}, []string{"name"}},
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
func hsdsPackage(x *Exchange) ([]string, map[string][]byte, error) {
	tabs := map[string]*tableRows{}
	for i := range hsdsTables {
		tabs[hsdsTables[i].name] = &tableRows{table: &hsdsTables[i]}
	}
	for i := range x.Organizations {
		o := hsdsOrg(&x.Organizations[i])
		tabs["organizations"].add(map[string]string{"id": o.ID, "name": o.Name, "description": o.Description, "email": o.Email, "website": o.Website}, o.Translations)
	}
	locDone := map[string]bool{}
	terms := map[string]*hsdsTaxonomyTerm{}
	var termOrder []string
	attr := func(a *hsdsAttribute) {
		tabs["attributes"].add(map[string]string{"id": a.ID, "link_id": a.LinkID, "link_entity": a.LinkEntity, "link_type": a.LinkType,
			"taxonomy_term_id": a.TaxonomyTermID, "value": a.Value}, nil)
		if _, ok := terms[a.TaxonomyTermID]; !ok {
			terms[a.TaxonomyTermID] = a.TaxonomyTerm
			termOrder = append(termOrder, a.TaxonomyTermID)
		}
	}
	for i := range x.Services {
		h := toHSDS(&x.Services[i], nil)
		tabs["services"].add(map[string]string{"id": h.ID, "organization_id": h.OrganizationID, "name": h.Name, "description": h.Description,
			"url": h.URL, "email": h.Email, "status": h.Status, "fees_description": h.FeesDescription, "eligibility_description": h.EligibilityDescription}, h.Translations)
		for _, sal := range h.ServiceAtLocations {
			tabs["service_at_locations"].add(map[string]string{"id": sal.ID, "service_id": sal.ServiceID, "location_id": sal.LocationID}, nil)
			l := sal.Location
			if locDone[l.ID] {
				continue
			}
			locDone[l.ID] = true
			tabs["locations"].add(map[string]string{"id": l.ID, "location_type": l.LocationType, "name": l.Name,
				"latitude": ftoa(l.Latitude), "longitude": ftoa(l.Longitude)}, l.Translations)
			for _, a := range l.Addresses {
				tabs["addresses"].add(map[string]string{"id": a.ID, "location_id": a.LocationID, "address_1": a.Address1, "city": a.City,
					"region": a.Region, "state_province": a.StateProvince, "postal_code": a.PostalCode, "country": a.Country, "address_type": a.AddressType}, nil)
			}
			for _, a := range l.Accessibility {
				tabs["accessibility"].add(map[string]string{"id": a.ID, "location_id": a.LocationID, "description": a.Description}, a.Translations)
			}
			for _, a := range l.Attributes {
				attr(a)
			}
		}
		for _, p := range h.Phones {
			tabs["phones"].add(map[string]string{"id": p.ID, "service_id": p.ServiceID, "number": p.Number, "type": p.Type, "description": p.Description}, p.Translations)
		}
		for _, c := range h.Contacts {
			tabs["contacts"].add(map[string]string{"id": c.ID, "service_id": c.ServiceID, "name": c.Name, "title": c.Title, "email": c.Email}, c.Translations)
			for _, p := range c.Phones {
				tabs["phones"].add(map[string]string{"id": p.ID, "contact_id": p.ContactID, "number": p.Number}, nil)
			}
		}
		for _, sc := range h.Schedules {
			tabs["schedules"].add(map[string]string{"id": sc.ID, "service_id": sc.ServiceID, "valid_from": sc.ValidFrom, "valid_to": sc.ValidTo,
				"freq": sc.Freq, "wkst": sc.Wkst, "byday": sc.Byday, "opens_at": sc.OpensAt, "closes_at": sc.ClosesAt, "description": sc.Description}, sc.Translations)
		}
		for _, l := range h.Languages {
			tabs["languages"].add(map[string]string{"id": l.ID, "service_id": l.ServiceID, "code": l.Code}, nil)
		}
		for _, d := range h.RequiredDocuments {
			tabs["required_documents"].add(map[string]string{"id": d.ID, "service_id": d.ServiceID, "document": d.Document}, d.Translations)
		}
		for _, a := range h.Attributes {
			attr(a)
		}
	}
	for _, id := range termOrder {
		t := terms[id]
		tabs["taxonomy_terms"].add(map[string]string{"id": t.ID, "code": t.Code, "name": t.Name, "description": t.Description, "taxonomy": t.Taxonomy}, nil)
	}
	type field struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	type resource struct {
		Name    string `json:"name"`
		Path    string `json:"path"`
		Profile string `json:"profile"`
		Format  string `json:"format"`
		Schema  struct {
			Fields []field `json:"fields"`
		} `json:"schema"`
	}
	desc := struct {
		Profile   string     `json:"profile"`
		Name      string     `json:"name"`
		Title     string     `json:"title"`
		Resources []resource `json:"resources"`
	}{Profile: "tabular-data-package", Name: "punto-hsds", Title: "Punto catalog, Open Referral HSDS 3"}
	files := map[string][]byte{}
	names := []string{"datapackage.json"}
	for _, t := range hsdsTables {
		data, header, err := tabs[t.name].csv()
		if err != nil {
			return nil, nil, fmt.Errorf("content: export hsds-csv: %w", err)
		}
		path := t.name + ".csv"
		files[path] = data
		names = append(names, path)
		r := resource{Name: t.name, Path: path, Profile: "tabular-data-resource", Format: "csv"}
		for _, c := range header {
			typ := "string"
			if c == "latitude" || c == "longitude" {
				typ = "number"
			}
			r.Schema.Fields = append(r.Schema.Fields, field{c, typ})
		}
		desc.Resources = append(desc.Resources, r)
	}
	raw, err := json.MarshalIndent(desc, "", "  ")
	if err != nil {
		return nil, nil, err
	}
	files["datapackage.json"] = append(raw, '\n')
	return names, files, nil
}

// writeHSDSZip writes the package as a zip. Entries carry no times, so
// the same catalog gives the same bytes.
func writeHSDSZip(x *Exchange, w io.Writer) error {
	names, files, err := hsdsPackage(x)
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
func (x *Exchange) WriteHSDSFolder(dir string) error {
	names, files, err := hsdsPackage(x)
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

// maxTableSize bounds one CSV of a package once unzipped.
const maxTableSize = 512 << 20

func parseHSDSZip(data []byte, is *issues) *Exchange {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		is.add(ImportIssue{Reason: "not a zip file: " + err.Error()})
		return nil
	}
	return parseHSDSFS(zr, is)
}

// ParseHSDSFolder reads the package from a folder (see ParseExchange).
func ParseHSDSFolder(dir string) (*Exchange, error) {
	is := &issues{format: FormatHSDSCSV}
	return parseHSDSFS(os.DirFS(dir), is).checked(is)
}

// pkgRow is one row of a package table, by column.
type pkgRow struct {
	cols map[string]string
	at   where
}

func (r pkgRow) get(c string) string { return r.cols[c] }

// tr gathers the row's translation columns.
func (r pkgRow) tr() hsdsTr {
	var tr hsdsTr
	for c, v := range r.cols {
		f, lang, ok := strings.Cut(c, "@")
		if !ok || v == "" {
			continue
		}
		if tr == nil {
			tr = hsdsTr{}
		}
		if tr[lang] == nil {
			tr[lang] = map[string]string{}
		}
		tr[lang][f] = v
	}
	return tr
}

func parseHSDSFS(fsys fs.FS, is *issues) *Exchange {
	if _, err := fs.Stat(fsys, "datapackage.json"); err != nil {
		// A zip of the folder itself holds it one level down.
		if m, _ := fs.Glob(fsys, "*/datapackage.json"); len(m) == 1 {
			fsys, _ = fs.Sub(fsys, filepath.Dir(m[0]))
		}
	}
	raw, err := fs.ReadFile(fsys, "datapackage.json")
	if err != nil {
		is.add(ImportIssue{File: "datapackage.json", Reason: "is missing: an HSDS data package starts with it"})
		return nil
	}
	var desc struct {
		Resources []struct {
			Name string `json:"name"`
			Path any    `json:"path"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &desc); err != nil {
		i := jsonIssue(raw, err)
		i.File = "datapackage.json"
		is.add(i)
		return nil
	}
	paths := map[string]string{}
	for _, r := range desc.Resources {
		if p, ok := r.Path.(string); ok {
			paths[r.Name] = p
		}
	}
	tables := map[string][]pkgRow{}
	for _, t := range hsdsTables {
		p, ok := paths[t.name]
		if !ok {
			continue
		}
		rows, ok := readTable(fsys, p, &t, is)
		if !ok {
			return nil
		}
		tables[t.name] = rows
	}
	if _, ok := tables["services"]; !ok {
		is.add(ImportIssue{File: "datapackage.json", Field: "resources", Reason: "names no services table"})
		return nil
	}
	return assemblePackage(tables, is)
}

// readTable reads one CSV of the package by its header.
func readTable(fsys fs.FS, path string, t *hsdsTable, is *issues) ([]pkgRow, bool) {
	f, err := fsys.Open(path)
	if err != nil {
		is.add(ImportIssue{File: path, Reason: "cannot be read: " + errors.Unwrap(err).Error()})
		return nil, false
	}
	defer f.Close()
	r := csv.NewReader(io.LimitReader(f, maxTableSize))
	r.FieldsPerRecord = 0
	header, err := r.Read()
	if err == io.EOF {
		return nil, true
	}
	if err != nil {
		is.add(csvIssue(path, err))
		return nil, false
	}
	header[0] = strings.TrimPrefix(header[0], "\uFEFF")
	for i, c := range header {
		f, lang, ok := strings.Cut(c, "@")
		if !ok {
			continue
		}
		if !strings.Contains(" "+strings.Join(t.translated, " ")+" ", " "+f+" ") {
			line, _ := r.FieldPos(i)
			is.add(ImportIssue{File: path, Line: line, Field: c, Reason: fmt.Sprintf("%s has no translated field %q", t.name, f)})
		} else if !tagPattern.MatchString(lang) || lang == "it" {
			line, _ := r.FieldPos(i)
			is.add(ImportIssue{File: path, Line: line, Field: c, Reason: fmt.Sprintf("%q is not a language other than Italian (the Italian text is in %s)", lang, f)})
		}
	}
	var rows []pkgRow
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			is.add(csvIssue(path, err))
			return nil, false
		}
		line, _ := r.FieldPos(0)
		row := pkgRow{cols: make(map[string]string, len(header)), at: where{file: path, line: line}}
		for i, c := range header {
			row.cols[c] = rec[i]
		}
		rows = append(rows, row)
	}
	return rows, len(is.list) == 0
}

// csvIssue describes a CSV syntax error with its line.
func csvIssue(file string, err error) ImportIssue {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return ImportIssue{File: file, Line: pe.Line, Reason: fmt.Sprintf("column %d: %v", pe.Column, pe.Err)}
	}
	return ImportIssue{File: file, Reason: err.Error()}
}

// assemblePackage joins the tables into HSDS objects and converts them.
func assemblePackage(tables map[string][]pkgRow, is *issues) *Exchange {
	var orgs []*hsdsOrganization
	for _, r := range tables["organizations"] {
		orgs = append(orgs, &hsdsOrganization{ID: r.get("id"), Name: r.get("name"), Description: r.get("description"),
			Email: r.get("email"), Website: r.get("website"), Translations: r.tr(), at: r.at})
	}
	svcs := map[string]*hsdsService{}
	var order []*hsdsService
	for _, r := range tables["services"] {
		s := &hsdsService{ID: r.get("id"), OrganizationID: r.get("organization_id"), Name: r.get("name"), Description: r.get("description"),
			URL: r.get("url"), Email: r.get("email"), Status: r.get("status"), FeesDescription: r.get("fees_description"),
			EligibilityDescription: r.get("eligibility_description"), Translations: r.tr(), at: r.at}
		if _, dup := svcs[s.ID]; dup {
			is.add(r.at.issue("id", fmt.Sprintf("service %q is given twice", s.ID)))
			continue
		}
		svcs[s.ID] = s
		order = append(order, s)
	}
	service := func(r pkgRow) *hsdsService {
		s := svcs[r.get("service_id")]
		if s == nil {
			is.add(r.at.issue("service_id", fmt.Sprintf("no service %q in services", r.get("service_id"))))
		}
		return s
	}
	locs := map[string]*hsdsLocation{}
	for _, r := range tables["locations"] {
		l := &hsdsLocation{ID: r.get("id"), LocationType: r.get("location_type"), Name: r.get("name"), Translations: r.tr(), at: r.at}
		for _, c := range []struct {
			name string
			dst  **float64
		}{{"latitude", &l.Latitude}, {"longitude", &l.Longitude}} {
			v := strings.TrimSpace(r.get(c.name))
			if v == "" {
				continue
			}
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				is.add(r.at.issue(c.name, fmt.Sprintf("%q is not a number", v)))
				continue
			}
			*c.dst = &f
		}
		locs[l.ID] = l
	}
	location := func(r pkgRow) *hsdsLocation {
		l := locs[r.get("location_id")]
		if l == nil {
			is.add(r.at.issue("location_id", fmt.Sprintf("no location %q in locations", r.get("location_id"))))
		}
		return l
	}
	for _, r := range tables["addresses"] {
		if l := location(r); l != nil {
			l.Addresses = append(l.Addresses, &hsdsAddress{ID: r.get("id"), LocationID: r.get("location_id"), Address1: r.get("address_1"),
				City: r.get("city"), Region: r.get("region"), StateProvince: r.get("state_province"), PostalCode: r.get("postal_code"),
				Country: r.get("country"), AddressType: r.get("address_type"), at: r.at})
		}
	}
	for _, r := range tables["accessibility"] {
		if l := location(r); l != nil {
			l.Accessibility = append(l.Accessibility, &hsdsAccessibility{ID: r.get("id"), LocationID: r.get("location_id"),
				Description: r.get("description"), Translations: r.tr(), at: r.at})
		}
	}
	for _, r := range tables["service_at_locations"] {
		s, l := service(r), location(r)
		if s != nil && l != nil {
			s.ServiceAtLocations = append(s.ServiceAtLocations, &hsdsServiceAtLocation{ID: r.get("id"), ServiceID: s.ID, LocationID: l.ID, Location: l, at: r.at})
		}
	}
	contacts := map[string]*hsdsContact{}
	for _, r := range tables["contacts"] {
		if s := service(r); s != nil {
			c := &hsdsContact{ID: r.get("id"), ServiceID: s.ID, Name: r.get("name"), Title: r.get("title"), Email: r.get("email"), Translations: r.tr(), at: r.at}
			s.Contacts = append(s.Contacts, c)
			contacts[c.ID] = c
		}
	}
	for _, r := range tables["phones"] {
		p := &hsdsPhone{ID: r.get("id"), ServiceID: r.get("service_id"), ContactID: r.get("contact_id"), Number: r.get("number"),
			Type: r.get("type"), Description: r.get("description"), Translations: r.tr(), at: r.at}
		switch {
		case p.ContactID != "":
			if c := contacts[p.ContactID]; c != nil {
				c.Phones = append(c.Phones, p)
			} else {
				is.add(r.at.issue("contact_id", fmt.Sprintf("no contact %q in contacts", p.ContactID)))
			}
		case p.ServiceID != "":
			if s := service(r); s != nil {
				s.Phones = append(s.Phones, p)
			}
		}
	}
	for _, r := range tables["schedules"] {
		if s := service(r); s != nil {
			s.Schedules = append(s.Schedules, &hsdsSchedule{ID: r.get("id"), ServiceID: s.ID, ValidFrom: r.get("valid_from"), ValidTo: r.get("valid_to"),
				Freq: r.get("freq"), Wkst: r.get("wkst"), Byday: r.get("byday"), OpensAt: r.get("opens_at"), ClosesAt: r.get("closes_at"),
				Description: r.get("description"), Translations: r.tr(), at: r.at})
		}
	}
	for _, r := range tables["languages"] {
		if s := service(r); s != nil {
			s.Languages = append(s.Languages, &hsdsLanguage{ID: r.get("id"), ServiceID: s.ID, Code: r.get("code"), at: r.at})
		}
	}
	for _, r := range tables["required_documents"] {
		if s := service(r); s != nil {
			s.RequiredDocuments = append(s.RequiredDocuments, &hsdsDocument{ID: r.get("id"), ServiceID: s.ID, Document: r.get("document"), Translations: r.tr(), at: r.at})
		}
	}
	terms := map[string]*hsdsTaxonomyTerm{}
	for _, r := range tables["taxonomy_terms"] {
		terms[r.get("id")] = &hsdsTaxonomyTerm{ID: r.get("id"), Code: r.get("code"), Name: r.get("name"), Description: r.get("description"), Taxonomy: r.get("taxonomy"), at: r.at}
	}
	for _, r := range tables["attributes"] {
		a := &hsdsAttribute{ID: r.get("id"), LinkID: r.get("link_id"), LinkEntity: r.get("link_entity"), LinkType: r.get("link_type"),
			TaxonomyTermID: r.get("taxonomy_term_id"), Value: r.get("value"), TaxonomyTerm: terms[r.get("taxonomy_term_id")], at: r.at}
		switch a.LinkEntity {
		case "service":
			if s := svcs[a.LinkID]; s != nil {
				s.Attributes = append(s.Attributes, a)
			} else {
				is.add(r.at.issue("link_id", fmt.Sprintf("no service %q in services", a.LinkID)))
			}
		case "location":
			if l := locs[a.LinkID]; l != nil {
				l.Attributes = append(l.Attributes, a)
			} else {
				is.add(r.at.issue("link_id", fmt.Sprintf("no location %q in locations", a.LinkID)))
			}
		}
	}
	if len(is.list) > 0 {
		return nil
	}
	return fromHSDS(orgs, order, false, is)
}

package exchange

import (
	"archive/zip"
	"bytes"
	_ "embed" // the official package descriptor
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"

	"github.com/punto-totem/punto/content"
)

// The HSDS 3 tabular data package: datapackage.json (a Frictionless
// tabular data package) and one CSV per table, as a zip or a folder. The
// tables, their files and columns are the official descriptor's
// (hsds/datapackage.json, embedded, written out as the package's own);
// every table is written, empty ones as a header. Under the Punto profile
// two more tables carry what HSDS lacks: translation.csv (the texts in
// languages other than Italian: link_entity, link_id, field, language,
// value), punto_id.csv (Punto's slug of each organization, service and
// location) and punto_channel.csv (the channel of the service each phone
// and schedule of a channel belongs to: its punto_channel member in HSDS
// JSON).

//go:embed hsds/datapackage.json
var officialDescriptor []byte

// hsdsTable is one table Punto reads and writes: its name in Punto's
// older packages (the key used while reading), its official resource name,
// and the fields it translates.
type hsdsTable struct {
	name       string
	resource   string
	translated []string
}

var hsdsTables = []hsdsTable{
	{"organizations", "organization", []string{"name", "description"}},
	{"services", "service", []string{"name", "description", "fees_description", "eligibility_description"}},
	{"locations", "location", []string{"name"}},
	{"service_at_locations", "service_at_location", nil},
	{"addresses", "address", nil},
	{"accessibility", "accessibility", []string{"description"}},
	{"phones", "phone", []string{"description"}},
	{"contacts", "contact", []string{"title"}},
	{"schedules", "schedule", []string{"description"}},
	{"languages", "language", nil},
	{"required_documents", "required_document", []string{"document"}},
	{"attributes", "attribute", nil},
	{"taxonomy_terms", "taxonomy_term", []string{"name", "description"}},
	{"taxonomies", "taxonomy", nil},
	// Read into the kept members of the records they link to
	// (hsds_csv_nested.go).
	{"programs", "program", nil},
	{"funding", "funding", nil},
	{"service_areas", "service_area", nil},
	{"cost_options", "cost_option", nil},
	{"metadata", "metadata", nil},
	{"organization_identifiers", "organization_identifier", nil},
}

// The Punto profile's tables.
const (
	trResource      = "translation"
	slugResource    = "punto_id"
	channelResource = "punto_channel"
)

// officialResource is one resource of the descriptor: kept whole to be
// written out, with its field names.
type officialResource struct {
	raw    json.RawMessage
	name   string
	path   string
	fields []string
}

// descriptorResource is what Punto reads of a resource of the official
// descriptor, and the resource as written there (raw).
type descriptorResource struct {
	raw    json.RawMessage
	Name   string `json:"name"`
	Path   string `json:"path"`
	Schema struct {
		Fields []struct {
			Name        string `json:"name"`
			Type        string `json:"type"`
			Constraints struct {
				Required bool `json:"required"`
			} `json:"constraints"`
		} `json:"fields"`
		ForeignKeys []struct {
			Fields    any `json:"fields"`
			Reference struct {
				Resource string `json:"resource"`
			} `json:"reference"`
		} `json:"foreignKeys"`
	} `json:"schema"`
}

// descriptor is the official descriptor's resources, read once.
var descriptor = sync.OnceValue(func() []descriptorResource {
	var d struct {
		Resources []json.RawMessage `json:"resources"`
	}
	if err := json.Unmarshal(officialDescriptor, &d); err != nil {
		panic("exchange: hsds/datapackage.json: " + err.Error())
	}
	out := make([]descriptorResource, len(d.Resources))
	for i, raw := range d.Resources {
		if err := json.Unmarshal(raw, &out[i]); err != nil {
			panic("exchange: hsds/datapackage.json: " + err.Error())
		}
		out[i].raw = raw
	}
	return out
})

var officialResources = sync.OnceValue(func() []officialResource {
	var out []officialResource
	for _, r := range descriptor() {
		o := officialResource{raw: r.raw, name: r.Name, path: r.Path}
		for _, f := range r.Schema.Fields {
			o.fields = append(o.fields, f.Name)
		}
		out = append(out, o)
	}
	return out
})

// puntoResources are the Punto profile's tables, described like the
// official ones.
var puntoResources = []struct {
	name, path, description string
	fields                  []packageField
}{
	{trResource, "translation.csv", "Punto profile: the texts of the other tables in languages other than Italian (the tables hold the Italian text).",
		requiredFields("link_entity", "the table (organization, service, …)", "link_id", "the id of the row",
			"field", "the translated column", "language", "the language (BCP 47)", "value", "the text")},
	{slugResource, "punto_id.csv", "Punto profile: Punto's public identifier of each organization, service and location.",
		requiredFields("link_entity", "organization, service or location", "link_id", "the id of the row", "punto_id", "Punto's identifier")},
	{channelResource, "punto_channel.csv", "Punto profile: the channel of its service (a desk, a phone desk, a video call) each phone and schedule belongs to, so that a round trip keeps the channels apart.",
		requiredFields("link_entity", "phone or schedule", "link_id", "the id of the row", "punto_channel", "the id of the channel within its service")},
}

// requiredFields describes required string fields: name, description, …
func requiredFields(nameDesc ...string) []packageField {
	var out []packageField
	for i := 0; i+1 < len(nameDesc); i += 2 {
		f := packageField{Name: nameDesc[i], Type: "string", Description: nameDesc[i+1]}
		f.Constraints.Required = true
		out = append(out, f)
	}
	return out
}

// tableRows collects the rows of one table as it is written.
type tableRows struct {
	rows []map[string]string
}

// csv writes the rows under the header of fields, escaping cells a
// spreadsheet would take for a formula.
func (t *tableRows) csv(fields []string) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(fields); err != nil {
		return nil, err
	}
	rec := make([]string, len(fields))
	for _, r := range t.rows {
		for i, c := range fields {
			rec[i] = escapeCell(r[c])
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
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
	p := newPackageTables(out)
	orgs := orgMap(x)
	for i := range x.Organizations {
		o := out.org(&x.Organizations[i])
		desc := o.Description
		if desc == "" {
			desc = o.Name // the package requires one; read back as none
		}
		p.add("organization", keptCells(map[string]string{"id": o.ID, "name": o.Name, "description": desc, "email": o.Email, "website": o.Website}, o.extra), o.Translations)
		p.slug("organization", o.ID, o.PuntoID)
		p.nested("organization", o.ID, o.extra, o.ID)
	}
	for i := range x.Services {
		h := out.service(&x.Services[i], orgs)
		h.Organization = nil
		p.service(h)
	}
	p.taxonomyTerms(out)
	return p.files(out)
}

// packageTables collects the rows of every table as the records are
// written.
type packageTables struct {
	tabs      map[string]*tableRows // by resource name
	locDone   map[string]bool       // locations already written
	terms     map[string]*hsdsTaxonomyTerm
	termOrder []string                  // the terms, as the attributes first name them
	rowAt     map[string]map[string]int // table → id → row, to write a record given in several places once
}

func newPackageTables(out hsdsOut) *packageTables {
	p := &packageTables{tabs: map[string]*tableRows{}, locDone: map[string]bool{}, terms: map[string]*hsdsTaxonomyTerm{}, rowAt: map[string]map[string]int{}}
	for _, r := range officialResources() {
		p.tabs[r.name] = &tableRows{}
	}
	if !out.plain {
		for _, r := range puntoResources {
			p.tabs[r.name] = &tableRows{}
		}
	}
	return p
}

// add writes a row of table, and its translations (Punto profile). A
// row whose id the table has already is the same record given in another
// place (HSDS JSON nests the same phone under its service, its contact and
// its location; the package holds it once, linked to each): its cells
// fill the empty cells of the row written first, which wins otherwise.
func (p *packageTables) add(table string, row map[string]string, tr hsdsTr) {
	id := row["id"]
	if at, ok := p.rowAt[table][id]; ok && id != "" {
		first := p.tabs[table].rows[at]
		for k, v := range row {
			if first[k] == "" {
				first[k] = v
			}
		}
		return
	}
	if id != "" {
		if p.rowAt[table] == nil {
			p.rowAt[table] = map[string]int{}
		}
		p.rowAt[table][id] = len(p.tabs[table].rows)
	}
	p.tabs[table].rows = append(p.tabs[table].rows, row)
	if len(tr) == 0 {
		return
	}
	langs := map[string]bool{}
	for l := range tr {
		langs[l] = true
	}
	for _, l := range orderLangs(langs) {
		fields := make([]string, 0, len(tr[l]))
		for f := range tr[l] {
			fields = append(fields, f)
		}
		slices.Sort(fields)
		for _, f := range fields {
			p.tabs[trResource].rows = append(p.tabs[trResource].rows, map[string]string{
				"link_entity": table, "link_id": row["id"], "field": f, "language": l, "value": tr[l][f]})
		}
	}
}

// slug writes a record's Punto ID (Punto profile).
func (p *packageTables) slug(table, id, slug string) {
	if slug != "" {
		p.tabs[slugResource].rows = append(p.tabs[slugResource].rows, map[string]string{"link_entity": table, "link_id": id, "punto_id": slug})
	}
}

// service writes a service and everything it owns, each location once.
func (p *packageTables) service(h *hsdsService) {
	p.add("service", keptCells(map[string]string{"id": h.ID, "organization_id": h.OrganizationID, "name": h.Name, "description": h.Description,
		"url": h.URL, "email": h.Email, "status": h.Status, "fees_description": h.FeesDescription, "eligibility_description": h.EligibilityDescription}, h.extra), h.Translations)
	p.slug("service", h.ID, h.PuntoID)
	p.nested("service", h.ID, h.extra, h.OrganizationID)
	for _, sal := range h.ServiceAtLocations {
		p.add("service_at_location", keptCells(map[string]string{"id": sal.ID, "service_id": sal.ServiceID, "location_id": sal.LocationID}, sal.extra), nil)
		p.nested("service_at_location", sal.ID, sal.extra, h.OrganizationID)
		if !p.locDone[sal.Location.ID] {
			p.locDone[sal.Location.ID] = true
			p.location(sal.Location)
		}
		for _, ph := range sal.Phones {
			p.phone(ph)
		}
		for _, sc := range sal.Schedules {
			p.schedule(sc)
		}
	}
	for _, ph := range h.Phones {
		p.phone(ph)
	}
	for _, c := range h.Contacts {
		p.add("contact", keptCells(map[string]string{"id": c.ID, "service_id": c.ServiceID, "name": c.Name, "title": c.Title, "email": c.Email}, c.extra), c.Translations)
		for _, ph := range c.Phones {
			p.add("phone", keptCells(map[string]string{"id": ph.ID, "contact_id": ph.ContactID, "number": ph.Number}, ph.extra), nil)
			p.nested("phone", ph.ID, ph.extra, h.OrganizationID)
		}
	}
	for _, sc := range h.Schedules {
		p.schedule(sc)
	}
	for _, l := range h.Languages {
		p.add("language", keptCells(map[string]string{"id": l.ID, "service_id": l.ServiceID, "name": l.Name, "code": l.Code}, l.extra), nil)
	}
	for _, d := range h.RequiredDocuments {
		p.add("required_document", keptCells(map[string]string{"id": d.ID, "service_id": d.ServiceID, "document": d.Document}, d.extra), d.Translations)
	}
	for _, a := range h.Attributes {
		if a.raw != nil {
			p.foreignAttribute(a.raw, h.ID)
		} else {
			p.attribute(a)
		}
	}
}

// phone writes a phone of a service or of a service at a location (a
// desk's), with the languages spoken there and its channel (Punto
// profile).
func (p *packageTables) phone(ph *hsdsPhone) {
	p.add("phone", keptCells(map[string]string{"id": ph.ID, "service_id": ph.ServiceID, "service_at_location_id": ph.ServiceAtLocationID,
		"number": ph.Number, "type": ph.Type, "description": ph.Description}, ph.extra), ph.Translations)
	// The languages kept with it, as its JSON has them (withKept), or
	// Punto's.
	modeled, _ := json.Marshal(ph.Languages)
	if kept := ph.extra["languages"]; kept != nil && (len(ph.Languages) == 0 || sameCodes(modeled, kept)) {
		p.nested("phone", ph.ID, ph.extra, "")
	} else {
		for _, l := range ph.Languages {
			p.add("language", keptCells(map[string]string{"id": l.ID, "service_id": l.ServiceID, "phone_id": ph.ID, "name": l.Name, "code": l.Code}, l.extra), nil)
		}
	}
	p.channel("phone", ph.ID, ph.PuntoChannel)
}

// schedule writes a schedule of a service or of a service at a location,
// with how it is attended and its channel (Punto profile).
func (p *packageTables) schedule(sc *hsdsSchedule) {
	p.add("schedule", keptCells(map[string]string{"id": sc.ID, "service_id": sc.ServiceID, "location_id": sc.LocationID, "service_at_location_id": sc.ServiceAtLocationID,
		"valid_from": sc.ValidFrom, "valid_to": sc.ValidTo, "freq": sc.Freq, "wkst": sc.Wkst, "byday": sc.Byday, "opens_at": sc.OpensAt, "closes_at": sc.ClosesAt,
		"description": sc.Description, "attending_type": sc.AttendingType, "schedule_link": sc.ScheduleLink}, sc.extra), sc.Translations)
	p.channel("schedule", sc.ID, sc.PuntoChannel)
}

// channel writes the channel a phone or schedule belongs to (Punto
// profile; plain HSDS writes none).
func (p *packageTables) channel(table, id, channel string) {
	if channel != "" {
		p.tabs[channelResource].rows = append(p.tabs[channelResource].rows, map[string]string{"link_entity": table, "link_id": id, "punto_channel": channel})
	}
}

// location writes a location with its addresses, accessibility and
// attributes.
func (p *packageTables) location(l *hsdsLocation) {
	p.add("location", keptCells(map[string]string{"id": l.ID, "location_type": l.LocationType, "name": l.Name,
		"latitude": ftoa(l.Latitude), "longitude": ftoa(l.Longitude)}, l.extra), l.Translations)
	p.slug("location", l.ID, l.PuntoID)
	p.nested("location", l.ID, l.extra, "")
	for _, a := range l.Addresses {
		p.add("address", keptCells(map[string]string{"id": a.ID, "location_id": a.LocationID, "address_1": a.Address1, "city": a.City,
			"region": a.Region, "state_province": a.StateProvince, "postal_code": a.PostalCode, "country": a.Country, "address_type": a.AddressType}, a.extra), nil)
	}
	for _, a := range l.Accessibility {
		p.add("accessibility", keptCells(map[string]string{"id": a.ID, "location_id": a.LocationID, "description": a.Description}, a.extra), a.Translations)
	}
	for _, a := range l.Attributes {
		p.attribute(a)
	}
}

// attribute writes an attribute, and notes its taxonomy term.
func (p *packageTables) attribute(a *hsdsAttribute) {
	p.add("attribute", map[string]string{"id": a.ID, "link_id": a.LinkID, "link_entity": a.LinkEntity, "link_type": a.LinkType,
		"taxonomy_term_id": a.TaxonomyTermID, "value": a.Value}, nil)
	if _, ok := p.terms[a.TaxonomyTermID]; !ok {
		p.terms[a.TaxonomyTermID] = a.TaxonomyTerm
		p.termOrder = append(p.termOrder, a.TaxonomyTermID)
	}
}

// foreignAttribute writes an attribute of another taxonomy kept whole
// (hsds_parts.go), its term and the term's taxonomy, each in its table:
// linked to the service (owner) and to its term when it names neither.
func (p *packageTables) foreignAttribute(raw map[string]json.RawMessage, owner string) {
	row := keptCells(map[string]string{}, raw)
	if row["id"] == "" {
		row["id"] = content.PartUUID(owner, "attribute/"+row["link_type"]+"/"+row["value"])
	}
	if row["link_id"] == "" {
		row["link_id"] = owner
	}
	if row["link_entity"] == "" {
		row["link_entity"] = "service"
	}
	var term, detail map[string]json.RawMessage
	_ = json.Unmarshal(raw["taxonomy_term"], &term)
	_ = json.Unmarshal(term["taxonomy_detail"], &detail)
	if row["taxonomy_term_id"] == "" {
		row["taxonomy_term_id"] = str(term["id"])
	}
	p.add("attribute", row, nil)
	if term == nil || row["taxonomy_term_id"] == "" {
		return
	}
	trow := keptCells(map[string]string{}, term)
	trow["id"] = row["taxonomy_term_id"]
	if id := str(detail["id"]); id != "" {
		if trow["taxonomy_id"] == "" {
			trow["taxonomy_id"] = id
		}
		p.add("taxonomy", keptCells(map[string]string{}, detail), nil)
	}
	p.add("taxonomy_term", trow, nil)
}

// taxonomyTerms writes the terms the attributes use, and their taxonomy.
func (p *packageTables) taxonomyTerms(out hsdsOut) {
	for _, id := range p.termOrder {
		t := p.terms[id]
		p.add("taxonomy_term", map[string]string{"id": t.ID, "code": t.Code, "name": t.Name, "description": t.Description, "taxonomy": t.Taxonomy,
			"language": t.Language, "taxonomy_id": t.TaxonomyID, "term_uri": t.TermURI}, t.Translations)
	}
	if len(p.termOrder) > 0 {
		tx := out.taxonomy()
		p.add("taxonomy", map[string]string{"id": tx.ID, "name": tx.Name, "description": tx.Description, "uri": tx.URI, "version": tx.Version}, nil)
	}
}

// The package descriptor, datapackage.json: a Frictionless tabular data
// package whose resources are the official HSDS ones, then the Punto
// profile's.
type (
	packageDescriptor struct {
		Profile     string            `json:"profile"`
		Name        string            `json:"name"`
		Title       string            `json:"title"`
		HSDSVersion string            `json:"hsds_version"`
		HSDSProfile string            `json:"hsds_profile,omitempty"`
		Resources   []json.RawMessage `json:"resources"`
	}
	packageResource struct {
		Name        string `json:"name"`
		Path        string `json:"path"`
		Description string `json:"description"`
		Profile     string `json:"profile"`
		Format      string `json:"format"`
		Mediatype   string `json:"mediatype"`
		Schema      struct {
			Fields []packageField `json:"fields"`
		} `json:"schema"`
	}
	packageField struct {
		Name        string `json:"name"`
		Type        string `json:"type"`
		Description string `json:"description"`
		Constraints struct {
			Required bool `json:"required"`
		} `json:"constraints"`
	}
)

// files renders the tables as CSV files and describes them in
// datapackage.json.
func (p *packageTables) files(out hsdsOut) ([]string, map[string][]byte, error) {
	desc := packageDescriptor{Profile: "tabular-data-package", Name: "punto-hsds", Title: "Punto catalog, Open Referral HSDS 3.0", HSDSVersion: HSDSVersion}
	if !out.plain {
		desc.HSDSProfile = ProfileURI
	}
	p.dropDangling()
	files := map[string][]byte{}
	names := []string{"datapackage.json"}
	for _, r := range officialResources() {
		data, err := p.tabs[r.name].csv(r.fields)
		if err != nil {
			return nil, nil, fmt.Errorf("content: export hsds-csv: %w", err)
		}
		files[r.path] = data
		names = append(names, r.path)
		desc.Resources = append(desc.Resources, r.raw)
	}
	if !out.plain {
		for _, pr := range puntoResources {
			r := packageResource{Name: pr.name, Path: pr.path, Description: pr.description, Profile: "tabular-data-resource", Format: "csv", Mediatype: "text/csv"}
			var fields []string
			for _, f := range pr.fields {
				r.Schema.Fields = append(r.Schema.Fields, f)
				fields = append(fields, f.Name)
			}
			data, err := p.tabs[pr.name].csv(fields)
			if err != nil {
				return nil, nil, fmt.Errorf("content: export hsds-csv: %w", err)
			}
			raw, err := json.Marshal(r)
			if err != nil {
				return nil, nil, err
			}
			files[pr.path] = data
			names = append(names, pr.path)
			desc.Resources = append(desc.Resources, raw)
		}
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

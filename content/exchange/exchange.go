package exchange

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/punto-totem/punto/content"
)

// The open-data formats Punto imports and exports (see README, "Open data:
// import and export").
const (
	FormatHSDS    = "hsds"     // Open Referral HSDS 3 JSON: a list of service objects
	FormatHSDSCSV = "hsds-csv" // the HSDS 3 tabular data package: datapackage.json and one CSV per table, zipped or in a folder
	FormatGeoJSON = "geojson"  // a FeatureCollection, one Point feature per service at a location
	FormatCSV     = "csv"      // the flat template: one row per service at a location
)

// Formats lists the exchange formats, as the command line names them.
var Formats = []string{FormatHSDS, FormatHSDSCSV, FormatGeoJSON, FormatCSV}

// ValidFormat reports whether f is one of Formats.
func ValidFormat(f string) bool { return slices.Contains(Formats, f) }

// Records are what the open-data formats carry: organizations and
// services with their locations. Territories, alerts and pages stay in
// Punto.
type Records struct {
	Organizations []content.Organization
	Services      []content.Service

	// Refused lists the problems of the records a lenient import left
	// out (ImportOptions.Lenient).
	Refused []ImportIssue

	// where each record came from in the imported file, to report a
	// problem found after parsing (validation, writing) at its line.
	orgAt []locator
	svcAt []locator
	// the records check found wrong, by index
	badOrg, badSvc map[int]bool
}

// locator says where a record's field is in the imported file.
type locator func(field, reason string) ImportIssue

// indexed matches a validation field of an item of a list
// ("locations[2].name.fr"): the list, the index, the item's field.
var indexed = regexp.MustCompile(`^([a-z_.]+)\[(\d+)\]\.?(.*)$`)

// Read reads every organization and service of the catalog, in ID order:
// what an export writes.
func Read(ctx context.Context, s *content.Store) (*Records, error) {
	x := &Records{}
	orgs, err := s.IDs(ctx, content.KindOrganization)
	if err != nil {
		return nil, err
	}
	for _, id := range orgs {
		o, err := s.Organization(ctx, id)
		if err != nil {
			return nil, err
		}
		x.Organizations = append(x.Organizations, *o)
	}
	if x.Services, err = s.AllServices(ctx); err != nil {
		return nil, err
	}
	return x, nil
}

// Export writes the catalog's organizations and services to w in a
// single-file format (hsds, geojson, csv; hsds-csv as a zip).
func Export(ctx context.Context, s *content.Store, format string, w io.Writer) error {
	x, err := Read(ctx, s)
	if err != nil {
		return err
	}
	return x.Write(format, w)
}

// Write encodes the records in a single-file format (hsds-csv as a zip),
// HSDS under the Punto profile. The same records always give the same
// bytes.
func (x *Records) Write(format string, w io.Writer) error {
	return x.WriteOptions(format, Options{}, w)
}

// WriteOptions is Write with the HSDS profile and language of opt.
func (x *Records) WriteOptions(format string, opt Options, w io.Writer) error {
	if opt.Profile != "" && !slices.Contains(Profiles, opt.Profile) {
		return invalid("profile", "%q is not %s", opt.Profile, strings.Join(Profiles, ", "))
	}
	if opt.Lang != "" && !content.ValidLanguage(opt.Lang) {
		return invalid("lang", "%q is not an ISO 639 code", opt.Lang)
	}
	switch format {
	case FormatHSDS:
		return writeHSDS(x, w, opt)
	case FormatHSDSCSV:
		return writeHSDSZip(x, w, opt)
	case FormatGeoJSON:
		return writeGeoJSON(x, w)
	case FormatCSV:
		return writeFlatCSV(x, w)
	}
	return invalid("format", "%q is not %s", format, strings.Join(Formats, ", "))
}

// Parse reads an exchange file in a single-file format (hsds-csv
// as a zip) and checks every record. Problems come back as *ImportError.
func Parse(format string, data []byte) (*Records, error) {
	return ParseOptions(format, data, ImportOptions{})
}

// ImportOptions say how a file is read.
type ImportOptions struct {
	// Taxonomy maps the file's taxonomy terms onto Punto's categories
	// (HSDS JSON and the CSV package), with a default category.
	Taxonomy *TaxonomyMap
	// Lenient keeps the records that are right and leaves out the others,
	// listed in Records.Refused, instead of refusing the whole file. A
	// file that cannot be read at all is still an error.
	Lenient bool

	maxUnzipped int64       // tests: a smaller budget of unzipped bytes
	streamAbove int64       // tests: stream an HSDS CSV package above this size (-1: always)
	onRecord    func(i int) // tests: called after each record a streamed import writes
}

// ParseOptions is Parse with options.
func ParseOptions(format string, data []byte, opt ImportOptions) (*Records, error) {
	var x *Records
	is := &issues{format: format, opt: opt}
	if (format == FormatHSDS || format == FormatGeoJSON) && !checkDepth(data, is) {
		return nil, is.err()
	}
	switch format {
	case FormatHSDS:
		x = parseHSDS(data, is)
	case FormatHSDSCSV:
		x = parseHSDSZip(data, is)
	case FormatGeoJSON:
		x = parseGeoJSON(data, is)
	case FormatCSV:
		x = parseFlatCSV(data, is)
	default:
		return nil, invalid("format", "%q is not %s", format, strings.Join(Formats, ", "))
	}
	if opt.Lenient && x != nil {
		return x.lenient(is), nil
	}
	return x.checked(is)
}

// lenient checks the records and keeps the ones with no problem; the
// problems go to Refused.
func (x *Records) lenient(is *issues) *Records {
	x.check(is)
	keep := &Records{}
	for i := range x.Organizations {
		if !x.badOrg[i] {
			keep.Organizations = append(keep.Organizations, x.Organizations[i])
			keep.orgAt = append(keep.orgAt, at(x.orgAt, i))
		}
	}
	leftOut := map[string]bool{}
	for i := range x.Organizations {
		if x.badOrg[i] {
			leftOut[x.Organizations[i].ID] = true
		}
	}
	for i := range x.Services {
		if !x.badSvc[i] && leftOut[x.Services[i].OrganizationID] {
			is.add(x.svcIssue(i, invalid("organization_id", "its organization %q is left out", x.Services[i].OrganizationID)))
			x.badSvc[i] = true
		}
		if !x.badSvc[i] {
			keep.Services = append(keep.Services, x.Services[i])
			keep.svcAt = append(keep.svcAt, at(x.svcAt, i))
		}
	}
	_ = is.err() // sorts the problems in file order
	keep.Refused = is.list
	return keep
}

func at(l []locator, i int) locator {
	if i < len(l) {
		return l[i]
	}
	return nil
}

// checked validates what parsed (rows that did not parse are already
// reported) and returns every problem, in file order.
func (x *Records) checked(is *issues) (*Records, error) {
	if x != nil {
		x.check(is)
	}
	if err := is.err(); err != nil {
		return nil, err
	}
	return x, nil
}

// check validates every record, that IDs are unique and that a location
// or organization given twice is given the same way both times.
func (x *Records) check(is *issues) {
	x.badOrg, x.badSvc = map[int]bool{}, map[int]bool{}
	orgs := map[string]bool{}
	for i := range x.Organizations {
		o := &x.Organizations[i]
		if err := o.Validate(); err != nil {
			is.add(x.orgIssue(i, err))
			x.badOrg[i] = true
			continue
		}
		o.Name, o.Description = trimText(o.Name), trimText(o.Description)
		if orgs[o.ID] {
			is.add(x.orgIssue(i, invalid("id", "organization %q is given twice", o.ID)))
			x.badOrg[i] = true
		}
		orgs[o.ID] = true
	}
	svcs := map[string]bool{}
	locs := map[string][]byte{}
	for i := range x.Services {
		if is.full() {
			return
		}
		s := &x.Services[i]
		if err := s.Validate(); err != nil {
			is.add(x.svcIssue(i, err))
			x.badSvc[i] = true
			continue
		}
		// An HSDS file that carries organizations carries those its
		// services name: one missing is a dangling reference, left out
		// alone. (A flat CSV may name organizations the catalog has.)
		if s.OrganizationID != "" && len(orgs) > 0 && !orgs[s.OrganizationID] && (is.format == FormatHSDS || is.format == FormatHSDSCSV) {
			is.add(x.svcIssue(i, invalid("organization_id", "no organization %q in the file", s.OrganizationID)))
			x.badSvc[i] = true
			continue
		}
		if svcs[s.ID] {
			is.add(x.svcIssue(i, invalid("id", "service %q is given twice", s.ID)))
			x.badSvc[i] = true
			continue
		}
		svcs[s.ID] = true
		canonical(s)
		for j, l := range s.Locations {
			doc, _ := json.Marshal(l)
			if prev, ok := locs[l.ID]; ok && !bytes.Equal(prev, doc) {
				is.add(x.svcIssue(i, invalid(fmt.Sprintf("locations[%d]", j), "location %q is given differently by another service", l.ID)))
				x.badSvc[i] = true
				break
			}
			locs[l.ID] = doc
		}
	}
}

// canonical puts a valid service in the order and form the store keeps
// it in, so that it compares equal to the published record when nothing
// changed: weekly hours by day and time, languages sorted, categories in
// taxonomy order, locations by ID, texts trimmed, phones typed.
func canonical(s *content.Service) {
	slices.SortStableFunc(s.Hours.Weekly, func(a, b content.Slot) int {
		if a.Weekday != b.Weekday {
			return a.Weekday - b.Weekday
		}
		return strings.Compare(a.Opens, b.Opens)
	})
	s.Languages = dedupe(s.Languages)
	slices.Sort(s.Languages)
	s.Categories = dedupe(s.Categories)
	slices.SortStableFunc(s.Categories, func(a, b string) int { return categoryIndex(a) - categoryIndex(b) })
	slices.SortStableFunc(s.Locations, func(a, b content.Location) int { return strings.Compare(a.ID, b.ID) })
	s.Name, s.Description, s.Eligibility, s.Fees = trimText(s.Name), trimText(s.Description), trimText(s.Eligibility), trimText(s.Fees)
	for i := range s.Documents {
		s.Documents[i] = trimText(s.Documents[i])
	}
	for i := range s.Phones {
		if s.Phones[i].Type == "" {
			s.Phones[i].Type = "voice"
		}
		s.Phones[i].Description = trimText(s.Phones[i].Description)
	}
	for i := range s.Contacts {
		s.Contacts[i].Title = trimText(s.Contacts[i].Title)
	}
	for i := range s.Hours.Exceptions {
		s.Hours.Exceptions[i].Note = trimText(s.Hours.Exceptions[i].Note)
	}
	for i := range s.Locations {
		l := &s.Locations[i]
		l.Name, l.Accessibility = trimText(l.Name), trimText(l.Accessibility)
	}
}

// categoryIndex is the position of a category in content.Categories, or
// -1.
func categoryIndex(id string) int {
	return slices.IndexFunc(content.Categories, func(c content.Category) bool { return c.ID == id })
}

func dedupe(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := in[:0:0]
	for _, v := range in {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// trimText drops empty translations and the spaces around the others, as
// the store does.
func trimText(t content.Text) content.Text {
	if t == nil {
		return nil
	}
	out := content.Text{}
	for l, v := range t {
		if v = strings.TrimSpace(v); v != "" {
			out[l] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// orgIssue places a validation error of organization i.
func (x *Records) orgIssue(i int, err error) ImportIssue {
	return place(x.orgAt, i, err)
}

// svcIssue places a validation error of service i.
func (x *Records) svcIssue(i int, err error) ImportIssue {
	return place(x.svcAt, i, err)
}

func place(at []locator, i int, err error) ImportIssue {
	field, reason := "", err.Error()
	var ve *content.ValidationError
	if errors.As(err, &ve) {
		field, reason = ve.Field, ve.Reason
	}
	if i < len(at) && at[i] != nil {
		return at[i](field, reason)
	}
	return ImportIssue{Field: field, Reason: reason}
}

// Import writes the records into the catalog in one transaction:
// organizations, then services (each replacing the one with its ID).
// Records of the catalog that the file does not name stay as they are.
// If anything is wrong nothing is written.
func Import(ctx context.Context, s *content.Store, x *Records, format string) error {
	return s.Write(ctx, func(b *content.Batch) error {
		// A large import into a catalog that holds services rebuilds the
		// index once at the end; otherwise search rows are built from the
		// records.
		if len(x.Services) > 1000 {
			b.Bulk()
		}
		return x.put(b, format)
	})
}

// put writes the records in the batch; a record the catalog refuses (a
// service naming an organization it does not have) comes back as an
// *ImportError placed in the file.
func (x *Records) put(b *content.Batch, format string) error {
	is := &issues{format: format}
	for i := range x.Organizations {
		if err := b.PutOrganization(&x.Organizations[i]); err != nil {
			if !isValidation(err) {
				return err
			}
			is.add(x.orgIssue(i, err))
			return is.err()
		}
	}
	for i := range x.Services {
		if err := b.PutService(&x.Services[i]); err != nil {
			if !isValidation(err) {
				return err
			}
			is.add(x.svcIssue(i, err))
			return is.err()
		}
	}
	return nil
}

// invalid is a validation error of field, as package content reports
// them.
func invalid(field, format string, args ...any) error {
	return &content.ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

func isValidation(err error) bool {
	var ve *content.ValidationError
	return errors.As(err, &ve)
}

// Create writes a new catalog file at path holding the records (see
// content.Create).
func Create(ctx context.Context, path string, x *Records, format string) error {
	return content.Create(ctx, path, func(b *content.Batch) error {
		if err := x.put(b, format); err != nil {
			return err
		}
		return b.SetSource("import " + format)
	})
}

// Changes turns the records into change-feed entries (organizations
// first, then services), for a portal to publish like any edit.
func (x *Records) Changes() ([]content.Change, error) {
	out := make([]content.Change, 0, len(x.Organizations)+len(x.Services))
	for i := range x.Organizations {
		doc, err := json.Marshal(&x.Organizations[i])
		if err != nil {
			return nil, fmt.Errorf("content: encode organization: %w", err)
		}
		out = append(out, content.Change{Kind: content.KindOrganization, ID: x.Organizations[i].ID, Op: content.OpPut, Doc: doc})
	}
	for i := range x.Services {
		doc, err := json.Marshal(&x.Services[i])
		if err != nil {
			return nil, fmt.Errorf("content: encode service: %w", err)
		}
		out = append(out, content.Change{Kind: content.KindService, ID: x.Services[i].ID, Op: content.OpPut, Doc: doc})
	}
	return out, nil
}

// ChangeIssue places the problem of change i of x.Changes() (as
// Store.Publish reports it, field "changes[i].…") in the imported file.
func (x *Records) ChangeIssue(i int, err error) ImportIssue {
	if i < len(x.Organizations) {
		return x.orgIssue(i, err)
	}
	return x.svcIssue(i-len(x.Organizations), err)
}

// orderLangs lists a set of languages: Italian first, then English, then
// the others in alphabetical order.
func orderLangs(seen map[string]bool) []string {
	var out []string
	for l := range seen {
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b string) int {
		ra, rb := langRank(a), langRank(b)
		if ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	return out
}

func langRank(l string) int {
	switch l {
	case "it":
		return 0
	case "en":
		return 1
	}
	return 2
}

// parseBool reads a yes/no cell as a spreadsheet holds it.
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "sì", "si", "1", "vero":
		return true, true
	case "false", "no", "0", "", "falso":
		return false, true
	}
	return false, false
}

// splitList reads a comma-separated cell, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// KeepUUIDs gives every record of x that came without a UUID (formats
// without one, or HSDS without UUIDs) the one the catalog holds for its
// slug, else its derived one: an unchanged file then compares equal to
// what is published, and the change feed carries every record's UUID.
func (x *Records) KeepUUIDs(ctx context.Context, s *content.Store) error {
	have := map[string]map[string]string{}
	for _, kind := range []string{content.KindOrganization, content.KindService, "location"} {
		m, err := s.UUIDs(ctx, kind)
		if err != nil {
			return err
		}
		have[kind] = m
	}
	pick := func(kind, id, given string) string {
		switch {
		case given != "":
			return given
		case have[kind][id] != "":
			return have[kind][id]
		}
		return content.RecordUUID(kind, id)
	}
	for i := range x.Organizations {
		o := &x.Organizations[i]
		o.UUID = pick(content.KindOrganization, o.ID, o.UUID)
	}
	for i := range x.Services {
		sv := &x.Services[i]
		sv.UUID = pick(content.KindService, sv.ID, sv.UUID)
		for j := range sv.Locations {
			l := &sv.Locations[j]
			l.UUID = pick("location", l.ID, l.UUID)
		}
	}
	return nil
}

package exchange

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/punto-totem/punto/content"
)

// The flat CSV template: one row per service at a location, one column
// per field and language (README, "Open data: import and export").
// Repeated things (documents, phones, contacts, dated exceptions) are
// numbered columns: document_1@it, phone_2_type, … A service at several
// locations takes several rows that agree on every service column.

var weekdayColumns = []string{"hours_mon", "hours_tue", "hours_wed", "hours_thu", "hours_fri", "hours_sat", "hours_sun"}

// flatServiceTexts are the service's translated columns, in header order.
var flatServiceTexts = []string{"name", "description", "eligibility", "fees"}

const (
	partService  = iota // the service's own columns
	partOrg             // the organization's
	partLocation        // the location's
)

var flatNumbered = regexp.MustCompile(`^(document|phone|contact|exception)_([1-9][0-9]{0,3})(?:_(type|description|name|title|email|phone|date|hours|note))?$`)

// flatPart says which record a column belongs to (false when the template
// has no such column).
func flatPart(col string) (int, bool) {
	base, _, _ := strings.Cut(col, "@")
	switch base {
	case "service_id", "status", "categories", "languages", "url", "email", "by_appointment", "open_on_holidays",
		"name", "description", "eligibility", "fees",
		"hours_mon", "hours_tue", "hours_wed", "hours_thu", "hours_fri", "hours_sat", "hours_sun":
		return partService, true
	case "organization_id": // the service's link; the organization is described by the columns below
		return partService, true
	case "organization_name", "organization_description", "organization_url", "organization_email":
		return partOrg, true
	case "location_id", "location_name", "address", "postal_code", "comune", "province", "region", "lat", "lon", "wheelchair", "accessibility":
		return partLocation, true
	}
	if flatNumbered.MatchString(base) {
		return partService, true
	}
	return 0, false
}

// flatTranslated reports whether a column (without @lang) is a text.
func flatTranslated(base string) bool {
	switch base {
	case "name", "description", "eligibility", "fees", "organization_name", "organization_description", "location_name", "accessibility":
		return true
	}
	m := flatNumbered.FindStringSubmatch(base)
	if m == nil {
		return false
	}
	switch m[1] + "_" + m[3] {
	case "document_", "phone_description", "contact_title", "exception_note":
		return true
	}
	return false
}

type flatRow map[string]string

func (r flatRow) text(col string, t content.Text) {
	for lang, v := range t {
		if v != "" {
			r[col+"@"+lang] = v
		}
	}
}

func boolCell(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func hoursCell(slots []content.Slot, day int) string {
	var parts []string
	for _, sl := range slots {
		if sl.Weekday == day {
			parts = append(parts, sl.Opens+"-"+sl.Closes)
		}
	}
	return strings.Join(parts, ", ")
}

// writeFlatCSV writes one row per service at a location. The header has
// a column for each language any text has (Italian and English always),
// and as many numbered columns as the service with the most documents,
// phones, contacts or exceptions needs.
func writeFlatCSV(x *Records, w io.Writer) error {
	fw := newFlatWriter()
	orgs := orgMap(x)
	var rows []flatRow
	for i := range x.Services {
		s := &x.Services[i]
		base := fw.serviceRow(s)
		fw.organizationCells(base, orgs[s.OrganizationID])
		for _, l := range s.Locations {
			rows = append(rows, fw.locationRow(base, &l))
		}
	}
	return writeRows(w, fw.header(), rows)
}

// flatWriter builds the rows, noting what the header needs.
type flatWriter struct {
	langs                           map[string]map[string]bool // text column → languages
	nDocs, nPhones, nContacts, nExc int
}

func newFlatWriter() *flatWriter {
	fw := &flatWriter{langs: map[string]map[string]bool{}}
	for _, c := range []string{"name", "description", "eligibility", "fees", "organization_name", "organization_description", "location_name", "accessibility"} {
		fw.note(c, nil)
	}
	return fw
}

// note records the languages of a text column: Italian, English, and
// those t has.
func (fw *flatWriter) note(col string, t content.Text) {
	if fw.langs[col] == nil {
		fw.langs[col] = map[string]bool{"it": true, "en": true}
	}
	for l, v := range t {
		if v != "" {
			fw.langs[col][l] = true
		}
	}
}

// text puts a text in its columns.
func (fw *flatWriter) text(r flatRow, col string, t content.Text) {
	r.text(col, t)
	fw.note(col, t)
}

// serviceRow holds the service's columns, numbered ones included.
func (fw *flatWriter) serviceRow(s *content.Service) flatRow {
	r := flatRow{"service_id": s.ID, "status": string(s.Status), "categories": strings.Join(s.Categories, ", "),
		"languages": strings.Join(s.Languages, ", "), "url": s.URL, "email": s.Email,
		"by_appointment": boolCell(s.ByAppointment), "open_on_holidays": boolCell(s.OpenOnHolidays), "organization_id": s.OrganizationID}
	fw.text(r, "name", s.Name)
	fw.text(r, "description", s.Description)
	fw.text(r, "eligibility", s.Eligibility)
	fw.text(r, "fees", s.Fees)
	for d, col := range weekdayColumns {
		r[col] = hoursCell(s.Hours.Weekly, d+1)
	}
	fw.childCells(r, s)
	return r
}

// childCells fills the numbered columns: documents, phones, contacts and
// dated exceptions.
func (fw *flatWriter) childCells(r flatRow, s *content.Service) {
	for j, d := range s.Documents {
		fw.text(r, fmt.Sprintf("document_%d", j+1), d)
	}
	for j, p := range s.Phones {
		col := fmt.Sprintf("phone_%d", j+1)
		r[col], r[col+"_type"] = p.Number, p.Type
		fw.text(r, col+"_description", p.Description)
	}
	for j, c := range s.Contacts {
		col := fmt.Sprintf("contact_%d", j+1)
		r[col+"_name"], r[col+"_email"], r[col+"_phone"] = c.Name, c.Email, c.Phone
		fw.text(r, col+"_title", c.Title)
	}
	for j, ex := range s.Hours.Exceptions {
		col := fmt.Sprintf("exception_%d", j+1)
		r[col+"_date"] = ex.Date
		if ex.Closed {
			r[col+"_hours"] = "closed"
		} else {
			r[col+"_hours"] = ex.Opens + "-" + ex.Closes
		}
		fw.text(r, col+"_note", ex.Note)
	}
	fw.nDocs, fw.nPhones = max(fw.nDocs, len(s.Documents)), max(fw.nPhones, len(s.Phones))
	fw.nContacts, fw.nExc = max(fw.nContacts, len(s.Contacts)), max(fw.nExc, len(s.Hours.Exceptions))
}

// organizationCells describes the service's organization (none when the
// records lack it).
func (fw *flatWriter) organizationCells(r flatRow, o *content.Organization) {
	if o == nil {
		return
	}
	fw.text(r, "organization_name", o.Name)
	fw.text(r, "organization_description", o.Description)
	r["organization_url"], r["organization_email"] = o.URL, o.Email
}

// locationRow is the service's row at one of its locations.
func (fw *flatWriter) locationRow(base flatRow, l *content.Location) flatRow {
	r := make(flatRow, len(base)+16)
	for k, v := range base {
		r[k] = v
	}
	r["location_id"], r["address"], r["postal_code"], r["comune"], r["province"], r["region"] = l.ID, l.Address, l.PostalCode, l.Comune, l.Province, l.Region
	r["lat"] = strconv.FormatFloat(l.Point[1], 'f', -1, 64)
	r["lon"] = strconv.FormatFloat(l.Point[0], 'f', -1, 64)
	r["wheelchair"] = boolCell(l.Wheelchair)
	fw.text(r, "location_name", l.Name)
	fw.text(r, "accessibility", l.Accessibility)
	return r
}

// header lists the columns in the template's order.
func (fw *flatWriter) header() []string {
	var h []string
	texts := func(col string) {
		for _, l := range orderLangs(fw.langs[col]) {
			h = append(h, col+"@"+l)
		}
	}
	h = append(h, "service_id", "status", "categories")
	for _, c := range flatServiceTexts {
		texts(c)
	}
	h = append(h, "languages", "url", "email", "by_appointment", "open_on_holidays")
	h = append(h, weekdayColumns...)
	for j := range fw.nDocs {
		texts(fmt.Sprintf("document_%d", j+1))
	}
	for j := range fw.nPhones {
		col := fmt.Sprintf("phone_%d", j+1)
		h = append(h, col, col+"_type")
		texts(col + "_description")
	}
	for j := range fw.nContacts {
		col := fmt.Sprintf("contact_%d", j+1)
		h = append(h, col+"_name")
		texts(col + "_title")
		h = append(h, col+"_email", col+"_phone")
	}
	for j := range fw.nExc {
		col := fmt.Sprintf("exception_%d", j+1)
		h = append(h, col+"_date", col+"_hours")
		texts(col + "_note")
	}
	h = append(h, "organization_id")
	texts("organization_name")
	texts("organization_description")
	h = append(h, "organization_url", "organization_email", "location_id")
	texts("location_name")
	h = append(h, "address", "postal_code", "comune", "province", "region", "lat", "lon", "wheelchair")
	texts("accessibility")
	return h
}

// writeRows writes the header and the rows' cells under it.
func writeRows(w io.Writer, header []string, rows []flatRow) error {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if err := cw.Write(header); err != nil {
		return err
	}
	rec := make([]string, len(header))
	for _, r := range rows {
		for i, c := range header {
			rec[i] = escapeCell(r[c])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("content: export csv: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

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

func writeFlatCSV(x *Records, w io.Writer) error {
	orgs := orgMap(x)
	langs := map[string]map[string]bool{} // column → languages
	note := func(col string, t content.Text) {
		if langs[col] == nil {
			langs[col] = map[string]bool{"it": true, "en": true}
		}
		for l, v := range t {
			if v != "" {
				langs[col][l] = true
			}
		}
	}
	for _, c := range []string{"name", "description", "eligibility", "fees", "organization_name", "organization_description", "location_name", "accessibility"} {
		note(c, nil)
	}
	nDocs, nPhones, nContacts, nExc := 0, 0, 0, 0
	var rows []flatRow
	for i := range x.Services {
		s := &x.Services[i]
		base := flatRow{"service_id": s.ID, "status": string(s.Status), "categories": strings.Join(s.Categories, ", "),
			"languages": strings.Join(s.Languages, ", "), "url": s.URL, "email": s.Email,
			"by_appointment": boolCell(s.ByAppointment), "open_on_holidays": boolCell(s.OpenOnHolidays), "organization_id": s.OrganizationID}
		for _, f := range []struct {
			col string
			t   content.Text
		}{{"name", s.Name}, {"description", s.Description}, {"eligibility", s.Eligibility}, {"fees", s.Fees}} {
			base.text(f.col, f.t)
			note(f.col, f.t)
		}
		for d, col := range weekdayColumns {
			base[col] = hoursCell(s.Hours.Weekly, d+1)
		}
		for j, d := range s.Documents {
			col := fmt.Sprintf("document_%d", j+1)
			base.text(col, d)
			note(col, d)
		}
		for j, p := range s.Phones {
			col := fmt.Sprintf("phone_%d", j+1)
			base[col], base[col+"_type"] = p.Number, p.Type
			base.text(col+"_description", p.Description)
			note(col+"_description", p.Description)
		}
		for j, c := range s.Contacts {
			col := fmt.Sprintf("contact_%d", j+1)
			base[col+"_name"], base[col+"_email"], base[col+"_phone"] = c.Name, c.Email, c.Phone
			base.text(col+"_title", c.Title)
			note(col+"_title", c.Title)
		}
		for j, ex := range s.Hours.Exceptions {
			col := fmt.Sprintf("exception_%d", j+1)
			base[col+"_date"] = ex.Date
			if ex.Closed {
				base[col+"_hours"] = "closed"
			} else {
				base[col+"_hours"] = ex.Opens + "-" + ex.Closes
			}
			base.text(col+"_note", ex.Note)
			note(col+"_note", ex.Note)
		}
		nDocs, nPhones, nContacts, nExc = max(nDocs, len(s.Documents)), max(nPhones, len(s.Phones)), max(nContacts, len(s.Contacts)), max(nExc, len(s.Hours.Exceptions))
		if o := orgs[s.OrganizationID]; o != nil {
			base.text("organization_name", o.Name)
			base.text("organization_description", o.Description)
			note("organization_name", o.Name)
			note("organization_description", o.Description)
			base["organization_url"], base["organization_email"] = o.URL, o.Email
		}
		for _, l := range s.Locations {
			r := make(flatRow, len(base)+16)
			for k, v := range base {
				r[k] = v
			}
			r["location_id"], r["address"], r["postal_code"], r["comune"], r["province"], r["region"] = l.ID, l.Address, l.PostalCode, l.Comune, l.Province, l.Region
			r["lat"] = strconv.FormatFloat(l.Point[1], 'f', -1, 64)
			r["lon"] = strconv.FormatFloat(l.Point[0], 'f', -1, 64)
			r["wheelchair"] = boolCell(l.Wheelchair)
			r.text("location_name", l.Name)
			r.text("accessibility", l.Accessibility)
			note("location_name", l.Name)
			note("accessibility", l.Accessibility)
			rows = append(rows, r)
		}
	}
	var header []string
	texts := func(col string) {
		for _, l := range orderLangs(langs[col]) {
			header = append(header, col+"@"+l)
		}
	}
	header = append(header, "service_id", "status", "categories")
	for _, c := range flatServiceTexts {
		texts(c)
	}
	header = append(header, "languages", "url", "email", "by_appointment", "open_on_holidays")
	header = append(header, weekdayColumns...)
	for j := range nDocs {
		texts(fmt.Sprintf("document_%d", j+1))
	}
	for j := range nPhones {
		col := fmt.Sprintf("phone_%d", j+1)
		header = append(header, col, col+"_type")
		texts(col + "_description")
	}
	for j := range nContacts {
		col := fmt.Sprintf("contact_%d", j+1)
		header = append(header, col+"_name")
		texts(col + "_title")
		header = append(header, col+"_email", col+"_phone")
	}
	for j := range nExc {
		col := fmt.Sprintf("exception_%d", j+1)
		header = append(header, col+"_date", col+"_hours")
		texts(col + "_note")
	}
	header = append(header, "organization_id")
	texts("organization_name")
	texts("organization_description")
	header = append(header, "organization_url", "organization_email", "location_id")
	texts("location_name")
	header = append(header, "address", "postal_code", "comune", "province", "region", "lat", "lon", "wheelchair")
	texts("accessibility")

	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if err := cw.Write(header); err != nil {
		return err
	}
	rec := make([]string, len(header))
	for _, r := range rows {
		for i, c := range header {
			rec[i] = r[c]
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

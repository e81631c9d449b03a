package exchange

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/punto-totem/punto/content"
)

// Reading the flat CSV template (see csv.go).

// flatLine is a row as read, with its line.
type flatLine struct {
	line int
	row  flatRow
}

func parseFlatCSV(data []byte, is *issues) *Records {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	r := csv.NewReader(bytes.NewReader(data))
	// Spreadsheets set to Italian save CSV with semicolons.
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';'
	}
	header, err := r.Read()
	if err == io.EOF {
		is.add(ImportIssue{Line: 1, Reason: "the file is empty: it needs a header row"})
		return nil
	}
	if err != nil {
		is.add(csvIssue("", err))
		return nil
	}
	seenCol := map[string]bool{}
	for i, c := range header {
		c = strings.TrimSpace(c)
		header[i] = c
		base, lang, hasLang := strings.Cut(c, "@")
		_, known := flatPart(c)
		switch {
		case !known:
			is.add(ImportIssue{Line: 1, Field: c, Reason: "is not a column of the template"})
		case hasLang && !flatTranslated(base):
			is.add(ImportIssue{Line: 1, Field: c, Reason: base + " has no languages"})
		case hasLang && !content.ValidLanguageTag(lang):
			is.add(ImportIssue{Line: 1, Field: c, Reason: fmt.Sprintf("%q is not a language tag", lang)})
		case seenCol[c]:
			is.add(ImportIssue{Line: 1, Field: c, Reason: "the column is there twice"})
		}
		seenCol[c] = true
	}
	if len(is.list) > 0 {
		return nil
	}
	for _, need := range []string{"service_id", "location_id", "comune", "lat", "lon"} {
		if !seenCol[need] {
			is.add(ImportIssue{Line: 1, Field: need, Reason: "the column is missing"})
		}
	}
	if len(is.list) > 0 {
		return nil
	}
	x := &Records{}
	type seenSvc struct {
		index int
		first flatLine
		lines *[]int
	}
	svcs := map[string]*seenSvc{}
	orgs := map[string]flatLine{}
	for {
		if is.full() {
			break
		}
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
				is.add(ImportIssue{Line: pe.Line, Reason: fmt.Sprintf("has %d cells, the header %d", len(rec), len(header))})
				continue
			}
			is.add(csvIssue("", err))
			return nil
		}
		line, _ := r.FieldPos(0)
		row := make(flatRow, len(header))
		empty := true
		for i, c := range header {
			v := rec[i]
			if c == "name" || c == "description" || c == "eligibility" || c == "fees" || c == "location_name" || c == "accessibility" ||
				c == "organization_name" || c == "organization_description" {
				c += "@it" // a column without a language is Italian
			}
			row[c] = v
			if strings.TrimSpace(v) != "" {
				empty = false
			}
		}
		if empty {
			continue // a blank spreadsheet row
		}
		fl := flatLine{line: line, row: row}
		svc, org, ok := flatService(fl, is)
		if !ok {
			continue
		}
		at := where{line: line}
		if org != nil {
			if prev, ok := orgs[org.ID]; ok {
				if c := flatDiff(prev.row, row, partOrg); c != "" {
					is.add(at.issue(c, fmt.Sprintf("organization %q is given differently on line %d", org.ID, prev.line)))
				}
			} else {
				orgs[org.ID] = fl
				x.Organizations = append(x.Organizations, *org)
				x.orgAt = append(x.orgAt, func(field, reason string) ImportIssue {
					return at.issue(flatTextCol("organization_", field), reason)
				})
			}
		}
		if prev, ok := svcs[svc.ID]; ok {
			if c := flatDiff(prev.first.row, row, partService); c != "" {
				is.add(at.issue(c, fmt.Sprintf("service %q is given differently on line %d", svc.ID, prev.first.line)))
				continue
			}
			s := &x.Services[prev.index]
			s.Locations = append(s.Locations, svc.Locations...)
			*prev.lines = append(*prev.lines, line)
			continue
		}
		lines := &[]int{line}
		svcs[svc.ID] = &seenSvc{index: len(x.Services), first: fl, lines: lines}
		x.Services = append(x.Services, svc)
		x.svcAt = append(x.svcAt, flatLocator(line, lines, &x.Services[len(x.Services)-1]))
	}
	return x
}

// flatDiff returns the first column of part that differs between rows.
func flatDiff(a, b flatRow, part int) string {
	for k, v := range a {
		if p, _ := flatPart(k); p == part && b[k] != v {
			return k
		}
	}
	return ""
}

// flatTextCol spells a text's validation field ("name", "name.fr") as a
// column ("name@it", "name@fr").
func flatTextCol(prefix, field string) string {
	f, lang, ok := strings.Cut(field, ".")
	if !ok {
		lang = "it"
	}
	switch f {
	case "name", "description", "eligibility", "fees":
		return prefix + f + "@" + lang
	case "accessibility":
		return f + "@" + lang
	}
	return prefix + field
}

// flatLocator places a service's validation error at its line and
// column. The service's own fields are checked on the service's first
// row; a location's on the row that gave it.
func flatLocator(line int, lines *[]int, s *content.Service) locator {
	return func(field, reason string) ImportIssue {
		at := where{line: line}
		m := indexed.FindStringSubmatch(field)
		if m == nil {
			switch field {
			case "id":
				field = "service_id"
			case "hours":
				field = "hours_mon"
			}
			return at.issue(flatTextCol("", field), reason)
		}
		i, _ := strconv.Atoi(m[2])
		rest := m[3]
		n := strconv.Itoa(i + 1)
		switch m[1] {
		case "locations":
			if i < len(*lines) {
				at = where{line: (*lines)[i]}
			}
			switch rest {
			case "point":
				return at.issue("lat/lon", reason)
			case "id":
				return at.issue("location_id", reason)
			}
			return at.issue(flatTextCol("location_", rest), reason)
		case "documents":
			_, lang, ok := strings.Cut(rest, ".")
			if !ok {
				lang = "it"
			}
			if rest == "" {
				lang = "it"
			}
			return at.issue("document_"+n+"@"+lang, reason)
		case "phones":
			if rest == "type" {
				return at.issue("phone_"+n+"_type", reason)
			}
			return at.issue("phone_"+n, reason)
		case "hours.weekly":
			if i < len(s.Hours.Weekly) && s.Hours.Weekly[i].Weekday >= 1 && s.Hours.Weekly[i].Weekday <= 7 {
				return at.issue(weekdayColumns[s.Hours.Weekly[i].Weekday-1], reason)
			}
		case "hours.exceptions":
			if rest == "date" {
				return at.issue("exception_"+n+"_date", reason)
			}
			if strings.HasPrefix(rest, "note") {
				return at.issue("exception_"+n+"_note@it", reason)
			}
			return at.issue("exception_"+n+"_hours", reason)
		}
		return at.issue(field, reason)
	}
}

// parseSpan reads "09:00-13:00".
func parseSpan(s string) (string, string, bool) {
	s = strings.ReplaceAll(s, "–", "-")
	o, c, ok := strings.Cut(s, "-")
	return strings.TrimSpace(o), strings.TrimSpace(c), ok
}

// flatService reads one row: its service with one location, and the
// organization it describes (nil when it describes none).
func flatService(fl flatLine, is *issues) (content.Service, *content.Organization, bool) {
	n := len(is.list)
	r := fl.row
	at := where{line: fl.line}
	bad := func(col, reason string) { is.add(at.issue(col, reason)) }
	s := content.Service{ID: strings.TrimSpace(r["service_id"]), Status: content.Status(strings.TrimSpace(r["status"])),
		Categories: splitList(r["categories"]), Languages: splitList(r["languages"]),
		URL: strings.TrimSpace(r["url"]), Email: strings.TrimSpace(r["email"]), OrganizationID: strings.TrimSpace(r["organization_id"])}
	flag := func(col string, dst *bool) {
		v, ok := parseBool(r[col])
		if !ok {
			bad(col, fmt.Sprintf("%q is not true or false", r[col]))
		}
		*dst = v
	}
	flag("by_appointment", &s.ByAppointment)
	flag("open_on_holidays", &s.OpenOnHolidays)
	var org content.Organization
	var l content.Location
	docs := map[int]content.Text{}
	phones := map[int]*content.Phone{}
	contacts := map[int]*content.Contact{}
	excs := map[int]*content.Exception{}
	maxN := map[string]int{}
	get := func(m map[int]*content.Phone, i int) *content.Phone {
		if m[i] == nil {
			m[i] = &content.Phone{}
		}
		return m[i]
	}
	setText := func(t *content.Text, lang, v string) {
		if strings.TrimSpace(v) == "" {
			return
		}
		if *t == nil {
			*t = content.Text{}
		}
		(*t)[lang] = v
	}
	for col, v := range r {
		base, lang, _ := strings.Cut(col, "@")
		switch base {
		case "name":
			setText(&s.Name, lang, v)
		case "description":
			setText(&s.Description, lang, v)
		case "eligibility":
			setText(&s.Eligibility, lang, v)
		case "fees":
			setText(&s.Fees, lang, v)
		case "organization_name":
			setText(&org.Name, lang, v)
		case "organization_description":
			setText(&org.Description, lang, v)
		case "location_name":
			setText(&l.Name, lang, v)
		case "accessibility":
			setText(&l.Accessibility, lang, v)
		}
		m := flatNumbered.FindStringSubmatch(base)
		if m == nil || strings.TrimSpace(v) == "" {
			continue
		}
		i, _ := strconv.Atoi(m[2])
		maxN[m[1]] = max(maxN[m[1]], i)
		switch m[1] + "_" + m[3] {
		case "document_":
			t := docs[i]
			setText(&t, lang, v)
			docs[i] = t
		case "phone_":
			get(phones, i).Number = v
		case "phone_type":
			get(phones, i).Type = strings.TrimSpace(v)
		case "phone_description":
			setText(&get(phones, i).Description, lang, v)
		case "contact_name", "contact_title", "contact_email", "contact_phone":
			if contacts[i] == nil {
				contacts[i] = &content.Contact{}
			}
			c := contacts[i]
			switch m[3] {
			case "name":
				c.Name = v
			case "title":
				setText(&c.Title, lang, v)
			case "email":
				c.Email = strings.TrimSpace(v)
			case "phone":
				c.Phone = v
			}
		case "exception_date", "exception_hours", "exception_note":
			if excs[i] == nil {
				excs[i] = &content.Exception{}
			}
			e := excs[i]
			switch m[3] {
			case "date":
				e.Date = strings.TrimSpace(v)
			case "hours":
				switch h := strings.ToLower(strings.TrimSpace(v)); h {
				case "closed", "chiuso":
					e.Closed = true
				default:
					o, c, ok := parseSpan(h)
					if !ok {
						bad(col, fmt.Sprintf("%q is not closed or HH:MM-HH:MM", v))
					}
					e.Opens, e.Closes = o, c
				}
			case "note":
				setText(&e.Note, lang, v)
			}
		}
	}
	// Numbered columns keep their order; a gap (document_1 empty,
	// document_2 filled) is an error rather than a silent shift.
	for i := 1; i <= maxN["document"]; i++ {
		if docs[i] == nil {
			bad(fmt.Sprintf("document_%d@it", i), "is empty while a later document is filled")
			continue
		}
		s.Documents = append(s.Documents, docs[i])
	}
	for i := 1; i <= maxN["phone"]; i++ {
		p := phones[i]
		if p == nil || p.Number == "" {
			bad(fmt.Sprintf("phone_%d", i), "is empty while its other columns or a later phone are filled")
			continue
		}
		s.Phones = append(s.Phones, *p)
	}
	for i := 1; i <= maxN["contact"]; i++ {
		if contacts[i] == nil {
			bad(fmt.Sprintf("contact_%d_name", i), "is empty while a later contact is filled")
			continue
		}
		s.Contacts = append(s.Contacts, *contacts[i])
	}
	for i := 1; i <= maxN["exception"]; i++ {
		e := excs[i]
		switch {
		case e == nil:
			bad(fmt.Sprintf("exception_%d_date", i), "is empty while a later exception is filled")
			continue
		case e.Date == "":
			bad(fmt.Sprintf("exception_%d_date", i), "is empty while its other columns are filled")
			continue
		case !e.Closed && e.Opens == "":
			e.Closed = true // a date alone is a closure
		}
		s.Hours.Exceptions = append(s.Hours.Exceptions, *e)
	}
	for d, col := range weekdayColumns {
		for _, part := range splitList(r[col]) {
			o, c, ok := parseSpan(part)
			if !ok {
				bad(col, fmt.Sprintf("%q is not HH:MM-HH:MM", part))
				continue
			}
			s.Hours.Weekly = append(s.Hours.Weekly, content.Slot{Weekday: d + 1, Opens: o, Closes: c})
		}
	}
	l.ID, l.Address, l.PostalCode, l.Comune, l.Province, l.Region = strings.TrimSpace(r["location_id"]), r["address"], strings.TrimSpace(r["postal_code"]), r["comune"], r["province"], r["region"]
	flag("wheelchair", &l.Wheelchair)
	for i, col := range []string{"lon", "lat"} {
		v := strings.TrimSpace(strings.ReplaceAll(r[col], ",", "."))
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			bad(col, fmt.Sprintf("%q is not a number", r[col]))
			continue
		}
		l.Point[i] = f
	}
	s.Locations = []content.Location{l}
	var op *content.Organization
	if len(org.Name) > 0 || len(org.Description) > 0 || r["organization_url"] != "" || r["organization_email"] != "" {
		if s.OrganizationID == "" {
			bad("organization_id", "is needed when the organization is described")
		}
		org.ID, org.URL, org.Email = s.OrganizationID, strings.TrimSpace(r["organization_url"]), strings.TrimSpace(r["organization_email"])
		op = &org
	}
	return s, op, len(is.list) == n
}

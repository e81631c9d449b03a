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

// Reading the flat CSV template (see csv.go): the header, then each row
// (csv_row.go), merging the rows of a service at several locations.

// flatLine is a row as read, with its line.
type flatLine struct {
	line int
	row  flatRow
}

func parseFlatCSV(data []byte, is *issues) *Records {
	r := newFlatReader(data)
	header, ok := readFlatHeader(r, is)
	if !ok {
		return nil
	}
	fp := &flatParse{header: header, is: is, x: &Records{}, svcs: map[string]*flatSeen{}, orgs: map[string]flatLine{}}
	for !is.full() {
		fl, err := fp.readRow(r)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil
		}
		if fl != nil {
			fp.add(*fl)
		}
	}
	return fp.x
}

// newFlatReader reads the file as a spreadsheet saved it: with or without
// a byte-order mark, with commas or, set to Italian, with semicolons.
func newFlatReader(data []byte) *csv.Reader {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	r := csv.NewReader(bytes.NewReader(data))
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';'
	}
	return r
}

// readFlatHeader reads the header row; ok is false when it is wrong (the
// problems are in is).
func readFlatHeader(r *csv.Reader, is *issues) ([]string, bool) {
	header, err := r.Read()
	if err == io.EOF {
		is.add(ImportIssue{Line: 1, Reason: "the file is empty: it needs a header row"})
		return nil, false
	}
	if err != nil {
		is.add(csvIssue("", err))
		return nil, false
	}
	seen := checkFlatColumns(header, is)
	if len(is.list) > 0 {
		return nil, false
	}
	for _, need := range []string{"service_id", "location_id", "comune", "lat", "lon"} {
		if !seen[need] {
			is.add(ImportIssue{Line: 1, Field: need, Reason: "the column is missing"})
		}
	}
	return header, len(is.list) == 0
}

// checkFlatColumns trims the header's columns and checks that each is a
// column of the template, given once; it returns the columns seen.
func checkFlatColumns(header []string, is *issues) map[string]bool {
	seen := map[string]bool{}
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
		case seen[c]:
			is.add(ImportIssue{Line: 1, Field: c, Reason: "the column is there twice"})
		}
		seen[c] = true
	}
	return seen
}

// flatParse gathers the records of the rows read so far.
type flatParse struct {
	header []string
	is     *issues
	x      *Records
	svcs   map[string]*flatSeen // by service ID
	orgs   map[string]flatLine  // the row that gave each organization
}

// flatSeen is a service already read.
type flatSeen struct {
	index int // in x.Services
	first flatLine
	lines *[]int // the row of each location
}

// readRow reads the next row. The row is nil when there is none to read
// (a blank spreadsheet row, a row whose cells do not match the header);
// the error is io.EOF at the end, or a syntax error already reported.
func (fp *flatParse) readRow(r *csv.Reader) (*flatLine, error) {
	rec, err := r.Read()
	if err == io.EOF {
		return nil, err
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
			fp.is.add(ImportIssue{Line: pe.Line, Reason: fmt.Sprintf("has %d cells, the header %d", len(rec), len(fp.header))})
			return nil, nil
		}
		fp.is.add(csvIssue("", err))
		return nil, err
	}
	line, _ := r.FieldPos(0)
	if i, long := longCell(rec); long {
		col := ""
		if i < len(fp.header) {
			col = fp.header[i]
		}
		fp.is.add(ImportIssue{Line: line, Field: col, Reason: cellTooLong(len(rec[i]))})
		return nil, nil
	}
	row, empty := fp.cells(rec)
	if empty {
		return nil, nil
	}
	return &flatLine{line: line, row: row}, nil
}

// cells maps a record by column; a text column without a language is
// Italian. empty says that every cell is blank.
func (fp *flatParse) cells(rec []string) (row flatRow, empty bool) {
	row = make(flatRow, len(fp.header))
	empty = true
	for i, c := range fp.header {
		v := unescapeCell(rec[i])
		switch c {
		case "name", "description", "eligibility", "fees", "location_name", "accessibility", "organization_name", "organization_description":
			c += "@it"
		}
		row[c] = v
		if strings.TrimSpace(v) != "" {
			empty = false
		}
	}
	return row, empty
}

// add reads a row's service and organization: a service on several rows
// (one a location) must agree on every service column, an organization
// described again must be described the same way.
func (fp *flatParse) add(fl flatLine) {
	svc, org, ok := flatService(fl, fp.is)
	if !ok {
		return
	}
	if org != nil {
		fp.addOrganization(fl, org)
	}
	fp.addService(fl, svc)
}

func (fp *flatParse) addOrganization(fl flatLine, org *content.Organization) {
	at := where{line: fl.line}
	if prev, ok := fp.orgs[org.ID]; ok {
		if c := flatDiff(prev.row, fl.row, partOrg); c != "" {
			fp.is.add(at.issue(c, fmt.Sprintf("organization %q is given differently on line %d", org.ID, prev.line)))
		}
		return
	}
	fp.orgs[org.ID] = fl
	x := fp.x
	x.Organizations = append(x.Organizations, *org)
	x.orgAt = append(x.orgAt, func(field, reason string) ImportIssue {
		return at.issue(flatTextCol("organization_", field), reason)
	})
}

func (fp *flatParse) addService(fl flatLine, svc content.Service) {
	x := fp.x
	if prev, ok := fp.svcs[svc.ID]; ok {
		if c := flatDiff(prev.first.row, fl.row, partService); c != "" {
			fp.is.add(where{line: fl.line}.issue(c, fmt.Sprintf("service %q is given differently on line %d", svc.ID, prev.first.line)))
			return
		}
		s := &x.Services[prev.index]
		s.Locations = append(s.Locations, svc.Locations...)
		*prev.lines = append(*prev.lines, fl.line)
		return
	}
	lines := &[]int{fl.line}
	fp.svcs[svc.ID] = &flatSeen{index: len(x.Services), first: fl, lines: lines}
	x.Services = append(x.Services, svc)
	x.svcAt = append(x.svcAt, flatLocator(fl.line, lines, &x.Services[len(x.Services)-1]))
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
			return at.issue(flatServiceCol(field), reason)
		}
		i, _ := strconv.Atoi(m[2])
		if m[1] == "locations" {
			if i < len(*lines) {
				at = where{line: (*lines)[i]}
			}
			return at.issue(flatLocationCol(m[3]), reason)
		}
		if col, ok := flatChildCol(m[1], i, m[3], s); ok {
			return at.issue(col, reason)
		}
		return at.issue(field, reason)
	}
}

// flatServiceCol is the column of a field of the service itself.
func flatServiceCol(field string) string {
	switch field {
	case "id":
		field = "service_id"
	case "hours":
		field = "hours_mon"
	}
	return flatTextCol("", field)
}

// flatLocationCol is the column of a field of a location.
func flatLocationCol(field string) string {
	switch field {
	case "point":
		return "lat/lon"
	case "id":
		return "location_id"
	}
	return flatTextCol("location_", field)
}

// flatChildCol is the column of the field rest of the i-th item of a
// list of the service ("documents", "phones", …); ok is false when no
// column holds it.
func flatChildCol(list string, i int, rest string, s *content.Service) (string, bool) {
	n := strconv.Itoa(i + 1)
	switch list {
	case "documents":
		_, lang, ok := strings.Cut(rest, ".")
		if !ok {
			lang = "it"
		}
		return "document_" + n + "@" + lang, true
	case "phones":
		if rest == "type" {
			return "phone_" + n + "_type", true
		}
		return "phone_" + n, true
	case "hours.weekly":
		if i < len(s.Hours.Weekly) && s.Hours.Weekly[i].Weekday >= 1 && s.Hours.Weekly[i].Weekday <= 7 {
			return weekdayColumns[s.Hours.Weekly[i].Weekday-1], true
		}
	case "hours.exceptions":
		switch {
		case rest == "date":
			return "exception_" + n + "_date", true
		case strings.HasPrefix(rest, "note"):
			return "exception_" + n + "_note@it", true
		}
		return "exception_" + n + "_hours", true
	}
	return "", false
}

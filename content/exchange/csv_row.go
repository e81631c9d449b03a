package exchange

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/punto-totem/punto/content"
)

// Reading one row of the flat CSV template (see csv.go).

// flatService reads one row: its service with one location, and the
// organization it describes (nil when it describes none).
func flatService(fl flatLine, is *issues) (content.Service, *content.Organization, bool) {
	n := len(is.list)
	c := &flatCells{row: fl.row, at: where{line: fl.line}, is: is}
	s := c.service()
	var org content.Organization
	var l content.Location
	children := c.readColumns(&s, &org, &l)
	c.addChildren(children, &s)
	s.Hours.Weekly = c.weekly()
	c.location(&l)
	s.Locations = []content.Location{l}
	op := c.organization(&org, s.OrganizationID)
	return s, op, len(is.list) == n
}

// flatCells reads the cells of one row, reporting a bad one at the row's
// line.
type flatCells struct {
	row flatRow
	at  where
	is  *issues
}

func (c *flatCells) bad(col, reason string) { c.is.add(c.at.issue(col, reason)) }

// trimmed is a cell without the spaces around it.
func (c *flatCells) trimmed(col string) string { return strings.TrimSpace(c.row[col]) }

// flag reads a true/false cell.
func (c *flatCells) flag(col string, dst *bool) {
	v, ok := parseBool(c.row[col])
	if !ok {
		c.bad(col, fmt.Sprintf("%q is not true or false", c.row[col]))
	}
	*dst = v
}

// service reads the service's own columns that are not texts.
func (c *flatCells) service() content.Service {
	s := content.Service{ID: c.trimmed("service_id"), Status: content.Status(c.trimmed("status")),
		Categories: splitList(c.row["categories"]), Languages: splitList(c.row["languages"]),
		URL: c.trimmed("url"), Email: c.trimmed("email"), OrganizationID: c.trimmed("organization_id")}
	c.flag("by_appointment", &s.ByAppointment)
	c.flag("open_on_holidays", &s.OpenOnHolidays)
	return s
}

// flatChildren are the numbered columns of a row (document_1,
// phone_2_type, …) as read, by number.
type flatChildren struct {
	docs     map[int]content.Text
	phones   map[int]*content.Phone
	contacts map[int]*content.Contact
	excs     map[int]*content.Exception
	maxN     map[string]int // the highest number filled, by kind
}

// readColumns reads the texts of the service, its organization and its
// location, and the numbered columns.
func (c *flatCells) readColumns(s *content.Service, org *content.Organization, l *content.Location) *flatChildren {
	ch := &flatChildren{docs: map[int]content.Text{}, phones: map[int]*content.Phone{}, contacts: map[int]*content.Contact{},
		excs: map[int]*content.Exception{}, maxN: map[string]int{}}
	for col, v := range c.row {
		base, lang, _ := strings.Cut(col, "@")
		if t := flatText(base, s, org, l); t != nil {
			setCellText(t, lang, v)
		}
		m := flatNumbered.FindStringSubmatch(base)
		if m == nil || strings.TrimSpace(v) == "" {
			continue
		}
		c.numberedCell(ch, col, m, lang, v)
	}
	return ch
}

// flatText is the text a column (without @lang) holds, or nil.
func flatText(base string, s *content.Service, org *content.Organization, l *content.Location) *content.Text {
	switch base {
	case "name":
		return &s.Name
	case "description":
		return &s.Description
	case "eligibility":
		return &s.Eligibility
	case "fees":
		return &s.Fees
	case "organization_name":
		return &org.Name
	case "organization_description":
		return &org.Description
	case "location_name":
		return &l.Name
	case "accessibility":
		return &l.Accessibility
	}
	return nil
}

// setCellText sets one translation from a cell; an empty cell sets none.
func setCellText(t *content.Text, lang, v string) {
	if strings.TrimSpace(v) == "" {
		return
	}
	if *t == nil {
		*t = content.Text{}
	}
	(*t)[lang] = v
}

// numberedCell reads a filled numbered column; m is its match of
// flatNumbered (kind, number, field).
func (c *flatCells) numberedCell(ch *flatChildren, col string, m []string, lang, v string) {
	i, _ := strconv.Atoi(m[2])
	ch.maxN[m[1]] = max(ch.maxN[m[1]], i)
	switch m[1] + "_" + m[3] {
	case "document_":
		t := ch.docs[i]
		setCellText(&t, lang, v)
		ch.docs[i] = t
	case "phone_", "phone_type", "phone_description":
		if ch.phones[i] == nil {
			ch.phones[i] = &content.Phone{}
		}
		phoneCell(ch.phones[i], m[3], lang, v)
	case "contact_name", "contact_title", "contact_email", "contact_phone":
		if ch.contacts[i] == nil {
			ch.contacts[i] = &content.Contact{}
		}
		contactCell(ch.contacts[i], m[3], lang, v)
	case "exception_date", "exception_hours", "exception_note":
		if ch.excs[i] == nil {
			ch.excs[i] = &content.Exception{}
		}
		c.exceptionCell(ch.excs[i], col, m[3], lang, v)
	}
}

func phoneCell(p *content.Phone, field, lang, v string) {
	switch field {
	case "":
		p.Number = content.CleanPhone(v)
	case "type":
		p.Type = strings.TrimSpace(v)
	case "description":
		setCellText(&p.Description, lang, v)
	}
}

func contactCell(ct *content.Contact, field, lang, v string) {
	switch field {
	case "name":
		ct.Name = v
	case "title":
		setCellText(&ct.Title, lang, v)
	case "email":
		ct.Email = strings.TrimSpace(v)
	case "phone":
		ct.Phone = v
	}
}

func (c *flatCells) exceptionCell(e *content.Exception, col, field, lang, v string) {
	switch field {
	case "date":
		e.Date = strings.TrimSpace(v)
	case "hours":
		c.exceptionHours(e, col, v)
	case "note":
		setCellText(&e.Note, lang, v)
	}
}

// exceptionHours reads "closed" (or "chiuso") or HH:MM-HH:MM.
func (c *flatCells) exceptionHours(e *content.Exception, col, v string) {
	switch h := strings.ToLower(strings.TrimSpace(v)); h {
	case "closed", "chiuso":
		e.Closed = true
	default:
		o, cl, ok := parseSpan(h)
		if !ok {
			c.bad(col, fmt.Sprintf("%q is not closed or HH:MM-HH:MM", v))
		}
		e.Opens, e.Closes = o, cl
	}
}

// addChildren gives the service its numbered children. They keep their
// order; a gap (document_1 empty, document_2 filled) is an error rather
// than a silent shift.
func (c *flatCells) addChildren(ch *flatChildren, s *content.Service) {
	for i := 1; i <= ch.maxN["document"]; i++ {
		if ch.docs[i] == nil {
			c.bad(fmt.Sprintf("document_%d@it", i), "is empty while a later document is filled")
			continue
		}
		s.Documents = append(s.Documents, ch.docs[i])
	}
	for i := 1; i <= ch.maxN["phone"]; i++ {
		p := ch.phones[i]
		if p == nil || p.Number == "" {
			c.bad(fmt.Sprintf("phone_%d", i), "is empty while its other columns or a later phone are filled")
			continue
		}
		s.Phones = append(s.Phones, *p)
	}
	for i := 1; i <= ch.maxN["contact"]; i++ {
		if ch.contacts[i] == nil {
			c.bad(fmt.Sprintf("contact_%d_name", i), "is empty while a later contact is filled")
			continue
		}
		s.Contacts = append(s.Contacts, *ch.contacts[i])
	}
	s.Hours.Exceptions = c.exceptions(ch)
}

// exceptions lists the dated exceptions; a date alone is a closure.
func (c *flatCells) exceptions(ch *flatChildren) []content.Exception {
	var out []content.Exception
	for i := 1; i <= ch.maxN["exception"]; i++ {
		e := ch.excs[i]
		switch {
		case e == nil:
			c.bad(fmt.Sprintf("exception_%d_date", i), "is empty while a later exception is filled")
			continue
		case e.Date == "":
			c.bad(fmt.Sprintf("exception_%d_date", i), "is empty while its other columns are filled")
			continue
		case !e.Closed && e.Opens == "":
			e.Closed = true
		}
		out = append(out, *e)
	}
	return out
}

// weekly reads the hours_mon … hours_sun columns.
func (c *flatCells) weekly() []content.Slot {
	var out []content.Slot
	for d, col := range weekdayColumns {
		for _, part := range splitList(c.row[col]) {
			o, cl, ok := parseSpan(part)
			if !ok {
				c.bad(col, fmt.Sprintf("%q is not HH:MM-HH:MM", part))
				continue
			}
			out = append(out, content.Slot{Weekday: d + 1, Opens: o, Closes: cl})
		}
	}
	return out
}

// location reads the location's columns that are not texts.
func (c *flatCells) location(l *content.Location) {
	r := c.row
	l.ID, l.Address, l.PostalCode, l.Comune, l.Province, l.Region = c.trimmed("location_id"), r["address"], c.trimmed("postal_code"), r["comune"], r["province"], r["region"]
	c.flag("wheelchair", &l.Wheelchair)
	for i, col := range []string{"lon", "lat"} {
		v := strings.TrimSpace(strings.ReplaceAll(r[col], ",", "."))
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			c.bad(col, fmt.Sprintf("%q is not a number", r[col]))
			continue
		}
		l.Point[i] = f
	}
}

// organization completes the organization the row describes, or returns
// nil when it describes none.
func (c *flatCells) organization(org *content.Organization, id string) *content.Organization {
	url, email := c.row["organization_url"], c.row["organization_email"]
	if len(org.Name) == 0 && len(org.Description) == 0 && url == "" && email == "" {
		return nil
	}
	if id == "" {
		c.bad("organization_id", "is needed when the organization is described")
	}
	org.ID, org.URL, org.Email = id, strings.TrimSpace(url), strings.TrimSpace(email)
	return org
}

// parseSpan reads "09:00-13:00".
func parseSpan(s string) (string, string, bool) {
	s = strings.ReplaceAll(s, "–", "-")
	o, c, ok := strings.Cut(s, "-")
	return strings.TrimSpace(o), strings.TrimSpace(c), ok
}

package content

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/geo"
)

// What bulk readers and writers of the catalog build on: the open-data
// formats of package content/exchange read every record at once and
// write new catalogs.

// AllServices reads every service, in ID order, as Store.Service does,
// but table by table rather than service by service (a dozen queries
// instead of a dozen per service), inside one read transaction, so an
// export is one consistent picture of the catalog. The exchange package's
// TestExchangeReadsAsService checks it against Store.Service.
func (s *Store) AllServices(ctx context.Context) ([]Service, error) {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("content: export: %w", err)
	}
	defer tx.Rollback()
	var out []Service
	at := map[string]int{}
	each := func(query string, scan func(rows *sql.Rows) error) error {
		rows, err := tx.QueryContext(ctx, query)
		if err != nil {
			return fmt.Errorf("content: export: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return fmt.Errorf("content: export: %w", err)
			}
		}
		return rows.Err()
	}
	// svc finds the service a row belongs to (nil for a dangling row).
	svc := func(id string) *Service {
		if i, ok := at[id]; ok {
			return &out[i]
		}
		return nil
	}
	setText := func(t *Text, lang, v string) {
		if *t == nil {
			*t = Text{}
		}
		(*t)[lang] = v
	}
	steps := []struct {
		query string
		scan  func(*sql.Rows) error
	}{
		{`SELECT id, organization_id, status, url, email, by_appointment, open_on_holidays FROM service ORDER BY id`, func(r *sql.Rows) error {
			var v Service
			var org sql.NullString
			if err := r.Scan(&v.ID, &org, &v.Status, &v.URL, &v.Email, &v.ByAppointment, &v.OpenOnHolidays); err != nil {
				return err
			}
			v.OrganizationID = org.String
			at[v.ID] = len(out)
			out = append(out, v)
			return nil
		}},
		{`SELECT id, field, lang, value FROM translation WHERE entity = 'service'`, func(r *sql.Rows) error {
			var id, field, lang, v string
			if err := r.Scan(&id, &field, &lang, &v); err != nil {
				return err
			}
			if p := svc(id); p != nil {
				switch field {
				case "name":
					setText(&p.Name, lang, v)
				case "description":
					setText(&p.Description, lang, v)
				case "eligibility":
					setText(&p.Eligibility, lang, v)
				case "fees":
					setText(&p.Fees, lang, v)
				}
			}
			return nil
		}},
		{`SELECT c.service_id, c.category_id FROM service_category c JOIN category k ON k.id = c.category_id ORDER BY c.service_id, k.position`, func(r *sql.Rows) error {
			var id, c string
			if err := r.Scan(&id, &c); err != nil {
				return err
			}
			if p := svc(id); p != nil {
				p.Categories = append(p.Categories, c)
			}
			return nil
		}},
		{`SELECT service_id, lang FROM service_language ORDER BY service_id, lang`, func(r *sql.Rows) error {
			var id, l string
			if err := r.Scan(&id, &l); err != nil {
				return err
			}
			if p := svc(id); p != nil {
				p.Languages = append(p.Languages, l)
			}
			return nil
		}},
		{`SELECT service_id, weekday, opens_at, closes_at FROM schedule ORDER BY service_id, weekday, opens_at`, func(r *sql.Rows) error {
			var id string
			var sl Slot
			if err := r.Scan(&id, &sl.Weekday, &sl.Opens, &sl.Closes); err != nil {
				return err
			}
			if p := svc(id); p != nil {
				p.Hours.Weekly = append(p.Hours.Weekly, sl)
			}
			return nil
		}},
		{`SELECT service_id, date, closed, opens_at, closes_at FROM schedule_exception ORDER BY service_id, pk`, func(r *sql.Rows) error {
			var id string
			var ex Exception
			if err := r.Scan(&id, &ex.Date, &ex.Closed, &ex.Opens, &ex.Closes); err != nil {
				return err
			}
			if p := svc(id); p != nil {
				p.Hours.Exceptions = append(p.Hours.Exceptions, ex)
			}
			return nil
		}},
		{`SELECT service_id FROM required_document ORDER BY service_id, position`, func(r *sql.Rows) error {
			var id string
			if err := r.Scan(&id); err != nil {
				return err
			}
			if p := svc(id); p != nil {
				p.Documents = append(p.Documents, Text{})
			}
			return nil
		}},
		{`SELECT service_id, number, type FROM phone ORDER BY service_id, position`, func(r *sql.Rows) error {
			var id string
			var ph Phone
			if err := r.Scan(&id, &ph.Number, &ph.Type); err != nil {
				return err
			}
			if p := svc(id); p != nil {
				p.Phones = append(p.Phones, ph)
			}
			return nil
		}},
		{`SELECT service_id, name, email, phone FROM contact ORDER BY service_id, position`, func(r *sql.Rows) error {
			var id string
			var c Contact
			if err := r.Scan(&id, &c.Name, &c.Email, &c.Phone); err != nil {
				return err
			}
			if p := svc(id); p != nil {
				p.Contacts = append(p.Contacts, c)
			}
			return nil
		}},
	}
	for _, st := range steps {
		if err := each(st.query, st.scan); err != nil {
			return nil, err
		}
	}
	// What a service owns is translated under "<service>#<index>" (and
	// "<service>#<date>#<index>" for exceptions); Store.Service leaves a
	// child without texts nil.
	for i := range out {
		for j := range out[i].Documents {
			out[i].Documents[j] = nil
		}
	}
	err = each(`SELECT entity, id, lang, value FROM translation
		WHERE (entity = 'document' AND field = 'text') OR (entity = 'phone' AND field = 'description')
			OR (entity = 'contact' AND field = 'title') OR (entity = 'exception' AND field = 'note')`, func(r *sql.Rows) error {
		var entity, id, lang, v string
		if err := r.Scan(&entity, &id, &lang, &v); err != nil {
			return err
		}
		owner, key, ok := strings.Cut(id, "#")
		p := svc(owner)
		if !ok || p == nil {
			return nil
		}
		var idx int
		if entity == "exception" {
			date, n, _ := strings.Cut(key, "#")
			if _, err := fmt.Sscan(n, &idx); err != nil || idx >= len(p.Hours.Exceptions) || p.Hours.Exceptions[idx].Date != date {
				return nil
			}
			setText(&p.Hours.Exceptions[idx].Note, lang, v)
			return nil
		}
		if _, err := fmt.Sscan(key, &idx); err != nil || idx < 0 {
			return nil
		}
		switch {
		case entity == "document" && idx < len(p.Documents):
			setText(&p.Documents[idx], lang, v)
		case entity == "phone" && idx < len(p.Phones):
			setText(&p.Phones[idx].Description, lang, v)
		case entity == "contact" && idx < len(p.Contacts):
			setText(&p.Contacts[idx].Title, lang, v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Locations, with their texts, then given to each service at them.
	locs := map[string]*Location{}
	err = each(`SELECT id, address, postal_code, comune, province, region, wheelchair, geom FROM location`, func(r *sql.Rows) error {
		var l Location
		var g geo.Blob
		if err := r.Scan(&l.ID, &l.Address, &l.PostalCode, &l.Comune, &l.Province, &l.Region, &l.Wheelchair, &g); err != nil {
			return err
		}
		l.Point, _ = g.Geometry.(orb.Point)
		locs[l.ID] = &l
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each(`SELECT id, field, lang, value FROM translation WHERE entity = 'location'`, func(r *sql.Rows) error {
		var id, field, lang, v string
		if err := r.Scan(&id, &field, &lang, &v); err != nil {
			return err
		}
		if l := locs[id]; l != nil {
			switch field {
			case "name":
				setText(&l.Name, lang, v)
			case "accessibility":
				setText(&l.Accessibility, lang, v)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each(`SELECT service_id, location_id FROM service_at_location ORDER BY service_id, location_id`, func(r *sql.Rows) error {
		var id, loc string
		if err := r.Scan(&id, &loc); err != nil {
			return err
		}
		if p, l := svc(id), locs[loc]; p != nil && l != nil {
			p.Locations = append(p.Locations, *l)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SetSource notes in the catalog where its records came from ("demo",
// "import csv"), as a new file written by Create records it.
func (b *Batch) SetSource(source string) error { return b.setMeta("source", source) }

// ValidLanguageTag reports whether s can be the language of a Text: an ISO
// 639 code, optionally with subtags ("it", "pt-BR").
func ValidLanguageTag(s string) bool { return tagPattern.MatchString(s) }

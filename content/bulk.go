package content

import (
	"context"
	"database/sql"
	"encoding/json"
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
	r := &bulkRead{ctx: ctx, tx: tx, at: map[string]int{}, locs: map[string]*Location{}}
	steps := []func() error{r.services, r.serviceTexts, r.serviceLists, r.childTexts, r.locations, r.locationTexts, r.serviceLocations}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return r.out, nil
}

// SetSource notes in the catalog where its records came from ("demo",
// "import csv"), as a new file written by Create records it.
func (b *Batch) SetSource(source string) error { return b.setMeta("source", source) }

// ValidLanguageTag reports whether s can be the language of a Text: an ISO
// 639 code, optionally with subtags ("it", "pt-BR").
func ValidLanguageTag(s string) bool { return tagPattern.MatchString(s) }

// bulkRead reads every service, one table after the other, inside one
// read transaction.
type bulkRead struct {
	ctx  context.Context
	tx   *sql.Tx
	out  []Service
	at   map[string]int       // service ID → index in out
	locs map[string]*Location // every location, by ID
}

// each runs query and scans every row it returns.
func (r *bulkRead) each(query string, scan func(rows *sql.Rows) error) error {
	rows, err := r.tx.QueryContext(r.ctx, query)
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

// service finds the service a row belongs to (nil for a dangling row).
func (r *bulkRead) service(id string) *Service {
	if i, ok := r.at[id]; ok {
		return &r.out[i]
	}
	return nil
}

// addText sets one translation of a text.
func addText(t *Text, lang, v string) {
	if *t == nil {
		*t = Text{}
	}
	(*t)[lang] = v
}

// services reads the services' own rows, in ID order.
func (r *bulkRead) services() error {
	return r.each(`SELECT id, organization_id, status, url, email, by_appointment, open_on_holidays, coalesce(uuid, ''), extra FROM service ORDER BY id`, func(rows *sql.Rows) error {
		var v Service
		var org sql.NullString
		var extra string
		if err := rows.Scan(&v.ID, &org, &v.Status, &v.URL, &v.Email, &v.ByAppointment, &v.OpenOnHolidays, &v.UUID, &extra); err != nil {
			return err
		}
		if extra != "" {
			v.Extra = Extra(extra)
		}
		v.OrganizationID = org.String
		r.at[v.ID] = len(r.out)
		r.out = append(r.out, v)
		return nil
	})
}

// serviceTexts reads the services' translated fields.
func (r *bulkRead) serviceTexts() error {
	return r.each(`SELECT id, field, lang, value FROM translation WHERE entity = 'service'`, func(rows *sql.Rows) error {
		var id, field, lang, v string
		if err := rows.Scan(&id, &field, &lang, &v); err != nil {
			return err
		}
		if p := r.service(id); p != nil {
			if t := serviceText(p, field); t != nil {
				addText(t, lang, v)
			}
		}
		return nil
	})
}

// serviceText is the translated field of a service (nil for another field).
func serviceText(s *Service, field string) *Text {
	switch field {
	case "name":
		return &s.Name
	case "description":
		return &s.Description
	case "eligibility":
		return &s.Eligibility
	case "fees":
		return &s.Fees
	}
	return nil
}

// bulkLists are the lists a service owns, each read by one query whose
// rows start with the service ID, in the order Store.Service gives them.
var bulkLists = []struct {
	query string
	scan  func(r *bulkRead, rows *sql.Rows) error
}{
	{`SELECT c.service_id, c.category_id FROM service_category c JOIN category k ON k.id = c.category_id ORDER BY c.service_id, k.position`, (*bulkRead).category},
	{`SELECT service_id, lang FROM service_language ORDER BY service_id, lang`, (*bulkRead).language},
	{`SELECT service_id, weekday, opens_at, closes_at FROM schedule ORDER BY service_id, weekday, opens_at`, (*bulkRead).slot},
	{`SELECT service_id, date, closed, opens_at, closes_at FROM schedule_exception ORDER BY service_id, pk`, (*bulkRead).exception},
	{`SELECT service_id FROM required_document ORDER BY service_id, position`, (*bulkRead).document},
	{`SELECT service_id, number, type FROM phone ORDER BY service_id, position`, (*bulkRead).phone},
	{`SELECT service_id, name, email, phone FROM contact ORDER BY service_id, position`, (*bulkRead).contact},
	{`SELECT service_id, id, kind, location_id, phone, url, languages, hours FROM channel ORDER BY service_id, position`, (*bulkRead).channel},
}

// channel reads a service's channel as serviceChannels does.
func (r *bulkRead) channel(rows *sql.Rows) error {
	var id, langs, hours string
	var ch Channel
	if err := rows.Scan(&id, &ch.ID, &ch.Kind, &ch.LocationID, &ch.Phone, &ch.URL, &langs, &hours); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(langs), &ch.Languages); err != nil {
		return fmt.Errorf("service %s channel %s languages: %w", id, ch.ID, err)
	}
	if len(ch.Languages) == 0 {
		ch.Languages = nil
	}
	if err := json.Unmarshal([]byte(hours), &ch.Hours); err != nil {
		return fmt.Errorf("service %s channel %s hours: %w", id, ch.ID, err)
	}
	if s := r.service(id); s != nil {
		s.Channels = append(s.Channels, ch)
	}
	return nil
}

// serviceLists reads every list the services own.
func (r *bulkRead) serviceLists() error {
	for _, l := range bulkLists {
		if err := r.each(l.query, func(rows *sql.Rows) error { return l.scan(r, rows) }); err != nil {
			return err
		}
	}
	return nil
}

func (r *bulkRead) category(rows *sql.Rows) error {
	var id, c string
	if err := rows.Scan(&id, &c); err != nil {
		return err
	}
	if p := r.service(id); p != nil {
		p.Categories = append(p.Categories, c)
	}
	return nil
}

func (r *bulkRead) language(rows *sql.Rows) error {
	var id, l string
	if err := rows.Scan(&id, &l); err != nil {
		return err
	}
	if p := r.service(id); p != nil {
		p.Languages = append(p.Languages, l)
	}
	return nil
}

func (r *bulkRead) slot(rows *sql.Rows) error {
	var id string
	var sl Slot
	if err := rows.Scan(&id, &sl.Weekday, &sl.Opens, &sl.Closes); err != nil {
		return err
	}
	if p := r.service(id); p != nil {
		p.Hours.Weekly = append(p.Hours.Weekly, sl)
	}
	return nil
}

func (r *bulkRead) exception(rows *sql.Rows) error {
	var id string
	var ex Exception
	if err := rows.Scan(&id, &ex.Date, &ex.Closed, &ex.Opens, &ex.Closes); err != nil {
		return err
	}
	if p := r.service(id); p != nil {
		p.Hours.Exceptions = append(p.Hours.Exceptions, ex)
	}
	return nil
}

// document adds a document without texts: they are all translations,
// read with the other children's texts. Store.Service leaves a child
// without texts nil.
func (r *bulkRead) document(rows *sql.Rows) error {
	var id string
	if err := rows.Scan(&id); err != nil {
		return err
	}
	if p := r.service(id); p != nil {
		p.Documents = append(p.Documents, nil)
	}
	return nil
}

func (r *bulkRead) phone(rows *sql.Rows) error {
	var id string
	var ph Phone
	if err := rows.Scan(&id, &ph.Number, &ph.Type); err != nil {
		return err
	}
	if p := r.service(id); p != nil {
		p.Phones = append(p.Phones, ph)
	}
	return nil
}

func (r *bulkRead) contact(rows *sql.Rows) error {
	var id string
	var c Contact
	if err := rows.Scan(&id, &c.Name, &c.Email, &c.Phone); err != nil {
		return err
	}
	if p := r.service(id); p != nil {
		p.Contacts = append(p.Contacts, c)
	}
	return nil
}

// childTexts reads the texts of what a service owns, translated under
// "<service>#<index>" ("<service>#<date>#<index>" for exceptions).
func (r *bulkRead) childTexts() error {
	return r.each(`SELECT entity, id, lang, value FROM translation
		WHERE (entity = 'document' AND field = 'text') OR (entity = 'phone' AND field = 'description')
			OR (entity = 'contact' AND field = 'title') OR (entity = 'exception' AND field = 'note')`, func(rows *sql.Rows) error {
		var entity, id, lang, v string
		if err := rows.Scan(&entity, &id, &lang, &v); err != nil {
			return err
		}
		owner, key, ok := strings.Cut(id, "#")
		p := r.service(owner)
		if !ok || p == nil {
			return nil
		}
		if t := childText(p, entity, key); t != nil {
			addText(t, lang, v)
		}
		return nil
	})
}

// childText is the text of a service's child that key names (nil when
// the service has no such child).
func childText(p *Service, entity, key string) *Text {
	if entity == "exception" {
		return exceptionNote(p, key)
	}
	var idx int
	if _, err := fmt.Sscan(key, &idx); err != nil || idx < 0 {
		return nil
	}
	switch {
	case entity == "document" && idx < len(p.Documents):
		return &p.Documents[idx]
	case entity == "phone" && idx < len(p.Phones):
		return &p.Phones[idx].Description
	case entity == "contact" && idx < len(p.Contacts):
		return &p.Contacts[idx].Title
	}
	return nil
}

// exceptionNote is the note of the exception "<date>#<index>" names.
func exceptionNote(p *Service, key string) *Text {
	date, n, _ := strings.Cut(key, "#")
	var idx int
	if _, err := fmt.Sscan(n, &idx); err != nil || idx < 0 || idx >= len(p.Hours.Exceptions) || p.Hours.Exceptions[idx].Date != date {
		return nil
	}
	return &p.Hours.Exceptions[idx].Note
}

// locations reads every location; serviceLocations gives them to the
// services at them.
func (r *bulkRead) locations() error {
	return r.each(`SELECT id, coalesce(uuid, ''), address, postal_code, comune, province, region, country, wheelchair, geom, extra FROM location`, func(rows *sql.Rows) error {
		var l Location
		var g geo.Blob
		var extra string
		if err := rows.Scan(&l.ID, &l.UUID, &l.Address, &l.PostalCode, &l.Comune, &l.Province, &l.Region, &l.Country, &l.Wheelchair, &g, &extra); err != nil {
			return err
		}
		if extra != "" {
			l.Extra = Extra(extra)
		}
		l.Point, _ = g.Geometry.(orb.Point)
		l.NoPoint = g.Geometry == nil
		r.locs[l.ID] = &l
		return nil
	})
}

// locationTexts reads the locations' translated fields.
func (r *bulkRead) locationTexts() error {
	return r.each(`SELECT id, field, lang, value FROM translation WHERE entity = 'location'`, func(rows *sql.Rows) error {
		var id, field, lang, v string
		if err := rows.Scan(&id, &field, &lang, &v); err != nil {
			return err
		}
		l := r.locs[id]
		switch {
		case l == nil:
		case field == "name":
			addText(&l.Name, lang, v)
		case field == "accessibility":
			addText(&l.Accessibility, lang, v)
		}
		return nil
	})
}

// serviceLocations gives each service a copy of the locations it is at,
// in ID order.
func (r *bulkRead) serviceLocations() error {
	return r.each(`SELECT service_id, location_id FROM service_at_location ORDER BY service_id, location_id`, func(rows *sql.Rows) error {
		var id, loc string
		if err := rows.Scan(&id, &loc); err != nil {
			return err
		}
		if p, l := r.service(id), r.locs[loc]; p != nil && l != nil {
			p.Locations = append(p.Locations, *l)
		}
		return nil
	})
}

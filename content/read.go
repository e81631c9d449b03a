package content

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/geo"
)

func notFound(err error, what, id string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %s %q", ErrNotFound, what, id)
	}
	return fmt.Errorf("content: %s %s: %w", what, id, err)
}

// text reads every translation of one field.
func (s *Store) text(ctx context.Context, entity, id, field string) (Text, error) {
	rows, err := s.query(ctx, "SELECT lang, value FROM translation WHERE entity = ? AND id = ? AND field = ?", entity, id, field)
	if err != nil {
		return nil, fmt.Errorf("content: read %s %s: %w", entity, field, err)
	}
	defer rows.Close()
	t := Text{}
	for rows.Next() {
		var lang, v string
		if err := rows.Scan(&lang, &v); err != nil {
			return nil, err
		}
		t[lang] = v
	}
	return t, rows.Err()
}

// texts reads every translated field of an entity: field → Text.
func (s *Store) texts(ctx context.Context, entity, id string) (map[string]Text, error) {
	rows, err := s.query(ctx, "SELECT field, lang, value FROM translation WHERE entity = ? AND id = ?", entity, id)
	if err != nil {
		return nil, fmt.Errorf("content: read %s: %w", entity, err)
	}
	defer rows.Close()
	out := map[string]Text{}
	for rows.Next() {
		var field, lang, v string
		if err := rows.Scan(&field, &lang, &v); err != nil {
			return nil, err
		}
		if out[field] == nil {
			out[field] = Text{}
		}
		out[field][lang] = v
	}
	return out, rows.Err()
}

// childTexts reads the translations of a service's children ("<id>#…").
func (s *Store) childTexts(ctx context.Context, entity, serviceID, field string) (map[string]Text, error) {
	lo, hi := childRange(serviceID)
	rows, err := s.query(ctx, "SELECT id, lang, value FROM translation WHERE entity = ? AND field = ? AND id >= ? AND id < ?", entity, field, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Text{}
	for rows.Next() {
		var id, lang, v string
		if err := rows.Scan(&id, &lang, &v); err != nil {
			return nil, err
		}
		id = strings.TrimPrefix(id, lo)
		if out[id] == nil {
			out[id] = Text{}
		}
		out[id][lang] = v
	}
	return out, rows.Err()
}

// Service reads a whole service with every translation.
func (s *Store) Service(ctx context.Context, id string) (*Service, error) {
	svc := &Service{ID: id}
	var org, uid sql.NullString
	var extra string
	err := s.queryRow(ctx, `SELECT organization_id, status, url, email, by_appointment, open_on_holidays, uuid, extra
		FROM service WHERE id = ?`, id).Scan(&org, &svc.Status, &svc.URL, &svc.Email, &svc.ByAppointment, &svc.OpenOnHolidays, &uid, &extra)
	if err != nil {
		return nil, notFound(err, "service", id)
	}
	svc.OrganizationID, svc.UUID = org.String, uid.String
	if extra != "" {
		svc.Extra = Extra(extra)
	}
	tx, err := s.texts(ctx, "service", id)
	if err != nil {
		return nil, err
	}
	svc.Name, svc.Description, svc.Eligibility, svc.Fees = tx["name"], tx["description"], tx["eligibility"], tx["fees"]
	for _, l := range serviceLists(svc) {
		if err := s.scanList(ctx, id, l); err != nil {
			return nil, err
		}
	}
	if err := s.serviceChildTexts(ctx, svc); err != nil {
		return nil, err
	}
	for i := range svc.Locations {
		lt, err := s.texts(ctx, "location", svc.Locations[i].ID)
		if err != nil {
			return nil, err
		}
		svc.Locations[i].Name, svc.Locations[i].Accessibility = lt["name"], lt["accessibility"]
	}
	if svc.Channels, err = s.serviceChannels(ctx, id); err != nil {
		return nil, err
	}
	return svc, nil
}

// listQuery reads one list of a service's rows: query takes the
// service's ID, scan adds a row to the service.
type listQuery struct {
	query string
	scan  func(*sql.Rows) error
}

// serviceLists are the lists a service is read from, each adding to svc.
func serviceLists(svc *Service) []listQuery {
	return []listQuery{
		{"SELECT c.category_id FROM service_category c JOIN category k ON k.id = c.category_id WHERE c.service_id = ? ORDER BY k.position", func(r *sql.Rows) error {
			var c string
			err := r.Scan(&c)
			svc.Categories = append(svc.Categories, c)
			return err
		}},
		{"SELECT lang FROM service_language WHERE service_id = ? ORDER BY lang", func(r *sql.Rows) error {
			var l string
			err := r.Scan(&l)
			svc.Languages = append(svc.Languages, l)
			return err
		}},
		{"SELECT weekday, opens_at, closes_at FROM schedule WHERE service_id = ? ORDER BY weekday, opens_at", func(r *sql.Rows) error {
			var sl Slot
			err := r.Scan(&sl.Weekday, &sl.Opens, &sl.Closes)
			svc.Hours.Weekly = append(svc.Hours.Weekly, sl)
			return err
		}},
		{"SELECT date, closed, opens_at, closes_at FROM schedule_exception WHERE service_id = ? ORDER BY pk", func(r *sql.Rows) error {
			var ex Exception
			err := r.Scan(&ex.Date, &ex.Closed, &ex.Opens, &ex.Closes)
			svc.Hours.Exceptions = append(svc.Hours.Exceptions, ex)
			return err
		}},
		{"SELECT position FROM required_document WHERE service_id = ? ORDER BY position", func(r *sql.Rows) error {
			var p int
			err := r.Scan(&p)
			svc.Documents = append(svc.Documents, Text{})
			return err
		}},
		{"SELECT number, type FROM phone WHERE service_id = ? ORDER BY position", func(r *sql.Rows) error {
			var p Phone
			err := r.Scan(&p.Number, &p.Type)
			svc.Phones = append(svc.Phones, p)
			return err
		}},
		{"SELECT name, email, phone FROM contact WHERE service_id = ? ORDER BY position", func(r *sql.Rows) error {
			var c Contact
			err := r.Scan(&c.Name, &c.Email, &c.Phone)
			svc.Contacts = append(svc.Contacts, c)
			return err
		}},
		{`SELECT l.id, coalesce(l.uuid, ''), l.address, l.postal_code, l.comune, l.province, l.region, l.country, l.wheelchair, l.geom, l.extra
			FROM service_at_location sal JOIN location l ON l.id = sal.location_id
			WHERE sal.service_id = ? ORDER BY l.id`, func(r *sql.Rows) error {
			var l Location
			var g geo.Blob
			var extra string
			if err := r.Scan(&l.ID, &l.UUID, &l.Address, &l.PostalCode, &l.Comune, &l.Province, &l.Region, &l.Country, &l.Wheelchair, &g, &extra); err != nil {
				return err
			}
			if extra != "" {
				l.Extra = Extra(extra)
			}
			l.Point, _ = g.Geometry.(orb.Point)
			l.NoPoint = g.Geometry == nil
			svc.Locations = append(svc.Locations, l)
			return nil
		}},
	}
}

// scanList runs one list query for service id.
func (s *Store) scanList(ctx context.Context, id string, l listQuery) error {
	rows, err := s.query(ctx, l.query, id)
	if err != nil {
		return fmt.Errorf("content: service %s: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := l.scan(rows); err != nil {
			return fmt.Errorf("content: service %s: %w", id, err)
		}
	}
	return rows.Err()
}

// serviceChildTexts fills the translations of a service's documents,
// phones, contacts and exceptions, stored by position.
func (s *Store) serviceChildTexts(ctx context.Context, svc *Service) error {
	id := svc.ID
	children := []struct {
		entity, field string
		set           func(i int, t Text)
		n             int
	}{
		{"document", "text", func(i int, t Text) { svc.Documents[i] = t }, len(svc.Documents)},
		{"phone", "description", func(i int, t Text) { svc.Phones[i].Description = t }, len(svc.Phones)},
		{"contact", "title", func(i int, t Text) { svc.Contacts[i].Title = t }, len(svc.Contacts)},
	}
	for _, c := range children {
		if c.n == 0 {
			continue
		}
		m, err := s.childTexts(ctx, c.entity, id, c.field)
		if err != nil {
			return err
		}
		for i := range c.n {
			c.set(i, m[fmt.Sprint(i)])
		}
	}
	if len(svc.Hours.Exceptions) > 0 {
		m, err := s.childTexts(ctx, "exception", id, "note")
		if err != nil {
			return err
		}
		for i := range svc.Hours.Exceptions {
			svc.Hours.Exceptions[i].Note = m[fmt.Sprintf("%s#%d", svc.Hours.Exceptions[i].Date, i)]
		}
	}
	return nil
}

// Organization reads one organization with every translation.
func (s *Store) Organization(ctx context.Context, id string) (*Organization, error) {
	o := &Organization{ID: id}
	var extra string
	err := s.queryRow(ctx, "SELECT url, email, coalesce(uuid, ''), extra FROM organization WHERE id = ?", id).Scan(&o.URL, &o.Email, &o.UUID, &extra)
	if err != nil {
		return nil, notFound(err, "organization", id)
	}
	if extra != "" {
		o.Extra = Extra(extra)
	}
	tx, err := s.texts(ctx, "organization", id)
	if err != nil {
		return nil, err
	}
	o.Name, o.Description = tx["name"], tx["description"]
	return o, nil
}

// HasService reports whether the catalog holds a service with that id.
func (s *Store) HasService(ctx context.Context, id string) (bool, error) {
	var one int
	err := s.queryRow(ctx, "SELECT 1 FROM service WHERE id = ?", id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("content: service %s: %w", id, err)
	}
	return true, nil
}

package content

import (
	"database/sql"
	"errors"
	"fmt"
	"strconv"
)

// PutService creates or replaces a service with everything that belongs to
// it, including its locations.
func (b *Batch) PutService(s *Service) error {
	if err := s.Validate(); err != nil {
		return err
	}
	var org any
	if s.OrganizationID != "" {
		if n, err := b.queryInt("SELECT count(*) FROM organization WHERE id = ?", s.OrganizationID); err != nil {
			return err
		} else if n == 0 {
			return invalid("organization_id", "no organization %q", s.OrganizationID)
		}
		org = s.OrganizationID
	}
	pk, err := b.replaceService(s, org)
	if err != nil {
		return fmt.Errorf("content: service %s: %w", s.ID, err)
	}
	for _, step := range []func(*Service) error{b.putServiceTexts, b.putServiceLists, b.putServiceContacts, b.putServiceHours, b.putServiceLocations, b.putServiceChannels} {
		if err := step(s); err != nil {
			return err
		}
	}
	if b.full {
		// Bulk writes index each service as it goes, from the database;
		// a location or organization written again later rebuilds it.
		if err := b.indexText(s.ID); err != nil {
			return err
		}
		b.noteIndexed(s)
	} else if err := b.searchFromDoc(s, pk); err != nil {
		return err
	}
	b.services = append(b.services, s.ID)
	return b.wrote()
}

// replaceService writes a service's own row. An existing one is deleted
// first, which removes everything the service owns in one statement (the
// child tables cascade), and comes back under the same pk: the search row's
// rowid.
func (b *Batch) replaceService(s *Service, org any) (int64, error) {
	var old any
	id, extra := s.UUID, string(s.Extra)
	if !b.fresh {
		var pk int64
		var was sql.NullString
		var wasExtra string
		err := b.queryRow("SELECT pk, uuid, extra FROM service WHERE id = ?", s.ID).Scan(&pk, &was, &wasExtra)
		switch {
		case err == nil:
			if id == "" {
				id = was.String // a service written without a UUID keeps its own
			}
			if extra == "" {
				extra = wasExtra // and its unmodelled HSDS fields
			}
			if _, err := b.exec("DELETE FROM service WHERE pk = ?", pk); err != nil {
				return 0, err
			}
			old = pk
		case !errors.Is(err, sql.ErrNoRows):
			return 0, err
		}
	}
	if id == "" {
		id = RecordUUID(KindService, s.ID)
	}
	const insert = `INSERT INTO service(pk, id, organization_id, status, url, email, by_appointment, open_on_holidays, updated_at, uuid, extra)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	res, err := b.exec(insert, old, s.ID, org, s.Status, s.URL, s.Email, s.ByAppointment, s.OpenOnHolidays, b.now, id, extra)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// putServiceTexts writes a service's own translations, after removing its
// children's.
func (b *Batch) putServiceTexts(s *Service) error {
	lo, hi := childRange(s.ID)
	if err := b.deleteChildren(lo, hi); err != nil {
		return err
	}
	if !b.fresh {
		if _, err := b.exec("DELETE FROM translation WHERE entity = 'service' AND id = ?", s.ID); err != nil {
			return err
		}
	}
	for f, t := range map[string]Text{"name": s.Name, "description": s.Description, "eligibility": s.Eligibility, "fees": s.Fees} {
		if err := b.writeText(false, "service", s.ID, f, t); err != nil {
			return err
		}
	}
	return nil
}

// putServiceLists writes a service's categories and languages.
func (b *Batch) putServiceLists(s *Service) error {
	for _, c := range dedupe(s.Categories) {
		if _, err := b.exec("INSERT INTO service_category(service_id, category_id) VALUES (?, ?)", s.ID, c); err != nil {
			return err
		}
	}
	for _, l := range dedupe(s.Languages) {
		if _, err := b.exec("INSERT INTO service_language(service_id, lang) VALUES (?, ?)", s.ID, l); err != nil {
			return err
		}
	}
	return nil
}

// putServiceContacts writes a service's required documents, phones and
// contacts, each with its translations.
func (b *Batch) putServiceContacts(s *Service) error {
	lo, _ := childRange(s.ID)
	for i, d := range s.Documents {
		if _, err := b.exec("INSERT INTO required_document(service_id, position) VALUES (?, ?)", s.ID, i); err != nil {
			return err
		}
		if err := b.setText("document", lo+strconv.Itoa(i), "text", d); err != nil {
			return err
		}
	}
	for i, p := range s.Phones {
		typ := p.Type
		if typ == "" {
			typ = "voice"
		}
		if _, err := b.exec("INSERT INTO phone(service_id, position, number, type) VALUES (?, ?, ?, ?)", s.ID, i, p.Number, typ); err != nil {
			return err
		}
		if err := b.setText("phone", lo+strconv.Itoa(i), "description", p.Description); err != nil {
			return err
		}
	}
	for i, c := range s.Contacts {
		if _, err := b.exec("INSERT INTO contact(service_id, position, name, email, phone) VALUES (?, ?, ?, ?, ?)", s.ID, i, c.Name, c.Email, c.Phone); err != nil {
			return err
		}
		if err := b.setText("contact", lo+strconv.Itoa(i), "title", c.Title); err != nil {
			return err
		}
	}
	return nil
}

// putServiceHours writes a service's weekly hours and exceptions.
func (b *Batch) putServiceHours(s *Service) error {
	lo, _ := childRange(s.ID)
	for _, sl := range s.Hours.Weekly {
		if _, err := b.exec("INSERT INTO schedule(service_id, weekday, opens_at, closes_at) VALUES (?, ?, ?, ?)", s.ID, sl.Weekday, sl.Opens, sl.Closes); err != nil {
			return err
		}
	}
	for i, ex := range s.Hours.Exceptions {
		if _, err := b.exec("INSERT INTO schedule_exception(service_id, date, closed, opens_at, closes_at) VALUES (?, ?, ?, ?, ?)",
			s.ID, ex.Date, ex.Closed, ex.Opens, ex.Closes); err != nil {
			return err
		}
		if err := b.setText("exception", lo+ex.Date+"#"+strconv.Itoa(i), "note", ex.Note); err != nil {
			return err
		}
	}
	return nil
}

// putServiceLocations writes a service's locations and links it to them.
func (b *Batch) putServiceLocations(s *Service) error {
	for i := range s.Locations {
		l := &s.Locations[i]
		if err := b.PutLocation(l); err != nil {
			return err
		}
		if _, err := b.exec("INSERT OR IGNORE INTO service_at_location(service_id, location_id) VALUES (?, ?)", s.ID, l.ID); err != nil {
			return err
		}
	}
	return nil
}

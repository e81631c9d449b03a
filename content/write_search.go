package content

import (
	"fmt"
	"strings"
)

// A service's search row is built from the record being written when that
// is safe, instead of being read back from the database (which costs more
// than the rest of the write): the record holds its own texts and its
// locations'; only its organization's texts are read, once per batch. It
// is safe unless another record written later in the same batch changed
// one of its locations or its organization; then the row is rebuilt from
// the database before commit, as for every other affected service.

// docIndexed is a service whose search row was built from its record.
type docIndexed struct {
	op   int      // when it was written, in the batch's order
	org  string   // its organization
	locs []string // its locations
}

// touch records that a location or organization was written now.
func (b *Batch) touch(m *map[string]int, id string) {
	if *m == nil {
		*m = map[string]int{}
	}
	b.op++
	(*m)[id] = b.op
}

// searchFromDoc writes the search row of a service from the record.
func (b *Batch) searchFromDoc(s *Service, pk int64) error {
	if !b.fresh {
		if _, err := b.exec("DELETE FROM service_text WHERE pk = ?", pk); err != nil {
			return fmt.Errorf("content: search index: %w", err)
		}
	}
	b.noteIndexed(s)
	if s.Status == StatusWithdrawn {
		return nil
	}
	var names, body strings.Builder
	add := func(w *strings.Builder, t Text) {
		for _, v := range t {
			if v = strings.TrimSpace(v); v != "" {
				w.WriteString(fold(v))
				w.WriteByte('\n')
			}
		}
	}
	add(&names, s.Name)
	for _, t := range []Text{s.Description, s.Eligibility, s.Fees} {
		add(&body, t)
	}
	for _, d := range s.Documents {
		add(&body, d)
	}
	for _, p := range s.Phones {
		add(&body, p.Description)
	}
	for _, c := range s.Contacts {
		add(&body, c.Title)
	}
	for _, ex := range s.Hours.Exceptions {
		add(&body, ex.Note)
	}
	if s.OrganizationID != "" {
		t, err := b.orgText(s.OrganizationID)
		if err != nil {
			return err
		}
		body.WriteString(t)
	}
	for _, l := range s.Locations {
		add(&body, l.Name)
		add(&body, l.Accessibility)
		body.WriteString(fold(l.Comune + " " + l.Address + " " + l.PostalCode))
		body.WriteByte('\n')
	}
	if _, err := b.exec("INSERT INTO service_text(pk, names, body) VALUES (?, ?, ?)", pk, names.String(), body.String()); err != nil {
		return fmt.Errorf("content: search index: %w", err)
	}
	return nil
}

// noteIndexed records that a service's search row was built now, from
// its locations and organization as they are (see searchCurrent).
func (b *Batch) noteIndexed(s *Service) {
	b.op++
	entry := docIndexed{op: b.op, org: s.OrganizationID}
	for _, l := range s.Locations {
		entry.locs = append(entry.locs, l.ID)
	}
	if b.docIndexed == nil {
		b.docIndexed = map[string]docIndexed{}
	}
	b.docIndexed[s.ID] = entry
}

// orgText is an organization's texts, folded, as the search row holds them.
func (b *Batch) orgText(id string) (string, error) {
	if t, ok := b.orgTexts[id]; ok {
		return t, nil
	}
	st, err := b.stmt("SELECT value FROM translation WHERE entity = 'organization' AND id = ?")
	if err != nil {
		return "", err
	}
	rows, err := st.QueryContext(b.ctx, id)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var w strings.Builder
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return "", err
		}
		w.WriteString(fold(v))
		w.WriteByte('\n')
	}
	if b.orgTexts == nil {
		b.orgTexts = map[string]string{}
	}
	b.orgTexts[id] = w.String()
	return w.String(), rows.Err()
}

// searchCurrent reports whether a service's search row, built from its
// record, still holds: nothing written after it changed its locations or
// organization.
func (b *Batch) searchCurrent(id string) bool {
	e, ok := b.docIndexed[id]
	if !ok {
		return false
	}
	if at, ok := b.orgWritten[e.org]; ok && at > e.op {
		return false
	}
	for _, l := range e.locs {
		if b.locWritten[l] > e.op {
			return false
		}
	}
	return true
}

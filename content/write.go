package content

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/geo"
)

// Batch writes records inside one transaction (see Store.Write). Records
// are validated before anything is written.
type Batch struct {
	ctx      context.Context
	tx       *sql.Tx
	stmts    map[string]*sql.Stmt
	now      string
	services []string        // IDs written, for the index update
	full     bool            // many records: rebuild the whole index after commit
	fresh    bool            // writing a new file: there is nothing to delete first
	locs     map[string]bool // locations written by this batch (fresh only)
	written  []string        // IDs of locations written by this batch
	orgs     []string        // IDs of organizations written by this batch
	areas    bool            // a territory was written: reload the area index
	terms    bool            // a lexicon term was written or deleted: rebuild the store's lexicon
	closures bool            // a closure was written or deleted: read them again
	pending  int             // records written since the batch last settled
	settled  bool            // the bookkeeping above was forgotten once (see settle)
	settleAt int             // tests: settle after so many records (default settleEvery)

	op         int                   // counts writes, to order them
	docIndexed map[string]docIndexed // search rows built from records
	orgTexts   map[string]string     // organizations' folded texts
	locWritten map[string]int        // when each location was last written
	orgWritten map[string]int        // when each organization was last written
}

// stmt returns the batch's prepared statement for query, preparing it the
// first time: a bulk write runs the same few statements millions of times.
func (b *Batch) stmt(query string) (*sql.Stmt, error) {
	if st, ok := b.stmts[query]; ok {
		return st, nil
	}
	st, err := b.tx.PrepareContext(b.ctx, query)
	if err != nil {
		return nil, fmt.Errorf("content: prepare: %w", err)
	}
	b.stmts[query] = st
	return st, nil
}

func (b *Batch) exec(query string, args ...any) (sql.Result, error) {
	st, err := b.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(b.ctx, args...)
}

func (b *Batch) queryInt(query string, args ...any) (int64, error) {
	st, err := b.stmt(query)
	if err != nil {
		return 0, err
	}
	var v int64
	err = st.QueryRowContext(b.ctx, args...).Scan(&v)
	return v, err
}

// queryRow runs a prepared single-row query; a failed prepare comes back
// from Scan.
func (b *Batch) queryRow(query string, args ...any) rowScanner {
	st, err := b.stmt(query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(b.ctx, args...)
}

// insertPK writes a row and returns its integer primary key: a plain
// INSERT into a new file (much faster), else the UPSERT with RETURNING.
func (b *Batch) insertPK(insert, upsert string, args ...any) (int64, error) {
	if !b.fresh || insert == "" {
		return b.queryInt(upsert, args...)
	}
	res, err := b.exec(insert, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// Write runs fn in one transaction and, once it has committed, brings the
// in-memory index up to date. If fn returns an error nothing is written.
func (s *Store) Write(ctx context.Context, fn func(*Batch) error) error {
	return s.write(ctx, false, fn)
}

func (s *Store) write(ctx context.Context, fresh bool, fn func(*Batch) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	// The transaction and its statements run without a cancellable
	// context: database/sql and mattn watch each cancellable query with a
	// goroutine, which costs more than many of the statements, and a
	// write is a transaction that is cheap to finish anyway.
	wctx := context.WithoutCancel(ctx)
	tx, err := s.w.BeginTx(wctx, nil)
	if err != nil {
		return fmt.Errorf("content: begin: %w", err)
	}
	b := &Batch{ctx: wctx, tx: tx, stmts: map[string]*sql.Stmt{}, now: time.Now().UTC().Format(time.RFC3339), fresh: fresh}
	defer func() {
		for _, st := range b.stmts {
			st.Close()
		}
	}()
	if err := fn(b); err != nil {
		tx.Rollback()
		return err
	}
	// Services that share a location with a written one may have moved or
	// changed address: their search text is rebuilt too.
	affected, err := b.servicesSharingLocations()
	if err != nil {
		tx.Rollback()
		return err
	}
	for _, id := range affected {
		if b.searchCurrent(id) {
			continue
		}
		if err := b.indexText(id); err != nil {
			tx.Rollback()
			return err
		}
	}
	if err := newGeneration(wctx, tx); err != nil { // the index file is stale from now
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("content: commit: %w", err)
	}
	if err := s.afterCommit(ctx, b, affected); err != nil {
		return &AfterCommitError{Err: err}
	}
	return nil
}

// AfterCommitError is an error that came after the write had committed:
// the data is written, the in-memory index did not follow.
type AfterCommitError struct{ Err error }

func (e *AfterCommitError) Error() string {
	return "content: written, but the index did not follow: " + e.Err.Error()
}
func (e *AfterCommitError) Unwrap() error { return e.Err }

// afterCommit brings the in-memory index up to date with a committed write.
func (s *Store) afterCommit(ctx context.Context, b *Batch, affected []string) error {
	// What is committed must reach the index even if the caller gives up
	// now.
	ctx = context.WithoutCancel(ctx)
	if b.closures || b.full {
		s.closureGen.Add(1)
	}
	if !s.indexed {
		return nil
	}
	s.recount()
	if b.terms {
		if err := s.loadLexicon(ctx); err != nil {
			return err
		}
	}
	if b.full || b.settled || len(affected) > 5000 {
		return s.reload(ctx)
	}
	if len(affected) > 0 {
		if err := s.refresh(ctx, affected); err != nil {
			return err
		}
	}
	if b.areas {
		areas, err := s.loadAreas(ctx)
		if err != nil {
			return err
		}
		s.areas.Store(areas)
	}
	return nil
}

// servicesSharingLocations lists the services whose index entries or search
// text this batch may have changed: those it wrote, and every service at a
// location it wrote (a moved or renamed building moves all of them).
func (b *Batch) servicesSharingLocations() ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, id := range b.services {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	queries := []struct {
		sql string
		ids []string
	}{
		{"SELECT DISTINCT service_id FROM service_at_location WHERE location_id IN (", dedupe(b.written)},
		{"SELECT id FROM service WHERE organization_id IN (", dedupe(b.orgs)},
	}
	for _, q := range queries {
		if err := b.collect(q.sql, q.ids, seen, &out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// collect adds to out the IDs a query returns for the given keys, once.
func (b *Batch) collect(query string, keys []string, seen map[string]bool, out *[]string) error {
	for _, chunk := range chunks(keys, 400) {
		rows, err := b.tx.QueryContext(b.ctx, query+placeholders(len(chunk))+")", anySlice(chunk)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			if !seen[id] {
				seen[id] = true
				*out = append(*out, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// Bulk marks the batch as large, so the index is rebuilt once at the end
// rather than updated record by record.
func (b *Batch) Bulk() { b.full = true }

func (b *Batch) setText(entity, id, field string, t Text) error {
	return b.writeText(!b.fresh, entity, id, field, t)
}

// writeText stores a translated field, first deleting the old one when
// replace is set (it need not be in a new file).
func (b *Batch) writeText(replace bool, entity, id, field string, t Text) error {
	if replace {
		if _, err := b.exec("DELETE FROM translation WHERE entity = ? AND id = ? AND field = ?", entity, id, field); err != nil {
			return err
		}
	}
	// One statement for every language of the field.
	args := make([]any, 0, 5*len(t))
	for _, lang := range sortedKeys(t) {
		if v := strings.TrimSpace(t[lang]); v != "" {
			args = append(args, entity, id, field, lang, v)
		}
	}
	if len(args) == 0 {
		return nil
	}
	n := len(args) / 5
	q := "INSERT INTO translation(entity, id, field, lang, value) VALUES (?, ?, ?, ?, ?)" + strings.Repeat(", (?, ?, ?, ?, ?)", n-1)
	_, err := b.exec(q, args...)
	return err
}

// PutOrganization creates or replaces an organization.
func (b *Batch) PutOrganization(o *Organization) error {
	if err := o.Validate(); err != nil {
		return err
	}
	b.orgs = append(b.orgs, o.ID)
	b.touch(&b.orgWritten, o.ID)
	delete(b.orgTexts, o.ID)
	if err := b.wrote(); err != nil {
		return err
	}
	if _, err := b.exec(`INSERT INTO organization(id, url, email, uuid, extra) VALUES (?1, ?2, ?3, coalesce(nullif(?4, ''), ?5), ?6)
		ON CONFLICT(id) DO UPDATE SET url = excluded.url, email = excluded.email,
			uuid = CASE WHEN ?4 = '' THEN coalesce(organization.uuid, excluded.uuid) ELSE excluded.uuid END,
			extra = CASE WHEN ?6 = '' THEN organization.extra ELSE excluded.extra END`,
		o.ID, o.URL, o.Email, o.UUID, RecordUUID(KindOrganization, o.ID), string(o.Extra)); err != nil {
		return fmt.Errorf("content: organization %s: %w", o.ID, err)
	}
	if err := b.setText("organization", o.ID, "name", o.Name); err != nil {
		return err
	}
	return b.setText("organization", o.ID, "description", o.Description)
}

const sqlPutTerritory = `INSERT INTO territory(id, kind, region, geom) VALUES (?, ?, ?, ?)
	ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, region = excluded.region, geom = excluded.geom
	RETURNING pk`

// PutTerritory creates or replaces a territory and its spatial index entry.
func (b *Batch) PutTerritory(t *Territory) error {
	if err := t.Validate(); err != nil {
		return err
	}
	blob, err := geo.EncodeBlob(t.Shape, geo.SRID)
	if err != nil {
		return invalid("shape", "%v", err)
	}
	pk, err := b.queryInt(sqlPutTerritory, t.ID, t.Kind, t.Region, blob)
	if err != nil {
		return fmt.Errorf("content: territory %s: %w", t.ID, err)
	}
	if err := b.putRTree("idx_territory_geom", pk, t.Shape.Bound()); err != nil {
		return err
	}
	b.areas = true
	return b.setText("territory", t.ID, "name", t.Name)
}

func (b *Batch) putRTree(table string, pk int64, bd orb.Bound) error {
	_, err := b.exec("INSERT OR REPLACE INTO "+table+"(pkid, xmin, xmax, ymin, ymax) VALUES (?, ?, ?, ?, ?)",
		pk, bd.Min[0], bd.Max[0], bd.Min[1], bd.Max[1])
	return err
}

// PutLocation creates or replaces a location and its spatial index entry.
func (b *Batch) PutLocation(l *Location) error {
	if err := l.Validate(); err != nil {
		return err
	}
	var blob any // NULL: no point
	if !l.NoPoint {
		enc, err := geo.EncodeBlob(l.Point, geo.SRID)
		if err != nil {
			return err
		}
		blob = enc
	}
	// A location written without a UUID keeps the one it has (?9), or gets
	// its derived one (?10).
	const insert = `INSERT INTO location(id, address, postal_code, comune, province, region, wheelchair, geom, uuid, country, extra)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, coalesce(nullif(?9, ''), ?10), ?11, ?12)`
	insertOnly, replace := insert, !b.fresh
	if b.fresh {
		// A location shared by several services is written once per
		// service: the second time it is an update.
		if b.locs == nil {
			b.locs = map[string]bool{}
		}
		again := b.locs[l.ID]
		if !again && b.settled {
			// Written before the batch settled?
			n, err := b.queryInt("SELECT count(*) FROM location WHERE id = ?", l.ID)
			if err != nil {
				return fmt.Errorf("content: location %s: %w", l.ID, err)
			}
			again = n > 0
		}
		if again {
			insertOnly, replace = "", true
		}
		b.locs[l.ID] = true
	}
	pk, err := b.insertPK(insertOnly, insert+`
		ON CONFLICT(id) DO UPDATE SET address = excluded.address, postal_code = excluded.postal_code,
			comune = excluded.comune, province = excluded.province, region = excluded.region,
			wheelchair = excluded.wheelchair, geom = excluded.geom, country = excluded.country,
			uuid = CASE WHEN ?9 = '' THEN coalesce(location.uuid, excluded.uuid) ELSE excluded.uuid END,
			extra = CASE WHEN ?12 = '' THEN location.extra ELSE excluded.extra END
		RETURNING pk`, l.ID, l.Address, l.PostalCode, l.Comune, l.Province, l.Region, l.Wheelchair, blob, l.UUID, RecordUUID("location", l.ID), l.Country, string(l.Extra))
	if err != nil {
		return fmt.Errorf("content: location %s: %w", l.ID, err)
	}
	if l.NoPoint && !b.fresh {
		// Off the map now: no stale spatial index entry.
		if _, err := b.exec("DELETE FROM idx_location_geom WHERE pkid = ?", pk); err != nil {
			return err
		}
	} else if !l.NoPoint {
		if err := b.putRTree("idx_location_geom", pk, l.Point.Bound()); err != nil {
			return err
		}
	}
	b.written = append(b.written, l.ID)
	b.touch(&b.locWritten, l.ID)
	b.pending++ // settles with the service that writes it
	if err := b.writeText(replace, "location", l.ID, "name", l.Name); err != nil {
		return err
	}
	return b.writeText(replace, "location", l.ID, "accessibility", l.Accessibility)
}

// childPrefix bounds the translation IDs of a service's children
// ("<service>#…"): '$' sorts right after '#'.
func childRange(serviceID string) (string, string) { return serviceID + "#", serviceID + "$" }

// deleteChildren removes the translated texts of what a service owns
// (documents, phones, contacts, closures) before it is written again.
func (b *Batch) deleteChildren(lo, hi string) error {
	if b.fresh {
		return nil
	}
	_, err := b.exec("DELETE FROM translation WHERE entity IN ('document', 'phone', 'contact', 'exception') AND id >= ? AND id < ?", lo, hi)
	return err
}

// textSources are the translated texts a service's search row holds, read
// inside the batch's transaction: its own fields, its children's, its
// organization's and its locations'. (?1 is the service ID, ?2 and ?3 the
// range of its children's IDs.) CROSS JOIN keeps SQLite from walking every
// location's texts to find one service's.
const textSources = `
	SELECT 1, value FROM translation WHERE entity = 'service' AND id = ?1 AND field = 'name'
	UNION ALL SELECT 0, value FROM translation WHERE entity = 'service' AND id = ?1 AND field != 'name'
	UNION ALL SELECT 0, value FROM translation WHERE entity IN ('document', 'phone', 'contact', 'exception') AND id >= ?2 AND id < ?3
	UNION ALL SELECT 0, t.value FROM translation t JOIN service s ON t.entity = 'organization' AND t.id = s.organization_id WHERE s.id = ?1
	UNION ALL SELECT 0, t.value FROM service_at_location sal CROSS JOIN translation t ON t.entity = 'location' AND t.id = sal.location_id WHERE sal.service_id = ?1
	UNION ALL SELECT 0, l.comune || ' ' || l.address || ' ' || l.postal_code FROM location l JOIN service_at_location sal ON sal.location_id = l.id WHERE sal.service_id = ?1`

// indexText rebuilds a service's search text row from what the transaction
// holds: every translation of its name in one column, every other text of
// the service, its documents, phones, contacts, closures, organization and
// locations in the other, all folded. Withdrawn services have no row.
func (b *Batch) indexText(id string) error {
	var pk int64
	var status Status
	st, err := b.stmt("SELECT pk, status FROM service WHERE id = ?")
	if err != nil {
		return err
	}
	if err := st.QueryRowContext(b.ctx, id).Scan(&pk, &status); err != nil {
		return fmt.Errorf("content: search index %s: %w", id, err)
	}
	// A rebuild: the row may be there even in a new file (a service
	// written earlier in this batch shares a location just written).
	if _, err := b.exec("DELETE FROM service_text WHERE pk = ?", pk); err != nil {
		return fmt.Errorf("content: search index: %w", err)
	}
	if status == StatusWithdrawn {
		return nil
	}
	src, err := b.stmt(textSources)
	if err != nil {
		return err
	}
	lo, hi := childRange(id)
	rows, err := src.QueryContext(b.ctx, id, lo, hi)
	if err != nil {
		return fmt.Errorf("content: search index %s: %w", id, err)
	}
	var names, body strings.Builder
	for rows.Next() {
		var isName bool
		var v string
		if err := rows.Scan(&isName, &v); err != nil {
			rows.Close()
			return err
		}
		w := &body
		if isName {
			w = &names
		}
		w.WriteString(fold(v))
		w.WriteByte('\n')
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if _, err := b.exec("INSERT INTO service_text(pk, names, body) VALUES (?, ?, ?)", pk, names.String(), body.String()); err != nil {
		return fmt.Errorf("content: search index: %w", err)
	}
	return nil
}

// PutService writes one service in its own transaction.
func (s *Store) PutService(ctx context.Context, svc *Service) error {
	return s.Write(ctx, func(b *Batch) error { return b.PutService(svc) })
}

func dedupe(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := in[:0:0]
	for _, v := range in {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func anySlice(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func chunks(s []string, n int) [][]string {
	var out [][]string
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	if len(s) > 0 {
		out = append(out, s)
	}
	return out
}

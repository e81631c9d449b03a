package exchange

import (
	"context"
	"fmt"
	"strings"
)

// dangling reports the rows that name a record the package lacks, as
// the package read whole does.
func (pk *pkgStage) dangling() error {
	missing := func(tbl, cond, field, what, target, targetCol string) error {
		q := fmt.Sprintf(`SELECT file, line, %[1]s FROM temp.pkg_stage r WHERE r.tbl = '%[2]s' AND %[3]s
			AND NOT EXISTS (SELECT 1 FROM temp.pkg_stage t WHERE t.tbl = '%[4]s' AND t.%[5]s = r.%[1]s) ORDER BY rowid LIMIT %[6]d`,
			field, tbl, cond, target, targetCol, maxIssues)
		rows, err := pk.b.Tx().Query(q)
		if err != nil {
			return fmt.Errorf("exchange: package table: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var w where
			var v string
			if err := rows.Scan(&w.file, &w.line, &v); err != nil {
				return err
			}
			pk.is.add(w.issue(field, fmt.Sprintf("no %s %q in %s", what, v, target)))
		}
		return rows.Err()
	}
	checks := []struct{ tbl, cond, field, what, target, targetCol string }{
		{"service_at_locations", "1", "service_id", "service", "services", "id"},
		{"service_at_locations", "1", "location_id", "location", "locations", "id"},
		{"addresses", "1", "location_id", "location", "locations", "id"},
		{"accessibility", "1", "location_id", "location", "locations", "id"},
		{"contacts", "(service_id != '' OR NOT " + linkedSQL + ")", "service_id", "service", "services", "id"},
		{"phones", "contact_id != ''", "contact_id", "contact", "contacts", "id"},
		{"phones", "service_at_location_id != ''", "service_at_location_id", "service at location", "service_at_locations", "id"},
		{"phones", "service_id != ''", "service_id", "service", "services", "id"},
		{"schedules", "service_at_location_id != ''", "service_at_location_id", "service at location", "service_at_locations", "id"},
		{"schedules", "(service_id != '' OR NOT " + linkedSQL + ")", "service_id", "service", "services", "id"},
		{"languages", "(service_id != '' OR NOT " + linkedSQL + ")", "service_id", "service", "services", "id"},
		{"required_documents", "1", "service_id", "service", "services", "id"},
		{"attributes", "link_entity = 'service'", "link_id", "service", "services", "id"},
		{"attributes", "link_entity = 'location'", "link_id", "location", "locations", "id"},
	}
	for _, c := range checks {
		if err := missing(c.tbl, c.cond, c.field, c.what, c.target, c.targetCol); err != nil {
			return err
		}
	}
	// The profile's rows name a row of a table Punto reads.
	var known []string
	for _, t := range hsdsTables {
		known = append(known, "'"+t.resource+"'")
	}
	for _, prof := range []string{trResource, slugResource, channelResource} {
		rows, err := pk.b.Tx().Query(fmt.Sprintf(`SELECT file, line, coalesce(link_entity, '') FROM temp.pkg_stage
			WHERE tbl = '%s' AND coalesce(link_entity, '') NOT IN (%s) ORDER BY rowid LIMIT %d`, prof, strings.Join(known, ","), maxIssues))
		if err != nil {
			return fmt.Errorf("exchange: package table: %w", err)
		}
		for rows.Next() {
			var w where
			var e string
			if err := rows.Scan(&w.file, &w.line, &e); err != nil {
				rows.Close()
				return err
			}
			pk.is.add(w.issue("link_entity", fmt.Sprintf("%q is not a table Punto reads", e)))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, t := range hsdsTables {
			cond := fmt.Sprintf("link_entity = '%s'", t.resource)
			if err := missing(prof, cond, "link_id", t.resource, t.name, "id"); err != nil {
				return err
			}
		}
	}
	return nil
}

// stagedTables lists the tables a metadata row may name a row of, quoted
// for SQL.
func stagedTables() string {
	var out []string
	for _, t := range hsdsTables {
		if t.name != "metadata" {
			out = append(out, "'"+t.name+"'")
		}
	}
	return strings.Join(out, ", ")
}

// linkedSQL is linked (hsds_csv_assemble.go) of a staged row r.
const linkedSQL = "(r.organization_id != '' OR r.location_id != '' OR r.service_at_location_id != '' OR r.contact_id != '' OR r.phone_id != '')"

// each runs fn on every row of a staged table, in file order, a page at
// a time (fn writes in the same transaction). A table's rows are staged
// one after the other: a page is a short walk along the rowids, never a
// sort of the whole table (NOT INDEXED).
func (pk *pkgStage) each(ctx context.Context, tbl string, fn func(pkgRow) error) error {
	var after int64
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		page, last, err := pk.rows(fmt.Sprintf("SELECT rowid, tbl, file, line, cols FROM temp.pkg_stage NOT INDEXED WHERE rowid > ? AND tbl = '%s' ORDER BY rowid LIMIT 256", tbl), after)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		for _, r := range page {
			if pk.is.full() {
				return nil
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		after = last
	}
}

// rows reads staged rows (rowid, tbl, file, line, cols); last is the last
// rowid read.
func (pk *pkgStage) rows(query string, args ...any) (out []pkgRow, last int64, err error) {
	rows, err := pk.b.Tx().Query(query, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("exchange: package table: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r pkgRow
		var tbl string
		var doc []byte
		if err := rows.Scan(&last, &tbl, &r.at.file, &r.at.line, &doc); err != nil {
			return nil, 0, err
		}
		if r.cols, err = pk.decodeCells(tbl, doc); err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, last, rows.Err()
}

// owners works out, set by set, whose rows each staged row is: a
// service's ("s" + its id: its own row, its organization's, its services
// at locations and their locations, addresses, accessibility, contacts,
// phones, schedules, languages, documents, attributes and their terms)
// or an organization's ("o" + its id), and the profile's rows of each.
// A row may be several services' (a shared location). The links followed
// are the ones the package read whole follows (assemblePackage).
func (pk *pkgStage) owners() error {
	stmts := []string{
		`CREATE TEMP TABLE IF NOT EXISTS pkg_owner(owner TEXT NOT NULL, rid INTEGER NOT NULL)`,
		`DELETE FROM temp.pkg_owner`,
		`CREATE INDEX IF NOT EXISTS temp.pkg_owner_owner ON pkg_owner(owner, rid)`,
		`CREATE INDEX IF NOT EXISTS temp.pkg_owner_rid ON pkg_owner(rid)`,
		`INSERT INTO pkg_owner SELECT 's' || id, rowid FROM pkg_stage WHERE tbl = 'services'`,
		`INSERT INTO pkg_owner SELECT 'o' || id, rowid FROM pkg_stage WHERE tbl = 'organizations'`,
		`INSERT INTO pkg_owner SELECT 's' || s.id, o.rowid FROM pkg_stage s JOIN pkg_stage o ON o.tbl = 'organizations' AND o.id = s.organization_id
			WHERE s.tbl = 'services'`,
		// Rows of a service by its id (a phone is each record's it links
		// to); a schedule of a service at a location is that one's.
		`INSERT INTO pkg_owner SELECT 's' || service_id, rowid FROM pkg_stage WHERE service_id != '' AND
			tbl IN ('service_at_locations', 'contacts', 'required_documents', 'languages', 'phones', 'schedules', 'service_areas', 'cost_options', 'funding')`,
		`INSERT INTO pkg_owner SELECT 's' || s.id, p.rowid FROM pkg_stage s JOIN pkg_stage p ON p.tbl = 'programs' AND p.id = s.program_id
			WHERE s.tbl = 'services' AND s.program_id != ''`,
		// An organization's own rows; its locations that no service is
		// at (the others are those services' locations).
		`INSERT INTO pkg_owner SELECT 'o' || organization_id, rowid FROM pkg_stage WHERE organization_id != '' AND
			tbl IN ('contacts', 'phones', 'programs', 'funding', 'organization_identifiers')`,
		`INSERT INTO pkg_owner SELECT 'o' || l.organization_id, l.rowid FROM pkg_stage l WHERE l.tbl = 'locations' AND l.organization_id != ''
			AND NOT EXISTS (SELECT 1 FROM pkg_stage sal WHERE sal.tbl = 'service_at_locations' AND sal.location_id = l.id)`,
		`INSERT INTO pkg_owner SELECT DISTINCT 's' || sal.service_id, r.rowid FROM pkg_stage r JOIN pkg_stage sal ON sal.tbl = 'service_at_locations' AND sal.id = r.service_at_location_id
			WHERE r.service_at_location_id != '' AND r.tbl IN ('schedules', 'phones', 'contacts')`,
		`INSERT INTO pkg_owner SELECT DISTINCT 's' || sal.service_id, l.rowid FROM pkg_stage sal JOIN pkg_stage l ON l.tbl = 'locations' AND l.id = sal.location_id
			WHERE sal.tbl = 'service_at_locations'`,
		`INSERT INTO pkg_owner SELECT DISTINCT o.owner, r.rowid FROM pkg_stage r JOIN pkg_stage l ON l.tbl = 'locations' AND l.id = r.location_id JOIN pkg_owner o ON o.rid = l.rowid
			WHERE r.tbl IN ('addresses', 'accessibility', 'contacts', 'phones', 'schedules', 'languages') AND r.location_id != ''`,
		`INSERT INTO pkg_owner SELECT DISTINCT o.owner, r.rowid FROM pkg_stage r JOIN pkg_stage c ON c.tbl = 'contacts' AND c.id = r.contact_id JOIN pkg_owner o ON o.rid = c.rowid
			WHERE r.tbl = 'phones' AND r.contact_id != ''`,
		`INSERT INTO pkg_owner SELECT DISTINCT o.owner, r.rowid FROM pkg_stage r JOIN pkg_stage p ON p.tbl = 'phones' AND p.id = r.phone_id JOIN pkg_owner o ON o.rid = p.rowid
			WHERE r.tbl = 'languages' AND r.phone_id != ''`,
		`INSERT INTO pkg_owner SELECT 's' || link_id, rowid FROM pkg_stage WHERE tbl = 'attributes' AND link_entity != 'location'`,
		`INSERT INTO pkg_owner SELECT DISTINCT o.owner, r.rowid FROM pkg_stage r JOIN pkg_stage l ON l.tbl = 'locations' AND l.id = r.link_id JOIN pkg_owner o ON o.rid = l.rowid
			WHERE r.tbl = 'attributes' AND r.link_entity = 'location'`,
		// Metadata is its record's, whatever the table.
		`INSERT INTO pkg_owner SELECT DISTINCT o.owner, m.rowid FROM pkg_stage m JOIN pkg_stage r ON r.tbl IN (` + stagedTables() + `) AND r.id = m.resource_id
			JOIN pkg_owner o ON o.rid = r.rowid WHERE m.tbl = 'metadata' AND m.resource_id != ''`,
	}
	for _, t := range hsdsTables {
		if t.name == "taxonomy_terms" {
			continue // shared by every service: see loadTerms
		}
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO pkg_owner SELECT DISTINCT o.owner, p.rowid FROM pkg_stage p
			JOIN pkg_stage t ON t.tbl = '%s' AND t.id = p.link_id JOIN pkg_owner o ON o.rid = t.rowid
			WHERE p.tbl IN ('%s', '%s', '%s') AND p.link_entity = '%s'`, t.name, trResource, slugResource, channelResource, t.resource))
	}
	for _, q := range stmts {
		if _, err := pk.b.Tx().Exec(q); err != nil {
			return fmt.Errorf("exchange: package table: %w", err)
		}
	}
	return nil
}

// loadTerms reads the taxonomy terms, with their translations: every
// service's attributes name a few of the same terms, so they are read
// once (a taxonomy is small beside the services it classifies).
func (pk *pkgStage) loadTerms() error {
	terms, _, err := pk.rows("SELECT rowid, tbl, file, line, cols FROM temp.pkg_stage WHERE tbl = 'taxonomy_terms' ORDER BY rowid")
	if err != nil {
		return err
	}
	tables := map[string][]pkgRow{"taxonomy_terms": terms}
	for _, prof := range []string{trResource, slugResource, channelResource} {
		rows, _, err := pk.rows("SELECT rowid, tbl, file, line, cols FROM temp.pkg_stage WHERE tbl = ? AND link_entity = 'taxonomy_term' ORDER BY rowid", prof)
		if err != nil {
			return err
		}
		if len(rows) > 0 {
			applyProfileRows(tables, prof, rows, pk.is)
		}
	}
	pk.terms = map[string]pkgRow{}
	for _, t := range terms {
		if _, dup := pk.terms[t.get("id")]; !dup {
			pk.terms[t.get("id")] = t
		}
	}
	// Their taxonomies, as few.
	taxonomies, _, err := pk.rows("SELECT rowid, tbl, file, line, cols FROM temp.pkg_stage WHERE tbl = 'taxonomies' ORDER BY rowid")
	if err != nil {
		return err
	}
	pk.taxonomies = map[string]pkgRow{}
	for _, t := range taxonomies {
		if _, dup := pk.taxonomies[t.get("id")]; !dup {
			pk.taxonomies[t.get("id")] = t
		}
	}
	return nil
}

// gather collects the rows of one organization or service and of its
// parts, as tables of the package holding only them.
func (pk *pkgStage) gather(r pkgRow, kind string, is *issues) (map[string][]pkgRow, error) {
	owner := "o" + r.get("id")
	if kind == "services" {
		owner = "s" + r.get("id")
	}
	rows, err := pk.b.Query(`SELECT DISTINCT s.rowid, s.tbl, s.file, s.line, s.cols FROM pkg_owner o JOIN pkg_stage s ON s.rowid = o.rid
		WHERE o.owner = ? ORDER BY s.rowid`, owner)
	if err != nil {
		return nil, fmt.Errorf("exchange: package table: %w", err)
	}
	tables := map[string][]pkgRow{}
	profile := map[string][]pkgRow{}
	for rows.Next() {
		var x pkgRow
		var rid int64
		var tbl string
		var doc []byte
		if err := rows.Scan(&rid, &tbl, &x.at.file, &x.at.line, &doc); err != nil {
			rows.Close()
			return nil, err
		}
		if x.cols, err = pk.decodeCells(tbl, doc); err != nil {
			rows.Close()
			return nil, err
		}
		switch {
		case tbl == trResource || tbl == slugResource || tbl == channelResource:
			profile[tbl] = append(profile[tbl], x)
		case tbl == kind && x.at != r.at:
			// Another row of the same id: given twice, reported when its
			// own turn comes.
		default:
			tables[tbl] = append(tables[tbl], x)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if kind == "organizations" {
		// An organization alone, with what it keeps: its services come
		// with their own.
		delete(tables, "services")
	}
	seen := map[string]bool{}
	for _, a := range tables["attributes"] {
		if id := a.get("taxonomy_term_id"); !seen[id] {
			seen[id] = true
			if t, ok := pk.terms[id]; ok {
				tables["taxonomy_terms"] = append(tables["taxonomy_terms"], t)
				if tx, ok := pk.taxonomies[t.get("taxonomy_id")]; ok && !seen["taxonomy "+tx.get("id")] {
					seen["taxonomy "+tx.get("id")] = true
					tables["taxonomies"] = append(tables["taxonomies"], tx)
				}
			}
		}
	}
	for _, prof := range []string{trResource, slugResource, channelResource} {
		if len(profile[prof]) > 0 {
			applyProfileRows(tables, prof, profile[prof], is)
		}
	}
	return tables, nil
}

// put assembles one organization or service from its rows, checks it and
// writes it.
func (pk *pkgStage) put(st *streamState, r pkgRow, kind string) error {
	sub := &issues{format: FormatHSDSCSV, opt: st.opt}
	tables, err := pk.gather(r, kind, sub)
	if err != nil {
		return err
	}
	x := assembleRows(tables, sub, true)
	if x != nil {
		if kind == "services" {
			// Its organization is written already, with the others.
			x.Organizations, x.orgAt = nil, nil
		}
		x.check(sub)
		if err := st.put(st.seen.b, x, sub); err != nil {
			return err
		}
	}
	for _, i := range sub.list {
		pk.is.add(i)
	}
	return nil
}

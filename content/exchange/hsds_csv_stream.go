package exchange

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"github.com/punto-totem/punto/content"
)

// Streamed import of the HSDS CSV package. Its tables refer to one
// another by ID in any order, so they cannot be joined as they are read:
// each table is read row by row (through the zip's decompressor, within
// the budget of unzipped bytes) into a temporary table of the import's
// transaction, indexed by the columns that link the rows; then each
// organization, and each service with the rows of its parts, is gathered
// from there, assembled and written as the package read whole would be.
// Memory is bounded by the largest service, not by the package. An HSDS
// 1.x package is read whole (hsds1_read.go).

// CreateHSDSPackageStream writes a new catalog file at path from the HSDS
// CSV package in fsys (a zip's or a folder's files). Problems and lenient
// as CreateHSDSStream.
func CreateHSDSPackageStream(ctx context.Context, path string, fsys fs.FS, opt ImportOptions) (*StreamResult, error) {
	return streamPackage(ctx, newFileTarget(ctx, path), fsys, opt)
}

// ImportHSDSPackageStream is CreateHSDSPackageStream into an open catalog
// (see ImportHSDSStream).
func ImportHSDSPackageStream(ctx context.Context, s *content.Store, fsys fs.FS, opt ImportOptions) (*StreamResult, error) {
	return streamPackage(ctx, storeTarget(ctx, s), fsys, opt)
}

func streamPackage(ctx context.Context, to streamTarget, fsys fs.FS, opt ImportOptions) (*StreamResult, error) {
	is := &issues{format: FormatHSDSCSV, opt: opt}
	fsys, paths, budget, ok := openPackage(fsys, is)
	if !ok {
		return nil, is.err()
	}
	if isHSDS1(paths) || packageSize(fsys, paths) <= opt.wholeBelow() {
		return wholePackage(to, fsys, opt)
	}
	if _, ok := tablePath(paths, hsdsTables[1]); !ok {
		is.add(ImportIssue{File: "datapackage.json", Field: "resources", Reason: "names no service table (resource \"service\", services.csv)"})
		return nil, is.err()
	}
	var st *streamState
	err := to.write(func(b *content.Batch) error {
		var err error
		if st, err = newStreamState(b, opt, is); err != nil {
			return err
		}
		st.open = to.open
		pk := &pkgStage{b: b, is: is}
		if err := pk.create(); err != nil {
			return err
		}
		for i := range hsdsTables {
			t := &hsdsTables[i]
			if p, ok := tablePath(paths, *t); ok {
				if ok, err := pk.load(ctx, fsys, p, t, &budget); err != nil || !ok {
					return errors.Join(err, is.err())
				}
			}
		}
		for _, name := range []string{trResource, slugResource, channelResource} {
			if p, ok := paths[name]; ok {
				if ok, err := pk.load(ctx, fsys, p, &hsdsTable{name: name}, &budget); err != nil || !ok {
					return errors.Join(err, is.err())
				}
			}
		}
		if err := pk.indexes(); err != nil {
			return err
		}
		if err := pk.dangling(); err != nil {
			return err
		}
		if len(is.list) > 0 {
			return is.err() // the package does not hold together: nothing is written
		}
		if err := pk.owners(); err != nil {
			return err
		}
		if err := pk.loadTerms(); err != nil {
			return err
		}
		if err := pk.each(ctx, "organizations", func(r pkgRow) error { return pk.put(st, r, "organizations") }); err != nil {
			return err
		}
		if err := pk.each(ctx, "services", func(r pkgRow) error { return pk.put(st, r, "services") }); err != nil {
			return err
		}
		if st.res.Services == 0 && len(is.list) == 0 {
			is.add(ImportIssue{File: paths["service"], Reason: "holds no service: nothing to import"})
		}
		if !opt.Lenient || st.res.Services == 0 {
			return is.err()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	st.res.Refused = is.list
	return st.res, nil
}

// wholePackage imports a package read whole: an HSDS 1.x package, or a
// small one (staging costs more time than it saves memory there).
func wholePackage(to streamTarget, fsys fs.FS, opt ImportOptions) (*StreamResult, error) {
	is := &issues{format: FormatHSDSCSV, opt: opt}
	x := parseHSDSFS(fsys, is)
	var err error
	if opt.Lenient && x != nil {
		x = x.lenient(is)
	} else if x, err = x.checked(is); err != nil {
		return nil, err
	}
	if x == nil {
		return nil, is.err()
	}
	if err := to.whole(x, FormatHSDSCSV); err != nil {
		return nil, err
	}
	return &StreamResult{Organizations: len(x.Organizations), Services: len(x.Services), Refused: x.Refused}, nil
}

// streamPackageAbove is the size of a package's tables (as its files or
// zip entries declare them) above which it is streamed: read whole, a
// package takes about 15 times its size in memory, and 4 MiB of tables
// (some 3,000 services) is read whole much faster than streamed.
const streamPackageAbove = 4 << 20

func (o ImportOptions) wholeBelow() int64 {
	if o.streamAbove != 0 {
		return o.streamAbove
	}
	return streamPackageAbove
}

// packageSize adds up the sizes of the package's files as declared (a
// zip's may lie: the budget of unzipped bytes holds either way).
func packageSize(fsys fs.FS, paths map[string]string) int64 {
	var n int64
	for _, p := range paths {
		if fi, err := fs.Stat(fsys, p); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// pkgStage is the temporary table the package's rows are read into.
type pkgStage struct {
	b          *content.Batch
	is         *issues
	headers    map[string][]string // each staged table's header
	terms      map[string]pkgRow   // the taxonomy terms, by id (loadTerms)
	taxonomies map[string]pkgRow   // their taxonomies, by id
}

// The columns that link rows, indexed, and those read by the joins of
// owners as plain columns too.
var (
	stageLinks = []string{"id", "service_id", "location_id", "service_at_location_id", "contact_id", "phone_id", "link_id"}
	stagePlain = []string{"link_entity", "taxonomy_term_id", "organization_id", "resource_id", "program_id"}
)

func (pk *pkgStage) create() error {
	stmts := []string{
		`CREATE TEMP TABLE IF NOT EXISTS pkg_stage(tbl TEXT NOT NULL, file TEXT NOT NULL, line INTEGER NOT NULL, ` +
			strings.Join(append(slices.Clone(stageLinks), stagePlain...), " TEXT, ") + ` TEXT, cols BLOB NOT NULL)`,
		`DELETE FROM temp.pkg_stage`,
	}
	// Indexed once the rows are in (indexes), which is faster than as
	// they come.
	for _, c := range append(slices.Clone(stageLinks), "entity", "metadata") {
		stmts = append(stmts, "DROP INDEX IF EXISTS temp.pkg_stage_"+c)
	}
	pk.headers = map[string][]string{}
	for _, q := range stmts {
		if _, err := pk.b.Exec(q); err != nil {
			return fmt.Errorf("exchange: package table: %w", err)
		}
	}
	return nil
}

// indexes indexes the staged rows by the columns that link them.
func (pk *pkgStage) indexes() error {
	var stmts []string
	for _, c := range stageLinks {
		stmts = append(stmts, fmt.Sprintf("CREATE INDEX temp.pkg_stage_%s ON pkg_stage(tbl, %s)", c, c))
	}
	stmts = append(stmts, "CREATE INDEX temp.pkg_stage_entity ON pkg_stage(tbl, link_entity)",
		"CREATE INDEX temp.pkg_stage_metadata ON pkg_stage(resource_id) WHERE tbl = 'metadata'")
	for _, q := range stmts {
		if _, err := pk.b.Tx().Exec(q); err != nil {
			return fmt.Errorf("exchange: package table: %w", err)
		}
	}
	return nil
}

// encodeCells packs a row's cells, each after its length: cheaper than
// JSON both ways, and any byte may be in a cell.
func encodeCells(buf []byte, rec []string) []byte {
	for _, c := range rec {
		buf = binary.AppendUvarint(buf, uint64(len(c)))
		buf = append(buf, c...)
	}
	return buf
}

// decodeCells unpacks the cells of a row of tbl by its header.
func (pk *pkgStage) decodeCells(tbl string, b []byte) (map[string]string, error) {
	header := pk.headers[tbl]
	cols := make(map[string]string, len(header))
	for _, c := range header {
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			return nil, fmt.Errorf("exchange: package table: a damaged row of %s", tbl)
		}
		cols[c] = string(b[k : k+int(n)])
		b = b[k+int(n):]
	}
	return cols, nil
}

// errBudget: the package unzips to more than its budget.
var errBudget = errors.New("over the budget of unzipped bytes")

// budgetReader counts the bytes read against what is left of the
// package's budget of unzipped bytes.
type budgetReader struct {
	r    io.Reader
	left *int64
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if *b.left < 0 {
		return 0, errBudget
	}
	n, err := b.r.Read(p)
	*b.left -= int64(n)
	if *b.left < 0 {
		return n, errBudget
	}
	return n, err
}

// load reads one table of the package into the stage, row by row. ok is
// false when the table cannot be read (reported); err is a failure of
// the database.
func (pk *pkgStage) load(ctx context.Context, fsys fs.FS, path string, t *hsdsTable, budget *int64) (ok bool, err error) {
	f, err := fsys.Open(path)
	if err != nil {
		reason := err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			reason = pe.Err.Error()
		}
		pk.is.add(ImportIssue{File: path, Reason: "cannot be read: " + reason})
		return false, nil
	}
	defer func() { _ = f.Close() }() // only read
	br := bufio.NewReaderSize(&budgetReader{r: f, left: budget}, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\uFEFF")) {
		_, _ = br.Discard(3)
	}
	r := csv.NewReader(br)
	r.FieldsPerRecord = 0
	bad := func(err error) (bool, error) {
		if errors.Is(err, errBudget) {
			pk.is.add(ImportIssue{File: path, Reason: fmt.Sprintf("the package unzips to more than %d MiB (a zip bomb, or a catalog too large for one import)", pk.is.unzipBudget()>>20)})
		} else {
			pk.is.add(csvIssue(path, err))
		}
		return false, nil
	}
	header, err := r.Read()
	if err == io.EOF {
		return true, nil
	}
	if err != nil {
		return bad(err)
	}
	header = append([]string(nil), header...)
	checkTableHeader(r, header, t, path, pk.is)
	if prev, ok := pk.headers[t.name]; ok && !slices.Equal(prev, header) {
		pk.is.add(ImportIssue{File: path, Reason: fmt.Sprintf("a second file for %s, with other columns", t.name)})
		return false, nil
	}
	pk.headers[t.name] = header
	var buf []byte
	staged := append(slices.Clone(stageLinks), stagePlain...)
	insert := `INSERT INTO temp.pkg_stage(tbl, file, line, ` + strings.Join(staged, ", ") + `, cols) VALUES (?, ?, ?` +
		strings.Repeat(", ?", len(staged)+1) + `)`
	for {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return bad(err)
		}
		line, _ := r.FieldPos(0)
		if i, long := longCell(rec); long {
			pk.is.add(ImportIssue{File: path, Line: line, Field: header[i], Reason: cellTooLong(len(rec[i]))})
			return false, nil
		}
		cols := make(map[string]string, len(header))
		for i, c := range header {
			rec[i] = unescapeCell(rec[i])
			cols[c] = rec[i]
		}
		buf = encodeCells(buf[:0], rec)
		args := []any{t.name, path, line}
		for _, c := range staged {
			args = append(args, cols[c])
		}
		if _, err := pk.b.Exec(insert, append(args, buf)...); err != nil {
			return false, fmt.Errorf("exchange: package table: %w", err)
		}
	}
	return len(pk.is.list) == 0, nil
}

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

// linkedSQL is linked (hsds_csv_read.go) of a staged row r.
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

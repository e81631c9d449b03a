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

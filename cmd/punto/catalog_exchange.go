package main

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/exchange"
	"github.com/punto-totem/punto/content/feed"
)

const formatList = "hsds, hsds-csv, geojson or csv"

// catalogImport runs "punto catalog import --format F --db CATALOG FILE".
func catalogImport(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("catalog import", flag.ContinueOnError)
	format := fs.String("format", "", "format of `FILE`: "+formatList)
	db := fs.String("db", "", "catalog `file` to import into (created if missing)")
	taxMap := fs.String("taxonomy-map", "", "JSON `file` mapping the file's taxonomy terms onto Punto's categories, with a default category (hsds, hsds-csv)")
	lenient := fs.Bool("lenient", false, "import the records that are right, leave out the others and write a report of them (exit status 0)")
	report := fs.String("report", "", "with --lenient, the JSON `file` the report goes to (default: the catalog's name + .import-report.json)")
	file, err := parseWithFile(fs, args, stderr)
	if err != nil {
		return err
	}
	switch {
	case *format == "":
		return usagef("catalog import: --format is required (%s)", formatList)
	case !exchange.ValidFormat(*format):
		return usagef("catalog import: --format %q is not %s", *format, formatList)
	case *db == "":
		return usagef("catalog import: --db is required")
	case file == "":
		return usagef("catalog import: which file? punto catalog import --format %s --db %s FILE", *format, *db)
	}
	opt := exchange.ImportOptions{Lenient: *lenient}
	if *report != "" && !*lenient {
		return usagef("catalog import: --report goes with --lenient")
	}
	if *taxMap != "" {
		if opt.Taxonomy, err = exchange.ReadTaxonomyMap(*taxMap); err != nil {
			return usagef("catalog import: --taxonomy-map: %v", err)
		}
	}
	_, statErr := os.Stat(*db)
	req := importRequest{format: *format, db: *db, file: file, report: *report, lenient: *lenient, opt: opt,
		isNew: errors.Is(statErr, os.ErrNotExist), stdout: stdout, stderr: stderr}
	if *format != exchange.FormatGeoJSON {
		return req.streamed(ctx)
	}
	return req.whole(ctx)
}

// importRequest is a "catalog import" as its flags asked for it.
type importRequest struct {
	format, db, file, report string
	lenient                  bool
	opt                      exchange.ImportOptions
	isNew                    bool // no catalog at db yet
	stdout, stderr           io.Writer
}

// streamed imports HSDS JSON, the HSDS CSV package or the flat CSV, into
// a new catalog or an existing one: streamed, in bounded memory whatever
// the file's size.
func (r importRequest) streamed(ctx context.Context) (err error) {
	// The import makes much short-lived garbage: a soft limit on the Go
	// heap (unless GOMEMLIMIT sets one) keeps the process near what it
	// holds (the writer's 64 MiB page cache above all).
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(64 << 20)
	}
	var into *content.Store
	if !r.isNew {
		if into, err = openForImport(ctx, r.db); err != nil {
			return err
		}
		defer closeAfter(&err, into)
	}
	res, err := streamFile(ctx, r.format, r.db, r.file, r.opt, into)
	if err != nil {
		return importFailed(err, r.file, r.stderr)
	}
	fmt.Fprintf(r.stdout, "imported %d organizations and %d services from %s into %s\n", res.Organizations, res.Services, r.file, r.db)
	if r.lenient {
		return writeImportReport(reportPath(r.report, r.db), r.file, r.format, res.Organizations, res.Services, res.Refused, r.stdout)
	}
	return nil
}

// whole imports a file read whole (GeoJSON) into a new catalog or an
// existing one.
func (r importRequest) whole(ctx context.Context) (err error) {
	x, err := readExchange(r.format, r.file, r.opt)
	if err != nil {
		return importFailed(err, r.file, r.stderr)
	}
	if r.isNew {
		if err := exchange.Create(ctx, r.db, x, r.format); err != nil {
			return importFailed(err, r.file, r.stderr)
		}
	} else {
		st, openErr := openForImport(ctx, r.db)
		if openErr != nil {
			return openErr
		}
		defer closeAfter(&err, st) // a failed close is the command's error
		if err := exchange.Import(ctx, st, x, r.format); err != nil {
			return importFailed(err, r.file, r.stderr)
		}
	}
	fmt.Fprintf(r.stdout, "imported %d organizations and %d services from %s into %s\n", len(x.Organizations), len(x.Services), r.file, r.db)
	if r.lenient {
		return writeImportReport(reportPath(r.report, r.db), r.file, r.format, len(x.Organizations), len(x.Services), x.Refused, r.stdout)
	}
	return nil
}

// openForImport opens an existing catalog to import into: one that is not
// in a change feed (a portal's or a totem's), whose totems would not get
// the change.
func openForImport(ctx context.Context, db string) (st *content.Store, err error) {
	if err := existingFile(db); err != nil {
		return nil, err
	}
	st, err = content.OpenLazy(ctx, db)
	if err != nil {
		return nil, err
	}
	state, err := feed.ReadState(ctx, st)
	if err == nil && state.Seq > 0 {
		err = fmt.Errorf("catalog import: %s is in a change feed (at sequence %d): import through the portal editor, so totems get the change", db, state.Seq)
	}
	if err != nil {
		return nil, errors.Join(err, st.Close())
	}
	return st, nil
}

// reportPath is where a lenient import's report goes: --report, or beside
// the catalog.
func reportPath(report, db string) string {
	if report != "" {
		return report
	}
	return db + ".import-report.json"
}

// streamFile imports an HSDS JSON file, an HSDS CSV package (a zip or a
// folder) or a flat CSV file, streamed, into a new catalog at db or, when
// into is not nil, into that open catalog.
func streamFile(ctx context.Context, format, db, file string, opt exchange.ImportOptions, into *content.Store) (*exchange.StreamResult, error) {
	if format == exchange.FormatHSDSCSV {
		return streamPackage(ctx, db, file, opt, into)
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("catalog import: %w", err)
	}
	defer func() { _ = f.Close() }() // only read
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("catalog import: %s is a folder; only hsds-csv reads a folder", file)
	}
	switch {
	case into != nil && format == exchange.FormatCSV:
		return exchange.ImportFlatCSVStream(ctx, into, f, opt)
	case into != nil:
		return exchange.ImportHSDSStream(ctx, into, f, opt)
	case format == exchange.FormatCSV:
		return exchange.CreateFlatCSVStream(ctx, db, f, opt)
	}
	return exchange.CreateHSDSStream(ctx, db, f, opt)
}

// streamPackage imports an HSDS CSV package, a zip (read from the file
// as it is needed, not loaded whole) or a folder.
func streamPackage(ctx context.Context, db, file string, opt exchange.ImportOptions, into *content.Store) (*exchange.StreamResult, error) {
	fi, err := os.Stat(file)
	if err != nil {
		return nil, fmt.Errorf("catalog import: %w", err)
	}
	var fsys fs.FS
	if fi.IsDir() {
		fsys = os.DirFS(file)
	} else {
		zr, err := zip.OpenReader(file)
		if err != nil {
			return nil, &exchange.ImportError{Format: exchange.FormatHSDSCSV, Issues: []exchange.ImportIssue{{Reason: "not a zip file: " + err.Error()}}}
		}
		defer func() { _ = zr.Close() }() // only read
		fsys = &zr.Reader
	}
	if into != nil {
		return exchange.ImportHSDSPackageStream(ctx, into, fsys, opt)
	}
	return exchange.CreateHSDSPackageStream(ctx, db, fsys, opt)
}

// importReport is what a lenient import left out, and why.
type importReport struct {
	File     string                 `json:"file"`
	Format   string                 `json:"format"`
	Imported map[string]int         `json:"imported"`
	Refused  int                    `json:"problems"`
	ByReason []exchange.ReasonCount `json:"by_reason"`
	Problems []exchange.ImportIssue `json:"list"`
}

// writeImportReport writes the report of a lenient import as JSON and
// prints its summary: the problems counted by reason.
func writeImportReport(path, file, format string, orgs, svcs int, refused []exchange.ImportIssue, stdout io.Writer) error {
	r := importReport{File: file, Format: format, Imported: map[string]int{"organizations": orgs, "services": svcs},
		Refused: len(refused), ByReason: exchange.ReasonCounts(refused), Problems: refused}
	if r.Problems == nil {
		r.Problems = []exchange.ImportIssue{}
	}
	if r.ByReason == nil {
		r.ByReason = []exchange.ReasonCount{}
	}
	err := writeFileAtomic(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(r)
	})
	if err != nil {
		return fmt.Errorf("catalog import: report: %w", err)
	}
	fmt.Fprintf(stdout, "left out %d problem record(s); report in %s\n", len(refused), path)
	for _, c := range r.ByReason {
		fmt.Fprintf(stdout, "%7d  %s\n", c.Count, c.Reason)
	}
	return nil
}

// readExchange reads an exchange file; an HSDS package may be a folder.
func readExchange(format, file string, opt exchange.ImportOptions) (*exchange.Records, error) {
	fi, err := os.Stat(file)
	if err != nil {
		return nil, fmt.Errorf("catalog import: %w", err)
	}
	if fi.IsDir() {
		if format != exchange.FormatHSDSCSV {
			return nil, fmt.Errorf("catalog import: %s is a folder; only hsds-csv reads a folder", file)
		}
		return exchange.ParseHSDSFolder(file, opt)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("catalog import: %w", err)
	}
	return exchange.ParseOptions(format, data, opt)
}

// importFailed lists every problem of the file, one a line, and says
// that nothing was imported.
func importFailed(err error, file string, stderr io.Writer) error {
	var ie *exchange.ImportError
	if !errors.As(err, &ie) {
		return err
	}
	for i, is := range ie.Issues {
		if i == 50 {
			fmt.Fprintf(stderr, "%s: … and %d more; by reason:\n", file, len(ie.Issues)-50)
			for _, c := range exchange.ReasonCounts(ie.Issues) {
				fmt.Fprintf(stderr, "%7d  %s\n", c.Count, c.Reason)
			}
			break
		}
		fmt.Fprintf(stderr, "%s: %s\n", file, is)
	}
	return fmt.Errorf("catalog import: %s has %d problem(s); nothing was imported (--lenient imports the records that are right)", file, len(ie.Issues))
}

// catalogExport runs "punto catalog export --format F --db CATALOG [--out FILE]".
func catalogExport(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := flag.NewFlagSet("catalog export", flag.ContinueOnError)
	format := fs.String("format", "", "format to write: "+formatList)
	db := fs.String("db", "", "catalog `file`")
	out := fs.String("out", "", "`file` to write (default standard output); for hsds-csv a .zip, or a folder")
	profile := fs.String("profile", exchange.ProfilePunto, "HSDS `profile`: punto (every language, Punto's IDs) or hsds (plain HSDS 3, one language)")
	lang := fs.String("lang", "it", "with --profile hsds, the `language` of the texts (ISO 639; a text missing in it is written in Italian, else English)")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	opt := exchange.Options{Profile: *profile, Lang: *lang}
	switch {
	case *format == "":
		return usagef("catalog export: --format is required (%s)", formatList)
	case !exchange.ValidFormat(*format):
		return usagef("catalog export: --format %q is not %s", *format, formatList)
	case *db == "":
		return usagef("catalog export: --db is required")
	case *profile != exchange.ProfilePunto && *profile != exchange.ProfileHSDS:
		return usagef("catalog export: --profile %q is not punto or hsds", *profile)
	case !content.ValidLanguage(*lang):
		return usagef("catalog export: --lang %q is not an ISO 639 code", *lang)
	}
	if err := existingFile(*db); err != nil {
		return err
	}
	st, err := content.OpenLazy(ctx, *db)
	if err != nil {
		return err
	}
	defer closeAfter(&err, st)
	x, err := exchange.Read(ctx, st)
	if err != nil {
		return err
	}
	switch {
	case *out == "":
		return x.WriteOptions(*format, opt, stdout)
	case *format == exchange.FormatHSDSCSV && !strings.EqualFold(filepath.Ext(*out), ".zip"):
		return x.WriteHSDSFolder(*out, opt)
	}
	return writeFileAtomic(*out, func(w io.Writer) error { return x.WriteOptions(*format, opt, w) })
}

// writeFileAtomic writes path through a temporary file beside it, renamed
// into place only when complete.
func writeFileAtomic(path string, fill func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := fill(f); err != nil {
		return errors.Join(err, f.Close())
	}
	if err := f.Sync(); err != nil {
		return errors.Join(err, f.Close())
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// parseWithFile parses flags around one positional FILE argument, which
// may come before, between or after the flags.
func parseWithFile(fs *flag.FlagSet, args []string, stderr io.Writer) (string, error) {
	fs.SetOutput(stderr)
	var file string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return "", err
			}
			return "", usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			return file, nil
		}
		if file != "" {
			return "", usagef("%s: unexpected argument %q (one file at a time)", fs.Name(), fs.Arg(0))
		}
		file, args = fs.Arg(0), fs.Args()[1:]
	}
}

package exchange

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/punto-totem/punto/content"
)

// Reading the HSDS CSV data package (see hsds_csv.go).

// maxUnzipped bounds the tables of a package once unzipped, all
// together: a small zip must not unpack into gigabytes.
const maxUnzipped = 256 << 20

func parseHSDSZip(data []byte, is *issues) *Records {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		is.add(ImportIssue{Reason: "not a zip file: " + err.Error()})
		return nil
	}
	return parseHSDSFS(zr, is)
}

// ParseHSDSFolder reads the package from a folder (see Parse).
func ParseHSDSFolder(dir string, opt ImportOptions) (*Records, error) {
	is := &issues{format: FormatHSDSCSV, opt: opt}
	x := parseHSDSFS(os.DirFS(dir), is)
	if opt.Lenient && x != nil {
		return x.lenient(is), nil
	}
	return x.checked(is)
}

// pkgRow is one row of a package table, by column.
type pkgRow struct {
	cols map[string]string
	at   where
}

func (r pkgRow) get(c string) string { return r.cols[c] }

// tr gathers the row's translation columns.
func (r pkgRow) tr() hsdsTr {
	var tr hsdsTr
	for c, v := range r.cols {
		f, lang, ok := strings.Cut(c, "@")
		if !ok || v == "" {
			continue
		}
		if tr == nil {
			tr = hsdsTr{}
		}
		if tr[lang] == nil {
			tr[lang] = map[string]string{}
		}
		tr[lang][f] = v
	}
	return tr
}

// openPackage finds a package's descriptor (at the top of fsys, or one
// folder down, as in a zip of the folder itself) and reads its resource
// paths by name. It returns the package's folder and the budget of
// unzipped bytes for the whole package, the descriptor included, counted
// as the bytes come out of the decompressor; ok is false when the
// descriptor is missing or broken (said in is).
func openPackage(fsys fs.FS, is *issues) (pkg fs.FS, paths map[string]string, budget int64, ok bool) {
	if _, err := fs.Stat(fsys, "datapackage.json"); err != nil {
		if m, _ := fs.Glob(fsys, "*/datapackage.json"); len(m) == 1 {
			fsys, _ = fs.Sub(fsys, filepath.Dir(m[0]))
		}
	}
	budget = is.unzipBudget()
	if _, err := fs.Stat(fsys, "datapackage.json"); err != nil {
		is.add(ImportIssue{File: "datapackage.json", Reason: "is missing: an HSDS data package starts with it"})
		return nil, nil, 0, false
	}
	raw, ok := readTableFile(fsys, "datapackage.json", &budget, is)
	if !ok {
		return nil, nil, 0, false
	}
	var desc struct {
		Resources []struct {
			Name string `json:"name"`
			Path any    `json:"path"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &desc); err != nil {
		i := jsonIssue(raw, err)
		i.File = "datapackage.json"
		is.add(i)
		return nil, nil, 0, false
	}
	paths = map[string]string{}
	for _, r := range desc.Resources {
		if p, ok := r.Path.(string); ok {
			paths[r.Name] = p
		}
	}
	return fsys, paths, budget, true
}

func parseHSDSFS(fsys fs.FS, is *issues) *Records {
	fsys, paths, budget, ok := openPackage(fsys, is)
	if !ok {
		return nil
	}
	if isHSDS1(paths) {
		tables, ok := readHSDS1(fsys, paths, &budget, is)
		if !ok || len(is.list) > 0 {
			return nil
		}
		return assemblePackage(tables, is)
	}
	tables := map[string][]pkgRow{}
	for _, t := range hsdsTables {
		p, ok := tablePath(paths, t)
		if !ok {
			continue
		}
		rows, ok := readTable(fsys, p, &t, &budget, is)
		if !ok {
			return nil
		}
		tables[t.name] = rows
	}
	if _, ok := tables["services"]; !ok {
		is.add(ImportIssue{File: "datapackage.json", Field: "resources", Reason: "names no service table (resource \"service\", services.csv)"})
		return nil
	}
	for _, extra := range []string{trResource, slugResource, channelResource} {
		p, ok := paths[extra]
		if !ok {
			continue
		}
		rows, ok := readTable(fsys, p, &hsdsTable{name: extra}, &budget, is)
		if !ok {
			return nil
		}
		applyProfileRows(tables, extra, rows, is)
	}
	if len(is.list) > 0 {
		return nil
	}
	return assemblePackage(tables, is)
}

// tablePath is the file of a table: the official resource's, or the
// plural name of Punto's packages before HSDS 3.0 conformance.
func tablePath(paths map[string]string, t hsdsTable) (string, bool) {
	if p, ok := paths[t.resource]; ok {
		return p, true
	}
	p, ok := paths[t.name]
	return p, ok
}

// applyProfileRows gives the rows of the other tables what the Punto
// profile's tables hold: translations as "field@lang" columns, slugs as
// "punto_id", the channels of phones and schedules as "punto_channel".
func applyProfileRows(tables map[string][]pkgRow, table string, rows []pkgRow, is *issues) {
	byID := map[string]map[string]pkgRow{}
	for _, t := range hsdsTables {
		m := map[string]pkgRow{}
		for _, r := range tables[t.name] {
			m[r.get("id")] = r
		}
		byID[t.resource] = m
	}
	for _, r := range rows {
		entity := r.get("link_entity")
		var t *hsdsTable
		for i := range hsdsTables {
			if hsdsTables[i].resource == entity {
				t = &hsdsTables[i]
			}
		}
		target, ok := byID[entity][r.get("link_id")]
		switch {
		case t == nil:
			is.add(r.at.issue("link_entity", fmt.Sprintf("%q is not a table Punto reads", entity)))
			continue
		case !ok:
			is.add(r.at.issue("link_id", fmt.Sprintf("no %s %q", entity, r.get("link_id"))))
			continue
		}
		switch table {
		case slugResource:
			target.cols["punto_id"] = r.get("punto_id")
			continue
		case channelResource:
			if entity != "phone" && entity != "schedule" {
				is.add(r.at.issue("link_entity", fmt.Sprintf("%q is not phone or schedule (only they belong to a channel)", entity)))
			} else {
				target.cols["punto_channel"] = r.get("punto_channel")
			}
			continue
		}
		f, lang := r.get("field"), r.get("language")
		switch {
		case !slices.Contains(t.translated, f):
			is.add(r.at.issue("field", fmt.Sprintf("%s has no translated field %q", entity, f)))
		case !content.ValidLanguageTag(lang) || lang == "it":
			is.add(r.at.issue("language", fmt.Sprintf("%q is not a language other than Italian (the Italian text is in %s.%s)", lang, entity, f)))
		default:
			target.cols[f+"@"+lang] = r.get("value")
		}
	}
}

// readTable reads one CSV of the package by its header.
func readTable(fsys fs.FS, path string, t *hsdsTable, budget *int64, is *issues) ([]pkgRow, bool) {
	data, ok := readTableFile(fsys, path, budget, is)
	if !ok {
		return nil, false
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	r.FieldsPerRecord = 0
	header, err := r.Read()
	if err == io.EOF {
		return nil, true
	}
	if err != nil {
		is.add(csvIssue(path, err))
		return nil, false
	}
	checkTableHeader(r, header, t, path, is)
	return readTableRows(r, header, path, is)
}

// readTableFile reads a table's file, within what is left of the budget
// of unzipped bytes.
func readTableFile(fsys fs.FS, path string, budget *int64, is *issues) ([]byte, bool) {
	data, err := fs.ReadFile(limitFS{fsys, *budget + 1}, path)
	if err != nil {
		reason := err.Error()
		if pe, ok := err.(*fs.PathError); ok {
			reason = pe.Err.Error()
		}
		is.add(ImportIssue{File: path, Reason: "cannot be read: " + reason})
		return nil, false
	}
	if *budget -= int64(len(data)); *budget < 0 {
		is.add(ImportIssue{File: path, Reason: fmt.Sprintf("the package unzips to more than %d MiB (a zip bomb, or a catalog too large for one import)", is.unzipBudget()>>20)})
		return nil, false
	}
	return data, true
}

// checkTableHeader checks the translation columns ("name@en") of a
// table's header, just read by r: a translated field of the table, into a
// language other than Italian.
func checkTableHeader(r *csv.Reader, header []string, t *hsdsTable, path string, is *issues) {
	for i, c := range header {
		f, lang, ok := strings.Cut(c, "@")
		if !ok {
			continue
		}
		if !strings.Contains(" "+strings.Join(t.translated, " ")+" ", " "+f+" ") {
			line, _ := r.FieldPos(i)
			is.add(ImportIssue{File: path, Line: line, Field: c, Reason: fmt.Sprintf("%s has no translated field %q", t.name, f)})
		} else if !content.ValidLanguageTag(lang) || lang == "it" {
			line, _ := r.FieldPos(i)
			is.add(ImportIssue{File: path, Line: line, Field: c, Reason: fmt.Sprintf("%q is not a language other than Italian (the Italian text is in %s)", lang, f)})
		}
	}
}

// readTableRows reads the rows under the header.
func readTableRows(r *csv.Reader, header []string, path string, is *issues) ([]pkgRow, bool) {
	var rows []pkgRow
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			is.add(csvIssue(path, err))
			return nil, false
		}
		line, _ := r.FieldPos(0)
		if i, long := longCell(rec); long {
			is.add(ImportIssue{File: path, Line: line, Field: header[i], Reason: cellTooLong(len(rec[i]))})
			return nil, false
		}
		row := pkgRow{cols: make(map[string]string, len(header)), at: where{file: path, line: line}}
		for i, c := range header {
			row.cols[c] = unescapeCell(rec[i])
		}
		rows = append(rows, row)
	}
	return rows, len(is.list) == 0
}

// csvIssue describes a CSV syntax error with its line.
func csvIssue(file string, err error) ImportIssue {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return ImportIssue{File: file, Line: pe.Line, Reason: fmt.Sprintf("column %d: %v", pe.Column, pe.Err)}
	}
	return ImportIssue{File: file, Reason: err.Error()}
}

// limitFS reads at most n bytes of a file.
type limitFS struct {
	fs.FS
	n int64
}

func (l limitFS) Open(name string) (fs.File, error) {
	f, err := l.FS.Open(name)
	if err != nil {
		return nil, err
	}
	return limitFile{f, io.LimitReader(f, l.n)}, nil
}

type limitFile struct {
	fs.File
	r io.Reader
}

func (f limitFile) Read(p []byte) (int, error) { return f.r.Read(p) }

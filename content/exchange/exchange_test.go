package exchange

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/punto-totem/punto/content"
)

// exportBytes exports st in format.
func exportBytes(t *testing.T, st *content.Store, format string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Export(context.Background(), st, format, &buf); err != nil {
		t.Fatalf("export %s: %v", format, err)
	}
	return buf.Bytes()
}

// importFresh imports data into a new catalog file and opens it.
func importFresh(t *testing.T, format string, data []byte) *content.Store {
	t.Helper()
	ctx := context.Background()
	x, err := Parse(format, data)
	if err != nil {
		t.Fatalf("parse %s: %v", format, err)
	}
	path := filepath.Join(t.TempDir(), "imported.db")
	if err := Create(ctx, path, x, format); err != nil {
		t.Fatalf("import %s: %v", format, err)
	}
	st, err := content.OpenLazy(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// sameRecords checks that two exchanges hold the same organizations and
// services, record for record as the feed carries them (the export reads
// what Store.Service reads: TestExchangeReadsAsService).
func sameRecords(t *testing.T, a, b *Records) {
	t.Helper()
	if len(a.Organizations) != len(b.Organizations) || len(a.Services) != len(b.Services) {
		t.Fatalf("%d organizations and %d services imported, %d and %d exported",
			len(b.Organizations), len(b.Services), len(a.Organizations), len(a.Services))
	}
	for i := range a.Organizations {
		da, _ := json.Marshal(&a.Organizations[i])
		db, _ := json.Marshal(&b.Organizations[i])
		if !bytes.Equal(da, db) {
			t.Fatalf("organization %s differs after the round trip:\nexported %s\nimported %s", a.Organizations[i].ID, da, db)
		}
	}
	for i := range a.Services {
		da, _ := json.Marshal(&a.Services[i])
		db, _ := json.Marshal(&b.Services[i])
		if !bytes.Equal(da, db) {
			t.Fatalf("service %s differs after the round trip:\nexported %s\nimported %s", a.Services[i].ID, da, db)
		}
	}
}

// roundTrip exports src in every format, imports each file into a new
// catalog and exports that again. The formats run in parallel: they share
// only the source records, which nothing writes.
func roundTrip(t *testing.T, src *content.Store, checkRecords bool) {
	x, err := Read(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := x.Write(format, &buf); err != nil {
				t.Fatal(err)
			}
			first := buf.Bytes()
			imported := importFresh(t, format, first)
			second := exportBytes(t, imported, format)
			if !bytes.Equal(first, second) {
				t.Fatalf("the second export differs from the first (%d and %d bytes)", len(first), len(second))
			}
			if checkRecords {
				y, err := Read(context.Background(), imported)
				if err != nil {
					t.Fatal(err)
				}
				sameRecords(t, x, y)
			}
			t.Logf("%s: %d bytes", format, len(first))
		})
	}
}

func TestExchangeRoundTripDemo(t *testing.T) {
	t.Parallel()
	roundTrip(t, openDemo(t), true)
}

// generatedServices is the size of the generated round trip: enough for
// every kind of record the generator makes, written as a new catalog is
// (in bulk, whatever its size; an import into an existing catalog in bulk
// is content's TestBulkSharedLocationRewritten). `make soak` runs it at
// 10,000 (PUNTO_SOAK set).
func generatedServices() int {
	if os.Getenv("PUNTO_SOAK") != "" {
		return 10000
	}
	return 300
}

func TestExchangeRoundTripGenerated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "gen.db")
	if err := content.Generate(ctx, path, content.GenerateOptions{Services: generatedServices(), Seed: 6}); err != nil {
		t.Fatal(err)
	}
	st, err := content.OpenLazy(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	roundTrip(t, st, false)
}

func TestExchangeHSDSFolder(t *testing.T) {
	t.Parallel()
	src := openDemo(t)
	x, err := Read(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "hsds")
	if err := x.WriteHSDSFolder(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	// Every table of the official descriptor, and the Punto profile's.
	files := []string{"datapackage.json", "translation.csv", "punto_id.csv", "punto_channel.csv"}
	for _, r := range readDescriptor(t, "testdata/hsds/datapackage.json").Resources {
		files = append(files, r.Path)
	}
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("the package lacks %s", f)
		}
	}
	back, err := ParseHSDSFolder(dir, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	if err := x.Write(FormatHSDS, &a); err != nil {
		t.Fatal(err)
	}
	if err := back.Write(FormatHSDS, &b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the folder package does not read back as it was written")
	}
}

// A template saved by a spreadsheet set to Italian (semicolons, a
// byte-order mark, CRLF line ends) reads the same.
func TestExchangeCSVSemicolons(t *testing.T) {
	t.Parallel()
	st := openDemo(t)
	flat := exportBytes(t, st, FormatCSV)
	rows, err := csv.NewReader(bytes.NewReader(flat)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	w.Comma, w.UseCRLF = ';', true
	w.WriteAll(rows)
	if !bytes.Equal(exportBytes(t, importFresh(t, FormatCSV, buf.Bytes()), FormatCSV), flat) {
		t.Fatal("the semicolon file does not import as the comma one")
	}
}

// The export reads the catalog table by table: it must give what
// Store.Service gives, service for service.
func TestExchangeReadsAsService(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openDemo(t)
	// Services of every shape: several locations, contacts, exceptions
	// with notes, documents and phones without texts.
	r := rand.New(rand.NewPCG(6, 6))
	hours := demoHours(t)
	var locs []content.Location
	err := st.Write(ctx, func(b *content.Batch) error {
		for i := range 300 {
			s := randomService(r, i, content.DemoTotem, hours, locs)
			locs = append(locs, s.Locations...)
			s.Contacts = []content.Contact{{Name: "Anna", Title: content.Text{"it": "Mediatrice", "ar": "وسيطة"}, Phone: "+39 000 000 0000"}, {Email: "x@example.org"}}
			s.Documents = []content.Text{{"it": "Passaporto"}, {"en": "Photo"}}
			s.Phones = []content.Phone{{Number: "+39 000 000 0001", Type: "cell"}, {Number: "+39 000 000 0002", Description: content.Text{"fr": "soir"}}}
			if i%3 == 0 {
				s.Hours.Exceptions = append(s.Hours.Exceptions, content.Exception{Date: "2026-12-24", Opens: "09:00", Closes: "12:00", Note: content.Text{"it": "Vigilia"}}, content.Exception{Date: "2026-12-31", Closed: true})
			}
			// Channels: a desk, a phone desk (the bulk read once lost them).
			if i%2 == 0 && len(s.Locations) > 0 {
				s.Channels = []content.Channel{{ID: "sportello", Kind: content.ChannelInPerson, LocationID: s.Locations[0].ID, Phone: "+39 000 000 0003", Languages: []string{"ar", "en"},
					Hours: content.Schedule{Weekly: []content.Slot{{Weekday: 2, Opens: "09:00", Closes: "12:00"}}}},
					{ID: "telefono", Kind: content.ChannelPhone, Phone: "+39 000 000 0004"}}
			}
			if err := b.PutService(&s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	x, err := Read(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := st.IDs(ctx, content.KindService)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != len(x.Services) {
		t.Fatalf("%d services read, %d in the catalog", len(x.Services), len(ids))
	}
	for i, id := range ids {
		one, err := st.Service(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(one)
		got, _ := json.Marshal(&x.Services[i])
		if !bytes.Equal(got, want) {
			t.Fatalf("service %s:\nexport reads  %s\nStore.Service %s", id, got, want)
		}
	}
}

// corrupt replaces the first occurrence of old in data.
func corrupt(t *testing.T, data []byte, old, new string) []byte {
	t.Helper()
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("%q is not in the file", old)
	}
	return bytes.Replace(data, []byte(old), []byte(new), 1)
}

func TestExchangeMalformed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openDemo(t)
	before, err := st.Digest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hsds := exportBytes(t, st, FormatHSDS)
	geo := exportBytes(t, st, FormatGeoJSON)
	flat := exportBytes(t, st, FormatCSV)
	badZip, badLat := damagedPackages(t, exportBytes(t, st, FormatHSDSCSV))
	flatLines := strings.Split(string(flat), "\n")
	// The flat CSV: line 5 loses its Italian and English names, line 7
	// has a latitude of 95.
	noName := setCells(t, flatLines, 4, func(col, v string) string {
		if strings.HasPrefix(col, "name@") {
			return ""
		}
		return v
	})
	badLatFlat := setCells(t, flatLines, 6, func(col, v string) string {
		if col == "lat" {
			return "95"
		}
		return v
	})

	tests := []malformedCase{
		{"hsds syntax", FormatHSDS, hsds[:len(hsds)/2], ImportIssue{Line: bytes.Count(hsds[:len(hsds)/2], []byte("\n")) + 1}},
		{"hsds bad status", FormatHSDS, corrupt(t, hsds, `"status": "active"`, `"status": "open"`), ImportIssue{Pointer: "/contents/0", Field: "status"}},
		{"hsds bad weekday", FormatHSDS, corrupt(t, hsds, `"byday": "MO,TU,WE,TH,FR"`, `"byday": "MO,XX"`), ImportIssue{Field: "byday"}},
		{"hsds latitude type", FormatHSDS, corrupt(t, hsds, `"latitude": `, `"latitude": "x", "ignored": `), ImportIssue{Field: "contents.service_at_locations.location.latitude"}},
		{"hsds-csv bad status", FormatHSDSCSV, badZip, ImportIssue{File: "services.csv", Line: 3, Field: "status"}},
		{"hsds-csv bad latitude", FormatHSDSCSV, badLat, ImportIssue{File: "locations.csv", Line: 5, Field: "latitude"}},
		{"hsds-csv not a zip", FormatHSDSCSV, []byte("id,name\n"), ImportIssue{}},
		{"geojson not a point", FormatGeoJSON, corrupt(t, geo, `"geometry":{"type":"Point"`, `"geometry":{"type":"LineString"`), ImportIssue{Pointer: "/features/0"}},
		{"geojson unknown property", FormatGeoJSON, corrupt(t, geo, `"comune":`, `"town":`), ImportIssue{Pointer: "/features/0", Field: "properties.town"}},
		{"geojson unknown category", FormatGeoJSON, corrupt(t, geo, `"categories":["info"]`, `"categories":["nothing"]`), ImportIssue{Pointer: "/features/3", Field: "properties.categories"}},
		{"csv unknown column", FormatCSV, corrupt(t, flat, "open_on_holidays", "open_holidays"), ImportIssue{Line: 1, Field: "open_holidays"}},
		{"csv no name", FormatCSV, noName, ImportIssue{Line: 5, Field: "name@it"}},
		{"csv bad latitude", FormatCSV, badLatFlat, ImportIssue{Line: 7, Field: "lat/lon"}},
		{"csv short row", FormatCSV, []byte(flatLines[0] + "\n" + flatLines[1] + "\nancona-x,active\n"), ImportIssue{Line: 3}},
		{"csv bad hours", FormatCSV, corrupt(t, flat, ",09:00-13:00,", ",9 to 1,"), ImportIssue{Line: 6, Field: "hours_mon"}},
	}
	// The cases run side by side; the catalog is checked once they are
	// all done (a digest reads the whole catalog).
	t.Run("refused", func(t *testing.T) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				expectRefused(t, st, tc)
			})
		}
	})
	if after, _ := st.Digest(ctx); after != before {
		t.Fatal("a refused import changed the catalog")
	}
}

// malformedCase is a damaged file and the first issue its import must
// report.
type malformedCase struct {
	name   string
	format string
	data   []byte
	want   ImportIssue // zero fields are not checked
}

// expectRefused imports the file of tc into st and checks that it is
// refused with the issue tc wants first, which the error states.
func expectRefused(t *testing.T, st *content.Store, tc malformedCase) {
	t.Helper()
	x, err := Parse(tc.format, tc.data)
	if err == nil {
		err = Import(context.Background(), st, x, tc.format)
	}
	var ie *ImportError
	if !errors.As(err, &ie) || len(ie.Issues) == 0 {
		t.Fatalf("got %v, want an import error", err)
	}
	got := ie.Issues[0]
	if !issueMatches(got, tc.want) {
		t.Fatalf("first issue %+v, want %+v (error: %v)", got, tc.want, err)
	}
	if got.Reason == "" || !strings.Contains(err.Error(), got.Reason) {
		t.Fatalf("the error %q does not say why", err)
	}
	t.Log(err)
}

// issueMatches compares the fields that want sets.
func issueMatches(got, want ImportIssue) bool {
	return (want.File == "" || got.File == want.File) && (want.Line == 0 || got.Line == want.Line) &&
		(want.Pointer == "" || got.Pointer == want.Pointer) && (want.Field == "" || got.Field == want.Field) &&
		(want.Reason == "" || got.Reason == want.Reason)
}

// damagedPackages damages a zipped package: badStatus has a bad status on
// the third line of services.csv, badLat also a bad latitude on the fifth
// line of locations.csv.
func damagedPackages(t *testing.T, zipped []byte) (badStatus, badLat []byte) {
	t.Helper()
	x, err := Parse(FormatHSDSCSV, zipped)
	if err != nil {
		t.Fatal(err)
	}
	names, files, err := hsdsPackage(x, Options{})
	if err != nil {
		t.Fatal(err)
	}
	svcLines := strings.Split(string(files["services.csv"]), "\n")
	svcLines[2] = strings.Replace(svcLines[2], ",active,", ",closed-forever,", 1)
	files["services.csv"] = []byte(strings.Join(svcLines, "\n"))
	badStatus = zipFiles(t, names, files)

	locLines := strings.Split(string(files["locations.csv"]), "\n")
	cells := strings.Split(locLines[4], ",")
	cells[slices.Index(strings.Split(locLines[0], ","), "latitude")] = "north"
	locLines[4] = strings.Join(cells, ",")
	files["locations.csv"] = []byte(strings.Join(locLines, "\n"))
	return badStatus, zipFiles(t, names, files)
}

// setCells returns the flat CSV of lines with the cells of line n (0 is
// the header) changed by set, which gets each cell's column and value.
func setCells(t *testing.T, lines []string, n int, set func(col, v string) string) []byte {
	t.Helper()
	header := strings.Split(lines[0], ",")
	rec := splitCSV(t, lines[n])
	for i, c := range header {
		rec[i] = set(c, rec[i])
	}
	out := append([]string{}, lines...)
	out[n] = joinCSV(t, rec)
	return []byte(strings.Join(out, "\n"))
}

// A file that parses but that the catalog refuses halfway (a service of
// an organization the catalog lacks) writes nothing.
func TestExchangeImportIsOneTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openDemo(t)
	before, err := st.Digest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	flat := exportBytes(t, st, FormatCSV)
	lines := strings.Split(strings.TrimSuffix(string(flat), "\n"), "\n")
	rows := renamedRows(t, lines, 40)
	data := []byte(lines[0] + "\n" + strings.Join(rows, "\n") + "\n")
	x, err := Parse(FormatCSV, data)
	if err != nil {
		t.Fatal(err)
	}
	err = Import(ctx, st, x, FormatCSV)
	var ie *ImportError
	if !errors.As(err, &ie) || ie.Issues[0].Line != 42 || ie.Issues[0].Field != "organization_id" {
		t.Fatalf("got %v, want line 42, organization_id", err)
	}
	if after, _ := st.Digest(ctx); after != before {
		t.Fatal("a refused import changed the catalog")
	}
	// Without the bad row the same import goes in.
	rows = append(rows[:40], rows[41:]...)
	x, err = Parse(FormatCSV, []byte(lines[0]+"\n"+strings.Join(rows, "\n")+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := Import(ctx, st, x, FormatCSV); err != nil {
		t.Fatal(err)
	}
	svc, err := st.Service(ctx, x.Services[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(svc.Name["it"], "Nuovo nome ") {
		t.Fatalf("name %q was not imported", svc.Name["it"])
	}
}

// renamedRows are the rows of a flat CSV (lines, header first) with every
// Italian name changed, and row bad naming an organization the catalog
// lacks.
func renamedRows(t *testing.T, lines []string, bad int) []string {
	t.Helper()
	header := strings.Split(lines[0], ",")
	var rows []string
	for i, l := range lines[1:] {
		rec := splitCSV(t, l)
		for j, c := range header {
			switch {
			case c == "name@it":
				rec[j] = "Nuovo nome " + rec[j]
			case i == bad && c == "organization_id":
				rec[j] = "org-nowhere"
			case i == bad && strings.HasPrefix(c, "organization_"):
				rec[j] = ""
			}
		}
		rows = append(rows, joinCSV(t, rec))
	}
	return rows
}

func zipFiles(t *testing.T, names []string, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(files[n])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func splitCSV(t *testing.T, line string) []string {
	t.Helper()
	rec, err := csv.NewReader(strings.NewReader(line)).Read()
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func joinCSV(t *testing.T, rec []string) string {
	t.Helper()
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(rec)
	w.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}

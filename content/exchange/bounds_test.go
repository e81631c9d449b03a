package exchange

import (
	"archive/zip"
	"bytes"
	"context"
	"strings"
	"testing"
)

// Hostile files are refused with a message saying what is wrong, before
// they cost much, and the catalog stays as it was: JSON nested 10,000
// deep, CSV cells of 10 MB, zip bombs (the descriptor too), a GeoJSON
// polygon of a million vertices.
func TestImportBounds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openDemo(t)
	before, err := st.Digest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	deep := `{"contents": [` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `]}`
	big := strings.Repeat("x", 10<<20)
	lines := strings.Split(string(exportBytes(t, st, FormatCSV)), "\n")
	flat := setCells(t, lines[:2], 1, func(col, v string) string {
		if col == "name@it" {
			return big
		}
		return v
	})
	descriptor := []byte(`{"resources": [{"name": "service", "path": "services.csv"}]}`)
	cellZip := zipOf(t, map[string][]byte{"datapackage.json": descriptor, "services.csv": []byte("id,name,status\nx," + big + ",active\n")})
	// Both bombs unzip to 2 MiB, against a budget of 1 MiB here (256 MiB
	// in use).
	pad := bytes.Repeat([]byte(" "), 2<<20)
	descBomb := zipOf(t, map[string][]byte{"datapackage.json": append(append([]byte{}, descriptor[:len(descriptor)-1]...), append(pad, '}')...)})
	tableBomb := zipOf(t, map[string][]byte{"datapackage.json": descriptor, "services.csv": append([]byte("id,name,status\n"), bytes.Repeat([]byte("0,0,0\n"), 400000)...)})
	var poly strings.Builder
	poly.WriteString(`{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[`)
	poly.WriteString(strings.Repeat("[13.5153,43.6169],", 1000000-1) + "[13.5153,43.6169]")
	poly.WriteString(`]]}}]}`)

	small := ImportOptions{maxUnzipped: 1 << 20}
	for _, c := range []struct {
		name, format string
		data         []byte
		opt          ImportOptions
		want         string
	}{
		{"JSON nested 10,000 deep", FormatHSDS, []byte(deep), ImportOptions{}, "nested deeper than 64 levels"},
		{"GeoJSON nested 10,000 deep", FormatGeoJSON, []byte(deep), ImportOptions{}, "nested deeper than 64 levels"},
		{"a 10 MB cell in the template", FormatCSV, flat, ImportOptions{}, "line 2: name@it: a cell of 10485760 bytes"},
		{"a 10 MB cell in the package", FormatHSDSCSV, cellZip, ImportOptions{}, "services.csv line 2: name: a cell of 10485760 bytes"},
		{"a zip bomb in the descriptor", FormatHSDSCSV, descBomb, small, "datapackage.json: the package unzips to more than 1 MiB"},
		{"a zip bomb in a table", FormatHSDSCSV, tableBomb, small, "services.csv: the package unzips to more than 1 MiB"},
		{"a polygon of a million vertices", FormatGeoJSON, []byte(poly.String()), ImportOptions{}, "/features/0: a feature of"},
	} {
		x, err := ParseOptions(c.format, c.data, c.opt)
		if err == nil {
			err = Import(ctx, st, x, c.format)
			t.Errorf("%s: parsed (%v)", c.name, err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want …%s…", c.name, err, c.want)
		}
	}
	after, err := st.Digest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Error("the catalog changed")
	}
}

func zipOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range []string{"datapackage.json", "services.csv"} {
		if files[n] == nil {
			continue
		}
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(files[n]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Cells a spreadsheet would run as formulas are written with an
// apostrophe in both CSV formats, and read back as they were.
func TestCSVFormulaInjection(t *testing.T) {
	t.Parallel()
	x := *demoRecords(t)
	s := x.Services[0]
	s.Name = map[string]string{"it": `=HYPERLINK("http://evil.invalid","x")`, "en": "@SUM(1+1)"}
	s.Phones = append(s.Phones[:0:0], s.Phones...)
	s.Documents = append(s.Documents[:0:0], map[string]string{"it": "-2+3"}, map[string]string{"it": "\t=1"})
	x.Services = append(x.Services[:0:0], s)
	for _, format := range []string{FormatCSV, FormatHSDSCSV} {
		var buf bytes.Buffer
		if err := x.Write(format, &buf); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if format == FormatHSDSCSV {
			zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
			if err != nil {
				t.Fatal(err)
			}
			var all strings.Builder
			for _, f := range zr.File {
				rc, _ := f.Open()
				b := new(bytes.Buffer)
				b.ReadFrom(rc)
				rc.Close()
				all.Write(b.Bytes())
			}
			out = all.String()
		}
		for _, cell := range []string{`"'=HYPERLINK(""http://evil.invalid"",""x"")"`, "'@SUM(1+1)", "'-2+3", "'\t=1"} {
			if !strings.Contains(out, cell) {
				t.Errorf("%s: no escaped cell %s", format, cell)
			}
		}
		back, err := Parse(format, buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if got := back.Services[0]; got.Name["it"] != s.Name["it"] || got.Name["en"] != s.Name["en"] || got.Documents[0]["it"] != "-2+3" || got.Documents[1]["it"] != "=1" { // texts are trimmed
			t.Errorf("%s: read back as %v %v", format, got.Name, got.Documents)
		}
	}
}

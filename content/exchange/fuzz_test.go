package exchange

import (
	"archive/zip"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// fuzzParse is what every importer promises for any input: no panic, and
// either records or an error that says what is wrong (an *ImportError for
// the file's content).
func fuzzParse(t *testing.T, format string, data []byte) {
	start := time.Now()
	x, err := Parse(format, data)
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("%s: %d bytes took %v to read", format, len(data), took)
	}
	if err == nil && x == nil {
		t.Fatalf("%s: no records and no error", format)
	}
	var ie *ImportError
	if err != nil && !errors.As(err, &ie) {
		t.Fatalf("%s: %T %v, want an *ImportError", format, err, err)
	}
	if err == nil {
		if _, err := Parse(format, data); err != nil {
			t.Fatalf("%s: a file read once is refused the second time: %v", format, err)
		}
	}
}

func examples(f *testing.F, glob string) {
	files, _ := filepath.Glob(filepath.Join("testdata", "hsds", "examples", glob))
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// FuzzParseHSDS: the HSDS JSON importer, seeded with the official examples.
func FuzzParseHSDS(f *testing.F) {
	examples(f, "*.json")
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"id":"x","name":"n","status":"active","service_at_locations":[{"location":{"latitude":43.6}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, FormatHSDS, data) })
}

// FuzzParseHSDSCSV: the CSV package importer (a zip), seeded with the
// official CSV example zipped.
func FuzzParseHSDSCSV(f *testing.F) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	root := filepath.Join("testdata", "hsds", "examples", "csv")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err != nil || zw.Close() != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, FormatHSDSCSV, data) })
}

// FuzzParseGeoJSON: the GeoJSON importer.
func FuzzParseGeoJSON(f *testing.F) {
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[13.5,43.6]},` +
		`"properties":{"service_id":"s1","location_id":"l1","name@it":"Sportello","categories":"info","comune":"Ancona","address":"Via Roma 1"}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, FormatGeoJSON, data) })
}

// FuzzParseCSV: the flat CSV importer.
func FuzzParseCSV(f *testing.F) {
	f.Add([]byte("service_id,status,categories,name@it,location_id,comune,address,lat,lon\ns1,active,info,Sportello,l1,Ancona,Via Roma 1,43.6,13.5\n"))
	f.Add([]byte("service_id;status;categories;name@it\n\"s1\";active;info;\"=HYPERLINK()\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, FormatCSV, data) })
}

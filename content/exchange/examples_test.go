package exchange

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The official HSDS 3.0 examples: each one's shape is recognised (a
// single service, organization or service at a location, or a page of
// them), and what cannot be imported is reported where it is, in words;
// none imports nothing silently. The examples' one wrong record (a
// location at latitude 100) is named as such.
func TestHSDSExamples(t *testing.T) {
	t.Parallel()
	tax := &TaxonomyMap{Default: "info"}
	for _, c := range []struct {
		file          string
		orgs, svcs    int    // imported, when it imports
		issue, reason string // else the first problem: pointer and words
	}{
		{file: "service_full.json", issue: "/service_at_locations/0/location", reason: "latitude 100 is outside"},
		{file: "organization_full.json", issue: "/services/0/service_at_locations/0/location", reason: "latitude 100 is outside"},
		{file: "service_at_location_full.json", issue: "/location", reason: "latitude 100 is outside"},
		{file: "organization_list.json", orgs: 1},
		// A service with no location: reached by phone or online.
		{file: "service_list.json", orgs: 1, svcs: 1},
		// A location at latitude 100 with no address: placed, it needs a comune.
		{file: "service_at_location_list.json", issue: "/contents/0/location", reason: "no address"},
	} {
		t.Run(c.file, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(filepath.Join(hsdsDir, "examples", c.file))
			if err != nil {
				t.Fatal(err)
			}
			x, err := ParseOptions(FormatHSDS, data, ImportOptions{Taxonomy: tax})
			if c.issue == "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(x.Organizations) != c.orgs || len(x.Services) != c.svcs {
					t.Errorf("%d organizations and %d services, want %d and %d", len(x.Organizations), len(x.Services), c.orgs, c.svcs)
				}
				return
			}
			ie, ok := err.(*ImportError)
			if !ok || len(ie.Issues) == 0 {
				t.Fatalf("err = %v, want the problem at %s", err, c.issue)
			}
			if got := ie.Issues[0]; got.Pointer != c.issue || !strings.Contains(got.Reason, c.reason) {
				t.Errorf("first problem %s, want %s: …%s…", got, c.issue, c.reason)
			}
		})
	}
	// An empty page imports nothing, and says so.
	if _, err := Parse(FormatHSDS, []byte(`{"total_items": 0, "contents": []}`)); err == nil || !strings.Contains(err.Error(), "nothing to import") {
		t.Errorf("an empty page: %v", err)
	}
}

// The official CSV package (examples/csv with the official descriptor)
// reads as published; its one wrong record is named where it is.
func TestHSDSExampleCSVPackage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files, err := filepath.Glob(filepath.Join(hsdsDir, "examples", "csv", "*.csv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example tables: %v", err)
	}
	for _, f := range append(files, filepath.Join(hsdsDir, "datapackage.json")) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err = ParseHSDSFolder(dir, ImportOptions{Taxonomy: &TaxonomyMap{Default: "info"}})
	ie, ok := err.(*ImportError)
	if !ok || len(ie.Issues) != 1 {
		t.Fatalf("err = %v, want the one location at latitude 100", err)
	}
	if got := ie.Issues[0]; got.File != "locations.csv" || got.Line != 2 || !strings.Contains(got.Reason, "latitude 100 is outside") {
		t.Errorf("problem %s", got)
	}
}

// A location given without coordinates (a phone line, an online service,
// an address not geocoded) imports off the map, and exports again
// without coordinates; only one of the two is still an error.
func TestHSDSLocationWithoutCoordinates(t *testing.T) {
	t.Parallel()
	doc := `{"id": "5f3c1a52-7e0f-4a3e-9d55-0a6f3bd0c001", "name": "Linea di ascolto", "status": "active",
		"attributes": [{"id": "5f3c1a52-7e0f-4a3e-9d55-0a6f3bd0c0a1", "link_id": "5f3c1a52-7e0f-4a3e-9d55-0a6f3bd0c001", "taxonomy_term_id": "punto-category-legal", "value": "true"}],
		"phones": [{"id": "5f3c1a52-7e0f-4a3e-9d55-0a6f3bd0c0b1", "number": "+39 071 123 4567"}],
		"service_at_locations": [{"id": "5f3c1a52-7e0f-4a3e-9d55-0a6f3bd0c002", "location": {"id": "5f3c1a52-7e0f-4a3e-9d55-0a6f3bd0c003", "location_type": "virtual"}},
		{"id": "5f3c1a52-7e0f-4a3e-9d55-0a6f3bd0c004", "location": {"id": "5f3c1a52-7e0f-4a3e-9d55-0a6f3bd0c005", "location_type": "physical",
			"addresses": [{"id": "5f3c1a52-7e0f-4a3e-9d55-0a6f3bd0c006", "address_1": "Via Roma 1", "city": "Ancona", "state_province": "AN", "postal_code": "60121", "country": "IT", "address_type": "physical"}]}}]}`
	x, err := ParseOptions(FormatHSDS, []byte(doc), ImportOptions{Taxonomy: &TaxonomyMap{Default: "info"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Services) != 1 || len(x.Services[0].Locations) != 2 {
		t.Fatalf("imported %+v", x.Services)
	}
	for _, l := range x.Services[0].Locations {
		if !l.NoPoint || l.Point != [2]float64{} {
			t.Errorf("location %s: NoPoint %v at %v", l.ID, l.NoPoint, l.Point)
		}
	}
	if !x.Services[0].Remote() {
		t.Error("service not remote")
	}
	half := strings.Replace(doc, `"location_type": "virtual"`, `"location_type": "virtual", "latitude": 43.6`, 1)
	if _, err := ParseOptions(FormatHSDS, []byte(half), ImportOptions{Taxonomy: &TaxonomyMap{Default: "info"}}); err == nil || !strings.Contains(err.Error(), "latitude and longitude come together") {
		t.Errorf("latitude alone: %v", err)
	}
}

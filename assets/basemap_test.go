package assets

import (
	"encoding/json"
	"io/fs"
	"strings"
	"testing"
)

// TestBasemapPlacesAreTowns: every name the basemap draws is a town's, in
// every language: no entity without people (GeoNames lists a bishopric
// among its cities) and no province or district name in a town's place
// (tiles/basemap/places.py leaves these out).
func TestBasemapPlacesAreTowns(t *testing.T) {
	t.Parallel()
	raw, err := fs.ReadFile(Web(), "basemap/places.json")
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(raw, &fc); err != nil || len(fc.Features) < 100 {
		t.Fatalf("places.json: %d places, %v", len(fc.Features), err)
	}
	areaWords := []string{"Provincia", "Province", "Provinz", "Diocese", "bishopric", "省", "地区", "بلدية", "أبرشية"}
	for _, f := range fc.Features {
		p := f.Properties
		if pop, _ := p["pop"].(float64); pop <= 0 {
			t.Errorf("%v: no population, not a town", p["name"])
		}
		for k, v := range p {
			name, _ := v.(string)
			if !strings.HasPrefix(k, "name") {
				continue
			}
			for _, w := range areaWords {
				if strings.Contains(name, w) {
					t.Errorf("%v: %s %q names an area, not the town", p["name"], k, name)
				}
			}
		}
	}
}

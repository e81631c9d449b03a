package exchange

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/punto-totem/punto/content"
)

// A directory's own taxonomy mapped onto Punto's categories. Importers of
// HSDS read a service's categories from its attributes: a term of the
// Punto taxonomy is its category; any other term is looked up, by its
// code, name, id or URI, in the mapping file (--taxonomy-map), then in
// the Open Eligibility terms Punto maps itself (openEligibility); a
// service none of whose terms map gets the file's default category.

// TaxonomyMap maps the terms of a source taxonomy onto Punto's categories.
// As a file (JSON): {"default": "info", "terms": {"Food Pantry": "community",
// "LH-1800": ["health", "family"]}}.
type TaxonomyMap struct {
	Default string              `json:"default,omitempty"` // the category of a service none of whose terms map ("" to refuse it)
	Terms   map[string][]string `json:"terms"`             // term code, name, id or URI → categories
}

// maxTaxonomyMap bounds a mapping file.
const maxTaxonomyMap = 4 << 20

// ReadTaxonomyMap reads and checks a mapping file: every category must be
// one of Punto's.
func ReadTaxonomyMap(path string) (*TaxonomyMap, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("taxonomy map: %w", err)
	}
	var r io.ReadCloser = f // only read: its Close says nothing
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, maxTaxonomyMap+1))
	if err != nil {
		return nil, fmt.Errorf("taxonomy map: %w", err)
	}
	if len(data) > maxTaxonomyMap {
		return nil, fmt.Errorf("taxonomy map %s: larger than %d bytes", path, maxTaxonomyMap)
	}
	return ParseTaxonomyMap(data)
}

// ParseTaxonomyMap reads a mapping file's content. A term may map to one
// category (a string) or several (a list).
func ParseTaxonomyMap(data []byte) (*TaxonomyMap, error) {
	var raw struct {
		Default string                     `json:"default"`
		Terms   map[string]json.RawMessage `json:"terms"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("taxonomy map: %v (want {\"default\": CATEGORY, \"terms\": {TERM: CATEGORY or [CATEGORY, …]}})", err)
	}
	m := &TaxonomyMap{Default: raw.Default, Terms: map[string][]string{}}
	if m.Default != "" {
		if _, ok := content.CategoryByID(m.Default); !ok {
			return nil, fmt.Errorf("taxonomy map: default %q is not a category (%s)", m.Default, categoryList())
		}
	}
	for term, v := range raw.Terms {
		var cats []string
		var one string
		if err := json.Unmarshal(v, &one); err == nil {
			cats = []string{one}
		} else if err := json.Unmarshal(v, &cats); err != nil {
			return nil, fmt.Errorf("taxonomy map: term %q: want a category or a list of categories", term)
		}
		for _, c := range cats {
			if _, ok := content.CategoryByID(c); !ok {
				return nil, fmt.Errorf("taxonomy map: term %q: %q is not a category (%s)", term, c, categoryList())
			}
		}
		m.Terms[termKey(term)] = cats
	}
	return m, nil
}

func categoryList() string {
	var ids []string
	for _, c := range content.Categories {
		ids = append(ids, c.ID)
	}
	return strings.Join(ids, ", ")
}

// termKey is how terms are compared: case and surrounding space ignored.
func termKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// openEligibility maps terms of the Open Eligibility taxonomy
// (https://openeligibility.org, human services) onto Punto's categories,
// by term name, where one clearly corresponds; the others need a mapping
// file. Punto's taxonomy.md lists the same correspondences.
var openEligibility = map[string][]string{
	"housing":                      {"housing"},
	"help find housing":            {"housing"},
	"health":                       {"health"},
	"education":                    {"school"},
	"work":                         {"work"},
	"help find work":               {"work"},
	"legal":                        {"legal"},
	"translation & interpretation": {"mediation"},
	"care":                         {"family"},
}

// mapTerm gives the categories a source term maps to, by the first of
// its keys that the mapping file, then Open Eligibility, knows.
func (m *TaxonomyMap) mapTerm(keys ...string) []string {
	for _, k := range keys {
		if k = termKey(k); k == "" {
			continue
		}
		if m != nil {
			if cats, ok := m.Terms[k]; ok {
				return cats
			}
		}
		if cats, ok := openEligibility[k]; ok {
			return cats
		}
	}
	return nil
}

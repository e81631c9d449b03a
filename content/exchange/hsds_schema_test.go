package exchange

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/punto-totem/punto/content"
)

// The HSDS 3.0 schemas (testdata/hsds, from the specification) and the
// Punto profile (profile/schema, JSON Merge Patches over them, as HSDS
// profiles are made), compiled for the tests.
const (
	hsdsDir    = "testdata/hsds"
	profileDir = "profile/schema"
	schemaBase = "https://hsds.test/schema/"
)

// hsdsSchemas are the compiled envelopes: a page of services, plain HSDS or
// the Punto profile, with or without additional properties allowed.
type hsdsSchemas struct {
	page map[[2]bool]*jsonschema.Schema // [profile, strict]
	list *jsonschema.Schema             // compiled/service_list.json, as published
}

var (
	schemasOnce sync.Once
	schemas     hsdsSchemas
	schemasErr  error
)

func loadSchemas(t *testing.T) hsdsSchemas {
	t.Helper()
	schemasOnce.Do(func() { schemas, schemasErr = compileSchemas() })
	if schemasErr != nil {
		t.Fatal(schemasErr)
	}
	return schemas
}

func readJSON(path string) (any, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return jsonschema.UnmarshalJSON(f)
}

func compileSchemas() (hsdsSchemas, error) {
	out := hsdsSchemas{page: map[[2]bool]*jsonschema.Schema{}}
	files, err := filepath.Glob(filepath.Join(hsdsDir, "schema", "*.json"))
	if err != nil {
		return out, err
	}
	api, err := readJSON(filepath.Join(hsdsDir, "schema", "openapi.json"))
	if err != nil {
		return out, err
	}
	page := api.(map[string]any)["components"].(map[string]any)["schemas"].(map[string]any)["Page"]
	for _, profile := range []bool{false, true} {
		for _, strict := range []bool{false, true} {
			c := jsonschema.NewCompiler()
			c.DefaultDraft(jsonschema.Draft2020)
			c.AssertFormat()
			for _, f := range files {
				name := filepath.Base(f)
				if name == "openapi.json" {
					continue
				}
				doc, err := readJSON(f)
				if err != nil {
					return out, fmt.Errorf("%s: %w", f, err)
				}
				if profile {
					if doc, err = patchWith(doc, filepath.Join(profileDir, name)); err != nil {
						return out, err
					}
				}
				if strict {
					forbidAdditional(doc)
				}
				if err := c.AddResource(schemaBase+name, doc); err != nil {
					return out, err
				}
			}
			pg := deepCopy(page)
			if profile {
				if pg, err = patchWith(pg, filepath.Join(profileDir, "page.json")); err != nil {
					return out, err
				}
			}
			if err := c.AddResource(schemaBase+"page.json", pg); err != nil {
				return out, err
			}
			// The API's list response: a Page with contents (openapi.json,
			// paths./services.get), whose items are full services here.
			env := map[string]any{
				"allOf":      []any{map[string]any{"$ref": "page.json"}},
				"required":   []any{"contents"},
				"properties": map[string]any{"contents": map[string]any{"type": "array", "items": map[string]any{"$ref": "service.json"}}},
			}
			if strict {
				env["unevaluatedProperties"] = false
			}
			if err := c.AddResource(schemaBase+"envelope.json", env); err != nil {
				return out, err
			}
			sch, err := c.Compile(schemaBase + "envelope.json")
			if err != nil {
				return out, err
			}
			out.page[[2]bool{profile, strict}] = sch
		}
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	doc, err := readJSON(filepath.Join(hsdsDir, "schema", "compiled", "service_list.json"))
	if err != nil {
		return out, err
	}
	if err := c.AddResource(schemaBase+"compiled/service_list.json", doc); err != nil {
		return out, err
	}
	out.list, err = c.Compile(schemaBase + "compiled/service_list.json")
	return out, err
}

// patchWith applies the profile's merge patch of the same name, if any.
func patchWith(doc any, path string) (any, error) {
	patch, err := readJSON(path)
	if os.IsNotExist(err) {
		return doc, nil
	}
	if err != nil {
		return nil, err
	}
	return mergePatch(doc, patch), nil
}

// mergePatch applies an RFC 7396 JSON Merge Patch.
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
			continue
		}
		t[k] = mergePatch(t[k], v)
	}
	return t
}

func deepCopy(v any) any {
	b, _ := json.Marshal(v)
	out, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	return out
}

// forbidAdditional sets additionalProperties false on every object schema
// that does not say: the strict check of the HSDS specification's CI.
func forbidAdditional(v any) {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["properties"]; ok {
			if _, set := x["additionalProperties"]; !set {
				x["additionalProperties"] = false
			}
		}
		for _, c := range x {
			forbidAdditional(c)
		}
	case []any:
		for _, c := range x {
			forbidAdditional(c)
		}
	}
}

// schemaErrors validates a document and lists its errors, one per failing
// leaf ("/contents/3/id: …").
func schemaErrors(sch *jsonschema.Schema, doc []byte) []string {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return []string{err.Error()}
	}
	err = sch.Validate(inst)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return []string{err.Error()}
	}
	var out []string
	english := message.NewPrinter(language.English) // a Printer is not safe for concurrent use
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			out = append(out, "/"+strings.Join(e.InstanceLocation, "/")+": "+e.ErrorKind.LocalizedString(english))
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return out
}

// checkExport validates an HSDS export as a page against plain HSDS and,
// under the Punto profile, the profile: 0 errors, strict as well. Each
// service is also checked against the published compiled service_list.json
// (its one-to-one fields; the list schema forbids nothing else).
func checkExport(t *testing.T, name string, doc []byte, opt Options) {
	t.Helper()
	s := loadSchemas(t)
	profile := opt.Profile != ProfileHSDS
	for _, c := range []struct {
		what string
		sch  *jsonschema.Schema
	}{
		{"HSDS 3.0", s.page[[2]bool{false, false}]},
		{"HSDS 3.0 strict", s.page[[2]bool{false, true}]},
		{"the Punto profile strict", s.page[[2]bool{true, true}]},
	} {
		if profile && c.what == "HSDS 3.0 strict" {
			continue // the profile's additions are additional properties
		}
		if !profile && c.what == "the Punto profile strict" {
			continue
		}
		if errs := schemaErrors(c.sch, doc); len(errs) > 0 {
			t.Errorf("%s: %d errors against %s, first: %s", name, len(errs), c.what, strings.Join(errs[:min(5, len(errs))], "; "))
		}
	}
	var page struct {
		Contents []json.RawMessage `json:"contents"`
	}
	if err := json.Unmarshal(doc, &page); err != nil {
		t.Fatal(err)
	}
	bad := 0
	for i, svc := range page.Contents {
		if errs := schemaErrors(s.list, svc); len(errs) > 0 {
			if bad == 0 {
				t.Errorf("%s: service %d fails compiled/service_list.json: %s", name, i, strings.Join(errs[:min(5, len(errs))], "; "))
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d services fail compiled/service_list.json", name, bad)
	}
}

var (
	demoOnce sync.Once
	demoRecs *Records
	demoErr  error
)

// demoRecords are the demo catalog's records, read once for the tests
// that only export them (they must not change them).
func demoRecords(t *testing.T) *Records {
	t.Helper()
	demoOnce.Do(func() {
		st := openDemo(t)
		demoRecs, demoErr = Read(context.Background(), st)
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	return demoRecs
}

// schemaServices is the size of the generated catalog the schema test
// exports; `make soak` (PUNTO_SOAK) checks 10,000.
func schemaServices() int {
	if os.Getenv("PUNTO_SOAK") != "" {
		return 10000
	}
	return 300
}

func exportWith(t *testing.T, x *Records, opt Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := x.WriteOptions(FormatHSDS, opt, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The demo and a generated catalog export as valid HSDS 3.0, under the
// Punto profile and as plain HSDS, strict as well.
func TestHSDSExportValidates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	demo := demoRecords(t)
	path := filepath.Join(t.TempDir(), "gen.db")
	if err := content.Generate(ctx, path, content.GenerateOptions{Services: schemaServices(), Seed: 15}); err != nil {
		t.Fatal(err)
	}
	st, err := content.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	gen, err := Read(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		x    *Records
		opt  Options
	}{
		{"demo, Punto profile", demo, Options{}},
		{"demo, plain HSDS in Arabic", demo, Options{Profile: ProfileHSDS, Lang: "ar"}},
		{"generated, Punto profile", gen, Options{}},
		{"generated, plain HSDS", gen, Options{Profile: ProfileHSDS}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			checkExport(t, c.name, exportWith(t, c.x, c.opt), c.opt)
		})
	}
}

// Plain HSDS carries one language and no Punto additions; the profile's
// export names the profile and keeps the slugs, and its UUIDs are the
// records' own.
func TestHSDSProfiles(t *testing.T) {
	t.Parallel()
	x := demoRecords(t)
	var punto, plain struct {
		Version  string `json:"version"`
		Profile  string `json:"profile"`
		Contents []map[string]any
	}
	if err := json.Unmarshal(exportWith(t, x, Options{}), &punto); err != nil {
		t.Fatal(err)
	}
	fr := exportWith(t, x, Options{Profile: ProfileHSDS, Lang: "fr"})
	if err := json.Unmarshal(fr, &plain); err != nil {
		t.Fatal(err)
	}
	if punto.Version != HSDSVersion || punto.Profile != ProfileURI {
		t.Errorf("the profile's page names version %q, profile %q", punto.Version, punto.Profile)
	}
	if plain.Version != "" || plain.Profile != "" || bytes.Contains(fr, []byte(`"translations"`)) || bytes.Contains(fr, []byte(`"punto_id"`)) {
		t.Error("plain HSDS carries Punto's additions")
	}
	s := x.Services[0]
	if got := punto.Contents[0]["id"]; got != s.UUID || s.UUID == "" {
		t.Errorf("service id %v, want its UUID %q", got, s.UUID)
	}
	if got := punto.Contents[0]["punto_id"]; got != s.ID {
		t.Errorf("punto_id %v, want %q", got, s.ID)
	}
	if want := s.Name["fr"]; want != "" && plain.Contents[0]["name"] != want {
		t.Errorf("plain HSDS in French: name %v, want %q", plain.Contents[0]["name"], want)
	}
	var buf bytes.Buffer
	if err := x.WriteOptions(FormatHSDS, Options{Profile: "uk"}, &buf); err == nil {
		t.Error("an unknown profile was written")
	}
}

// The schema check is not vacuous: a slug for an id, an unknown status and
// Punto's additions under plain strict HSDS are each caught.
func TestHSDSSchemaCatches(t *testing.T) {
	t.Parallel()
	s := loadSchemas(t)
	x := *demoRecords(t)
	x.Services = x.Services[:3]
	doc := exportWith(t, &x, Options{})
	slug := bytes.Replace(doc, []byte(`"id": "`+x.Services[0].UUID+`"`), []byte(`"id": "`+x.Services[0].ID+`"`), 1)
	status := bytes.Replace(doc, []byte(`"status": "active"`), []byte(`"status": "open"`), 1)
	for _, c := range []struct {
		name string
		doc  []byte
		sch  *jsonschema.Schema
		want string
	}{
		{"a slug for an id", slug, s.page[[2]bool{false, false}], "/contents/0/id"},
		{"an unknown status", status, s.page[[2]bool{true, true}], "/status"},
		{"translations under plain strict HSDS", doc, s.page[[2]bool{false, true}], "translations"},
	} {
		errs := schemaErrors(c.sch, c.doc)
		if len(errs) == 0 || !strings.Contains(strings.Join(errs, "\n"), c.want) {
			t.Errorf("%s: errors %q, want one at %s", c.name, errs, c.want)
		}
	}
}

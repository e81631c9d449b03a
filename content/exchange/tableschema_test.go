package exchange

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/punto-totem/punto/content"
)

// A Frictionless Table Schema check of a CSV package against a descriptor
// (what `frictionless validate` does for HSDS): the header is the
// resource's fields in order, each cell has its field's type and format
// (uuid, email, uri; number, date, time HH:MM:SS, datetime), required
// fields are not empty, unique fields and primary keys do not repeat, and
// foreign keys name rows that exist.

type tsDescriptor struct {
	Resources []tsResource `json:"resources"`
}

type tsResource struct {
	Name   string `json:"name"`
	Path   string `json:"path"`
	Schema struct {
		Fields []struct {
			Name        string `json:"name"`
			Type        string `json:"type"`
			Format      string `json:"format"`
			Constraints struct {
				Required bool `json:"required"`
				Unique   bool `json:"unique"`
			} `json:"constraints"`
		} `json:"fields"`
		PrimaryKey  any `json:"primaryKey"`
		ForeignKeys []struct {
			Fields    any `json:"fields"`
			Reference struct {
				Resource string `json:"resource"`
				Fields   any    `json:"fields"`
			} `json:"reference"`
		} `json:"foreignKeys"`
	} `json:"schema"`
}

func readDescriptor(t *testing.T, path string) tsDescriptor {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var d tsDescriptor
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// oneField reads a key that is a field name or a list of one.
func oneField(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		if len(x) == 1 {
			s, _ := x[0].(string)
			return s
		}
	}
	return ""
}

// tsError is one failure of a cell, row or header.
type tsError struct {
	file  string
	line  int
	field string
	kind  string // type-error, constraint-error (required, unique), foreign-key, header
	msg   string
}

func (e tsError) String() string {
	return fmt.Sprintf("%s line %d: %s: %s (%s)", e.file, e.line, e.field, e.msg, e.kind)
}

var (
	tsUUID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	tsTime = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$`)
)

// cellError checks one non-empty cell against its field's type and format.
func cellError(typ, format, v string) string {
	switch typ {
	case "number":
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "not a number"
		}
	case "integer":
		if _, err := strconv.Atoi(v); err != nil {
			return "not an integer"
		}
	case "date":
		if _, err := time.Parse("2006-01-02", v); err != nil {
			return "not a date YYYY-MM-DD"
		}
	case "time":
		if !tsTime.MatchString(v) {
			return "not a time HH:MM:SS"
		}
	case "datetime":
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			return "not a datetime"
		}
	case "string":
		switch format {
		case "uuid":
			if !tsUUID.MatchString(v) {
				return "not a uuid"
			}
		case "email":
			if a, err := mail.ParseAddress(v); err != nil || a.Address != v {
				return "not an email address"
			}
		case "uri":
			if u, err := url.Parse(v); err != nil || u.Scheme == "" {
				return "not a uri"
			}
		}
	}
	return ""
}

// validatePackage checks the package in dir against the descriptor.
func validatePackage(t *testing.T, d tsDescriptor, dir string) []tsError {
	t.Helper()
	var errs []tsError
	keys := map[string]map[string]map[string]bool{} // resource → field → values
	type fk struct {
		file, field, resource, refField string
		line                            int
		value                           string
	}
	var fks []fk
	for _, r := range d.Resources {
		data, err := os.ReadFile(filepath.Join(dir, r.Path))
		if err != nil {
			errs = append(errs, tsError{file: r.Path, kind: "missing", msg: err.Error()})
			continue
		}
		cr := csv.NewReader(bytes.NewReader(data))
		recs, err := cr.ReadAll()
		if err != nil || len(recs) == 0 {
			errs = append(errs, tsError{file: r.Path, kind: "source", msg: fmt.Sprint(err)})
			continue
		}
		var names []string
		for _, f := range r.Schema.Fields {
			names = append(names, f.Name)
		}
		if !slices.Equal(recs[0], names) {
			errs = append(errs, tsError{file: r.Path, line: 1, kind: "header", msg: fmt.Sprintf("%v, want %v", recs[0], names)})
			continue
		}
		pk := oneField(r.Schema.PrimaryKey)
		seen := map[string]map[string]bool{}
		keys[r.Name] = seen
		for i, rec := range recs[1:] {
			line := i + 2
			for j, f := range r.Schema.Fields {
				v := rec[j]
				if v == "" {
					if f.Constraints.Required || f.Name == pk {
						errs = append(errs, tsError{r.Path, line, f.Name, "constraint-error", "required"})
					}
					continue
				}
				if msg := cellError(f.Type, f.Format, v); msg != "" {
					errs = append(errs, tsError{r.Path, line, f.Name, "type-error", fmt.Sprintf("%q is %s", v, msg)})
				}
				if f.Constraints.Unique || f.Name == pk {
					if seen[f.Name] == nil {
						seen[f.Name] = map[string]bool{}
					}
					if seen[f.Name][v] {
						errs = append(errs, tsError{r.Path, line, f.Name, "constraint-error", fmt.Sprintf("%q repeats (unique)", v)})
					}
					seen[f.Name][v] = true
				}
			}
			for _, k := range r.Schema.ForeignKeys {
				f := oneField(k.Fields)
				if j := slices.Index(names, f); j >= 0 && rec[j] != "" {
					fks = append(fks, fk{r.Path, f, k.Reference.Resource, oneField(k.Reference.Fields), line, rec[j]})
				}
			}
		}
	}
	for _, k := range fks {
		if !keys[k.resource][k.refField][k.value] {
			errs = append(errs, tsError{k.file, k.line, k.field, "foreign-key", fmt.Sprintf("%q is no %s.%s", k.value, k.resource, k.refField)})
		}
	}
	return errs
}

// The HSDS CSV package passes the official descriptor: every table, the
// official names and columns, HH:MM:SS times, required fields, keys. What
// the catalog itself lacks is the only exception, counted by field: the
// demo has no postal codes, and a generated catalog no organizations.
func TestHSDSCSVFollowsTheDescriptor(t *testing.T) {
	t.Parallel()
	official := readDescriptor(t, filepath.Join(hsdsDir, "datapackage.json"))
	x := demoRecords(t)
	for _, c := range []struct {
		name string
		opt  Options
	}{{"punto", Options{}}, {"hsds", Options{Profile: ProfileHSDS, Lang: "en"}}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := x.WriteHSDSFolder(dir, c.opt); err != nil {
				t.Fatal(err)
			}
			gaps := map[string]int{}
			for _, e := range validatePackage(t, official, dir) {
				if e.kind == "constraint-error" && e.msg == "required" && catalogGap(x, e) {
					gaps[e.file+" "+e.field]++
					continue
				}
				t.Errorf("%s", e)
			}
			t.Logf("required values the demo catalog does not hold: %v", gaps)
			// The package's own descriptor (the official resources, then
			// the profile's) describes what it holds.
			own := readDescriptor(t, filepath.Join(dir, "datapackage.json"))
			for _, e := range validatePackage(t, own, dir) {
				if !(e.kind == "constraint-error" && e.msg == "required" && catalogGap(x, e)) {
					t.Errorf("against its own descriptor: %s", e)
				}
			}
		})
	}
	// The validator is not vacuous: a time without seconds, a slug for an
	// id, a missing name and a dangling key are each caught.
	dir := t.TempDir()
	small := *x
	small.Services = small.Services[:2]
	if err := small.WriteHSDSFolder(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	edit := func(file, from, to string) {
		p := filepath.Join(dir, file)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte(from)) {
			t.Fatalf("%s has no %q", file, from)
		}
		if err := os.WriteFile(p, bytes.Replace(b, []byte(from), []byte(to), 1), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := small.Services[0]
	edit("schedules.csv", ":00:00,", ",")
	edit("services.csv", s.UUID+",", s.ID+",")
	edit("locations.csv", s.Locations[0].UUID+",", content.RecordUUID("location", "elsewhere")+",")
	var kinds []string
	for _, e := range validatePackage(t, official, dir) {
		kinds = append(kinds, e.file+" "+e.field+" "+e.kind)
	}
	got := strings.Join(kinds, "\n")
	for _, want := range []string{"schedules.csv opens_at type-error", "services.csv id type-error", "service_at_location.csv location_id foreign-key"} {
		if !strings.Contains(got, want) {
			t.Errorf("the validator missed %q; it found:\n%s", want, got)
		}
	}
}

// catalogGap reports whether a required value is missing because the
// catalog does not hold it: a location's postal code, a service's
// organization.
func catalogGap(x *Records, e tsError) bool {
	switch e.file + " " + e.field {
	case "addresses.csv postal_code":
		for _, s := range x.Services {
			for _, l := range s.Locations {
				if l.PostalCode == "" {
					return true
				}
			}
		}
	case "services.csv organization_id":
		for _, s := range x.Services {
			if s.OrganizationID == "" {
				return true
			}
		}
	}
	return false
}

package exchange

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeHSDS1Package writes a synthetic HSDS 1.1 data package of n
// services shaped like a 211 directory's: a third reached by phone only
// (a location with an address and no coordinates, or none), hours as
// 1.x writes them (weekday names or numbers, "5:00", "10:00:00"), hours
// given for a location rather than a service, phones on services at
// locations, languages by name, service_taxonomy rows, and a few
// services whose organization is missing. It returns how many services
// are wrong on purpose.
func writeHSDS1Package(t testing.TB, dir string, n int, seed uint64) (bad int) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	tables := map[string][][]string{
		"organizations":        {{"id", "name", "description", "email", "url"}},
		"services":             {{"id", "organization_id", "program_id", "name", "alternate_name", "description", "url", "email", "status", "fees"}},
		"locations":            {{"id", "organization_id", "name", "description", "latitude", "longitude"}},
		"services_at_location": {{"id", "service_id", "location_id", "description"}},
		"physical_addresses":   {{"id", "location_id", "attention", "address_1", "city", "region", "state_province", "postal_code", "country"}},
		"phones":               {{"id", "location_id", "service_id", "organization_id", "contact_id", "service_at_location_id", "number", "extension", "type", "language", "description"}},
		"regular_schedules":    {{"id", "service_id", "location_id", "service_at_location_id", "weekday", "opens_at", "closes_at"}},
		"languages":            {{"id", "service_id", "location_id", "language"}},
		"eligibility":          {{"id", "service_id", "eligibility"}},
		"service_taxonomy":     {{"id", "service_id", "taxonomy_id", "taxonomy_detail"}},
		"taxonomy":             {{"id", "name", "parent_id", "parent_name", "vocabulary"}},
	}
	add := func(table string, row ...string) { tables[table] = append(tables[table], row) }
	add("taxonomy", "BD-1800", "Food", "", "", "AIRS")
	add("taxonomy", "punto-category-legal", "Legal", "", "", "punto")
	orgs := max(n/10, 1)
	for i := range orgs {
		add("organizations", fmt.Sprintf("org-%d", i), fmt.Sprintf("Agency %d", i), "", "", "https://example.org/")
	}
	days := []string{"Monday", "Tue", "3", "thursday", "5", "Saturday", "7"}
	times := [][2]string{{"9:00", "17:00"}, {"08:30:00", "12:30:00"}, {"5:00", "13:00"}, {"10:00:00", "18:00:00"}}
	langs := []string{"English", "Spanish", "fr", "ar", "Arabic"}
	for i := range n {
		id := fmt.Sprintf("svc-%d", i)
		org := fmt.Sprintf("org-%d", r.IntN(orgs))
		if r.IntN(50) == 0 {
			org, bad = "org-missing", bad+1
		}
		add("services", id, org, "", fmt.Sprintf("Service %d", i), "", "Help with food and forms.", "", "", "active", "Free")
		add("eligibility", "el-"+id, id, "Residents of the county")
		add("service_taxonomy", "st-"+id, id, []string{"BD-1800", "punto-category-legal"}[r.IntN(2)], "")
		add("languages", "lang-"+id, id, "", langs[r.IntN(len(langs))])
		loc, sal := "loc-"+id, "sal-"+id
		lat, lon := fmt.Sprintf("%.5f", 43.5+r.Float64()/2), fmt.Sprintf("%.5f", 13.2+r.Float64()/2)
		switch r.IntN(3) {
		case 0: // a phone line: an address, no coordinates
			lat, lon = "", ""
		case 1:
			if r.IntN(2) == 0 { // online only: no address either
				lat, lon = "", ""
				add("locations", loc, org, "Online", "", lat, lon)
				add("services_at_location", sal, id, loc, "")
				add("phones", "ph-"+id, "", "", "", "", sal, "+1 800 555 0100", "22", "voice", "", "")
				continue
			}
		}
		add("locations", loc, org, fmt.Sprintf("Office %d", i), "", lat, lon)
		add("services_at_location", sal, id, loc, "")
		add("physical_addresses", "addr-"+id, loc, "", fmt.Sprintf("Via Roma %d", i), "Ancona", "", "AN", "60121", "IT")
		add("phones", "ph-"+id, "", id, "", "", "", "071 555 0100", "", "voice", "", "")
		tm := times[r.IntN(len(times))]
		for d := range 1 + r.IntN(5) {
			if r.IntN(2) == 0 {
				add("regular_schedules", fmt.Sprintf("rs-%s-%d", id, d), id, "", "", days[d], tm[0], tm[1])
			} else { // the location's hours
				add("regular_schedules", fmt.Sprintf("rs-%s-%d", id, d), "", loc, "", days[d], tm[0], tm[1])
			}
		}
	}
	type resource struct {
		Name    string `json:"name"`
		Path    string `json:"path"`
		Profile string `json:"profile"`
	}
	desc := struct {
		Name      string     `json:"name"`
		Profile   string     `json:"profile"`
		Resources []resource `json:"resources"`
	}{Name: "synthetic-211", Profile: "tabular-data-package"}
	for name, rows := range tables {
		path := name + ".csv"
		desc.Resources = append(desc.Resources, resource{name, path, "tabular-data-resource"})
		f, err := os.Create(filepath.Join(dir, path))
		if err != nil {
			t.Fatal(err)
		}
		w := csv.NewWriter(f)
		if err := w.WriteAll(rows); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	data, _ := json.Marshal(desc)
	if err := os.WriteFile(filepath.Join(dir, "datapackage.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return bad
}

// An HSDS 1.1 package is read by version rather than refused: a lenient
// import keeps every service but those wrong on purpose (over 95%),
// phone-only ones off the map, and names the rest by reason in one run.
func TestHSDS1Package(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const n = 400
	bad := writeHSDS1Package(t, dir, n, 15)
	opt := ImportOptions{Taxonomy: &TaxonomyMap{Default: "info", Terms: map[string][]string{"BD-1800": {"info"}}}}
	if _, err := ParseHSDSFolder(dir, opt); err == nil || !strings.Contains(err.Error(), "org-missing") {
		t.Fatalf("strict import: %v, want the missing organizations", err)
	}
	opt.Lenient = true
	x, err := ParseHSDSFolder(dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Services) != n-bad || len(x.Refused) != bad || float64(len(x.Services)) < 0.95*n {
		t.Fatalf("%d imported, %d refused (%v…); want %d and %d", len(x.Services), len(x.Refused), x.Refused[:min(3, len(x.Refused))], n-bad, bad)
	}
	var remote, hours, phones int
	for _, s := range x.Services {
		if s.Remote() {
			remote++
		}
		if len(s.Hours.Weekly) > 0 {
			hours++
		}
		if len(s.Phones) > 0 {
			phones++
		}
	}
	if remote < n/4 || hours < n/2 || phones != len(x.Services) {
		t.Errorf("%d remote, %d with hours, %d with phones of %d", remote, hours, phones, len(x.Services))
	}
}

// A 1.x weekday: a name, its first letters, or a number from Monday.
func TestHSDS1Weekday(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"Monday": "MO", "tue": "TU", "3": "WE", "7": "SU", "0": "SU", "Sun": "SU", "sa": "SA"} {
		if got, ok := hsds1Weekday(in); !ok || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "8", "x", "Funday"} {
		if got, ok := hsds1Weekday(in); ok {
			t.Errorf("%q: %q, want refused", in, got)
		}
	}
}

// TestWriteSyntheticHSDS1: PUNTO_HSDS1_OUT=DIR [PUNTO_HSDS1_N=4000] go test
// -run TestWriteSyntheticHSDS1 writes the synthetic 1.x package to DIR,
// for checking `punto catalog import --lenient` by hand (time, memory).
func TestWriteSyntheticHSDS1(t *testing.T) {
	dir := os.Getenv("PUNTO_HSDS1_OUT")
	if dir == "" {
		t.Skip("set PUNTO_HSDS1_OUT=DIR to write the synthetic HSDS 1.x package there")
	}
	n := 4000
	if v := os.Getenv("PUNTO_HSDS1_N"); v != "" {
		if _, err := fmt.Sscan(v, &n); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bad := writeHSDS1Package(t, dir, n, 15)
	t.Logf("%d services in %s, %d wrong on purpose", n, dir, bad)
}

// Schedules in another time zone are converted to Europe/Rome's time on
// the import day (the weekday moving across midnight); Rome's own
// offsets keep the times as they are; a bad offset is named.
func TestHSDSScheduleTimeZones(t *testing.T) {
	t.Parallel()
	winter := func() time.Time { return time.Date(2026, 1, 12, 0, 0, 0, 0, time.UTC) }
	old := importDay
	importDay = winter
	t.Cleanup(func() { importDay = old })
	three := 3.0
	one := 1.0
	for _, c := range []struct {
		sc         hsdsSchedule
		wd         int
		opens, cls string
		bad        string
	}{
		{sc: hsdsSchedule{Freq: "WEEKLY", Byday: "MO", OpensAt: "10:00:00", ClosesAt: "18:00:00", Timezone: &three}, wd: 1, opens: "08:00", cls: "16:00"},
		{sc: hsdsSchedule{Freq: "WEEKLY", Byday: "MO", OpensAt: "9:00", ClosesAt: "17:00", Timezone: &one}, wd: 1, opens: "09:00", cls: "17:00"},
		{sc: hsdsSchedule{Freq: "WEEKLY", Byday: "MO", OpensAt: "09:00-05:00", ClosesAt: "13:00-05:00"}, wd: 1, opens: "15:00", cls: "19:00"},
		{sc: hsdsSchedule{Freq: "WEEKLY", Byday: "SU", OpensAt: "20:00Z", ClosesAt: "22:00Z"}, wd: 7, opens: "21:00", cls: "23:00"},
		{sc: hsdsSchedule{Freq: "WEEKLY", Byday: "SU", OpensAt: "20:00-08:00", ClosesAt: "22:00-08:00"}, wd: 1, opens: "05:00", cls: "07:00"},
		{sc: hsdsSchedule{Freq: "WEEKLY", Byday: "MO", OpensAt: "20:00-05:00", ClosesAt: "23:00-05:00"}, wd: 2, opens: "02:00", cls: "05:00"},
		{sc: hsdsSchedule{Freq: "WEEKLY", Byday: "MO", OpensAt: "17:00-05:00", ClosesAt: "20:00-05:00"}, bad: "across midnight"},
		{sc: hsdsSchedule{Freq: "WEEKLY", Byday: "MO", OpensAt: "09:00+01:00", ClosesAt: "13:00+02:00"}, bad: "different time zones"},
	} {
		is := &issues{}
		h := &hsdsService{Schedules: []*hsdsSchedule{&c.sc}}
		got := h.hours(is)
		if c.bad != "" {
			if len(is.list) == 0 || !strings.Contains(is.list[0].Reason, c.bad) {
				t.Errorf("%+v: %v, want …%s…", c.sc, is.list, c.bad)
			}
			continue
		}
		if len(is.list) > 0 || len(got.Weekly) != 1 || got.Weekly[0].Weekday != c.wd || got.Weekly[0].Opens != c.opens || got.Weekly[0].Closes != c.cls {
			t.Errorf("%s-%s: %+v %v, want day %d %s-%s", c.sc.OpensAt, c.sc.ClosesAt, got.Weekly, is.list, c.wd, c.opens, c.cls)
		}
	}
}

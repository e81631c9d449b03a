package exchange

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

// Reading HSDS 1.x data packages (1.0, 1.1, 1.2: still what most
// directories in the field publish). Their tables are renamed to HSDS
// 3.0's and their rows reshaped, then joined as a 3.0 package is
// (assemblePackage): services.csv, organizations.csv, locations.csv,
// services_at_location.csv, physical_addresses.csv, phones.csv,
// contacts.csv, regular_schedules.csv (weekday, opens_at, closes_at),
// languages.csv, eligibility.csv, required_documents.csv,
// accessibility_for_disabilities.csv, service_taxonomy.csv and
// taxonomy.csv. The other 1.x tables (programs, funding, service areas,
// holiday schedules, payments, metadata) are not read.

// hsds1Only are resource names that exist only in HSDS 1.x: a descriptor
// naming one of them is a 1.x package.
var hsds1Only = []string{"services_at_location", "physical_addresses", "regular_schedules", "service_taxonomy", "accessibility_for_disabilities"}

// isHSDS1 tells a 1.x descriptor by its resource names.
func isHSDS1(paths map[string]string) bool {
	for _, n := range hsds1Only {
		if _, ok := paths[n]; ok {
			return true
		}
	}
	return false
}

// readHSDS1 reads a 1.x package's tables and reshapes them as 3.0's.
func readHSDS1(fsys fs.FS, paths map[string]string, budget *int64, is *issues) (map[string][]pkgRow, bool) {
	raw := map[string][]pkgRow{}
	for _, name := range []string{"organizations", "services", "locations", "services_at_location", "physical_addresses", "phones", "contacts",
		"regular_schedules", "languages", "eligibility", "required_documents", "accessibility_for_disabilities", "service_taxonomy", "taxonomy"} {
		p, ok := paths[name]
		if !ok {
			continue
		}
		rows, ok := readTable(fsys, p, &hsdsTable{name: name}, budget, is)
		if !ok {
			return nil, false
		}
		raw[name] = rows
	}
	if _, ok := raw["services"]; !ok {
		is.add(ImportIssue{File: "datapackage.json", Field: "resources", Reason: "an HSDS 1.x package, but it names no services table (resource \"services\", services.csv)"})
		return nil, false
	}
	return hsds1Tables(raw, is), true
}

// hsds1Tables reshapes the 1.x rows as 3.0's tables.
func hsds1Tables(raw map[string][]pkgRow, is *issues) map[string][]pkgRow {
	t := map[string][]pkgRow{}
	add := func(table string, rows []pkgRow) { // a table with rows only
		if len(rows) > 0 {
			t[table] = append(t[table], rows...)
		}
	}
	rename := func(from, to string, cols, set map[string]string) {
		add(to, hsds1Renamed(raw[from], cols, set))
	}
	rename("organizations", "organizations", map[string]string{"url": "website"}, nil)
	add("services", hsds1Services(raw))
	rename("locations", "locations", nil, map[string]string{"location_type": "physical"})
	rename("services_at_location", "service_at_locations", nil, nil)
	rename("physical_addresses", "addresses", nil, map[string]string{"address_type": "physical"})
	for _, r := range raw["accessibility_for_disabilities"] {
		r.cols["description"] = strings.TrimSpace(strings.Join([]string{r.get("accessibility"), r.get("details")}, " "))
		t["accessibility"] = append(t["accessibility"], r)
	}
	rename("contacts", "contacts", nil, nil)
	rename("required_documents", "required_documents", nil, nil)
	serviceOf := hsds1ServiceOf(raw)
	add("phones", hsds1Phones(raw["phones"], serviceOf))
	add("schedules", hsds1Schedules(raw["regular_schedules"], serviceOf, is))
	for _, r := range raw["languages"] {
		l := strings.TrimSpace(r.get("language"))
		if len(l) <= 3 {
			r.cols["code"] = strings.ToLower(l)
		} else {
			r.cols["name"] = l
		}
		t["languages"] = append(t["languages"], r)
	}
	for _, r := range raw["taxonomy"] {
		r.cols["taxonomy"] = r.get("vocabulary")
		t["taxonomy_terms"] = append(t["taxonomy_terms"], r)
	}
	for _, r := range raw["service_taxonomy"] {
		t["attributes"] = append(t["attributes"], pkgRow{cols: map[string]string{"id": r.get("id"), "link_id": r.get("service_id"),
			"link_entity": "service", "link_type": "service_taxonomy", "taxonomy_term_id": r.get("taxonomy_id"), "value": r.get("taxonomy_detail")}, at: r.at})
	}
	return t
}

// hsds1Renamed is rows with the columns of cols renamed (old → new) and
// those of set given their value where empty.
func hsds1Renamed(rows []pkgRow, cols, set map[string]string) []pkgRow {
	for _, r := range rows {
		for old, nw := range cols {
			if v, ok := r.cols[old]; ok {
				r.cols[nw] = v
			}
		}
		for k, v := range set {
			if r.cols[k] == "" {
				r.cols[k] = v
			}
		}
	}
	return rows
}

// hsds1Services is the 1.x services as 3.0's: fees as a description, the
// eligibility table folded into a description, active unless told.
func hsds1Services(raw map[string][]pkgRow) []pkgRow {
	eligibility := map[string][]string{}
	for _, r := range raw["eligibility"] {
		eligibility[r.get("service_id")] = append(eligibility[r.get("service_id")], r.get("eligibility"))
	}
	var out []pkgRow
	for _, r := range raw["services"] {
		r.cols["fees_description"] = r.get("fees")
		if e := eligibility[r.get("id")]; len(e) > 0 {
			r.cols["eligibility_description"] = strings.Join(e, "; ")
		}
		if r.get("status") == "" {
			r.cols["status"] = "active"
		}
		out = append(out, r)
	}
	return out
}

// hsds1ServiceOf says which services a row belongs to. Phones and hours
// may belong to a service at a location, or (hours) to a location: they
// go to the services there.
func hsds1ServiceOf(raw map[string][]pkgRow) func(pkgRow) []string {
	salService := map[string]string{}
	atLocation := map[string][]string{}
	for _, r := range raw["services_at_location"] {
		salService[r.get("id")] = r.get("service_id")
		atLocation[r.get("location_id")] = append(atLocation[r.get("location_id")], r.get("service_id"))
	}
	return func(r pkgRow) []string {
		switch {
		case r.get("service_id") != "":
			return []string{r.get("service_id")}
		case r.get("service_at_location_id") != "":
			return []string{salService[r.get("service_at_location_id")]}
		}
		return atLocation[r.get("location_id")]
	}
}

// hsds1Phones is the 1.x phones as 3.0's, each its service's.
func hsds1Phones(rows []pkgRow, serviceOf func(pkgRow) []string) []pkgRow {
	var out []pkgRow
	for _, r := range rows {
		if r.get("service_id") == "" && r.get("contact_id") == "" {
			if ids := serviceOf(r); len(ids) > 0 {
				r.cols["service_id"] = ids[0]
			}
		}
		// 1.x phones are the service's: a desk (an HSDS 3 phone on its
		// service at location) is a channel, which 1.x has not.
		delete(r.cols, "service_at_location_id")
		out = append(out, r)
	}
	return out
}

// hsds1Schedules is the 1.x regular schedules as 3.0's WEEKLY schedules,
// one for each service they belong to.
func hsds1Schedules(rows []pkgRow, serviceOf func(pkgRow) []string, is *issues) []pkgRow {
	var out []pkgRow
	for _, r := range rows {
		day, ok := hsds1Weekday(r.get("weekday"))
		if !ok {
			is.add(r.at.issue("weekday", fmt.Sprintf("%q is not a day of the week (Monday … Sunday, or 1 … 7 from Monday)", r.get("weekday"))))
			continue
		}
		ids := serviceOf(r)
		if len(ids) == 0 {
			is.add(r.at.issue("service_id", "the hours belong to no service (nor to a location with services)"))
			continue
		}
		for i, id := range ids {
			row := pkgRow{cols: map[string]string{"id": r.get("id"), "service_id": id, "freq": "WEEKLY", "wkst": "MO", "byday": day,
				"opens_at": r.get("opens_at"), "closes_at": r.get("closes_at"), "description": r.get("description")}, at: r.at}
			if i > 0 {
				row.cols["id"] = fmt.Sprintf("%s/%d", r.get("id"), i)
			}
			out = append(out, row)
		}
	}
	return out
}

// hsds1Weekday reads a 1.x weekday: a name in English (whole or its first
// three letters), or a number from 1 (Monday) to 7 (Sunday, also 0); as
// an RRULE BYDAY code.
func hsds1Weekday(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n <= 7 {
		return weekdayCodes[(n+6)%7], true
	}
	for i, name := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		if len(s) >= 2 && strings.HasPrefix(name, strings.ToLower(s)) {
			return weekdayCodes[i], true
		}
	}
	return "", false
}

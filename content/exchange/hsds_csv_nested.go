package exchange

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/punto-totem/punto/content"
)

// The nested HSDS members Punto keeps without modelling them (a service's
// program, service areas, cost options, funding and metadata; an
// organization's contacts, phones, locations, programs, funding and
// identifiers; a location's contacts, phones, schedules and languages; a
// phone's languages; …) are, in the CSV package, rows of their own tables
// linked to their parent by a foreign key (phone.location_id,
// language.phone_id, metadata.resource_id, …), as the official package
// of the examples holds them. The export writes them there; the import
// gathers them back into the kept members of the record they link to, so
// that a package round trip keeps what a JSON one keeps.

// nestedMember is one member of an HSDS object that the package holds as
// rows of another table.
type nestedMember struct {
	parent, member string // the object's table and its member
	child          string // the rows' table
	link           string // the child's column that names the parent's id ("" for a service's program: service.program_id names it)
	modeled        bool   // read back into a record Punto models too (not only into a kept object)
}

var nestedMembers = []nestedMember{
	{"organization", "contacts", "contact", "organization_id", true},
	{"organization", "phones", "phone", "organization_id", true},
	{"organization", "locations", "location", "organization_id", true},
	{"organization", "programs", "program", "organization_id", true},
	{"organization", "funding", "funding", "organization_id", true},
	{"organization", "organization_identifiers", "organization_identifier", "organization_id", true},
	{"organization", "metadata", "metadata", "resource_id", true},
	{"service", "program", "program", "", true},
	{"service", "service_areas", "service_area", "service_id", true},
	{"service", "cost_options", "cost_option", "service_id", true},
	{"service", "funding", "funding", "service_id", true},
	{"service", "metadata", "metadata", "resource_id", true},
	{"service_at_location", "contacts", "contact", "service_at_location_id", true},
	{"location", "addresses", "address", "location_id", false},
	{"location", "accessibility", "accessibility", "location_id", false},
	{"location", "contacts", "contact", "location_id", true},
	{"location", "phones", "phone", "location_id", true},
	{"location", "schedules", "schedule", "location_id", true},
	{"location", "languages", "language", "location_id", true},
	{"location", "metadata", "metadata", "resource_id", true},
	{"contact", "phones", "phone", "contact_id", false},
	{"phone", "languages", "language", "phone_id", true},
}

// linkColumns are each table's columns that link a row to its parents:
// the descriptor's foreign keys, and metadata's resource_id. In a kept
// object read back from its rows they are left out, as the nesting says
// what they said.
var linkColumns = sync.OnceValue(func() map[string][]string {
	out := map[string][]string{"metadata": {"resource_id"}}
	for _, r := range descriptor() {
		for _, fk := range r.Schema.ForeignKeys {
			if f, ok := fk.Fields.(string); ok {
				out[r.Name] = append(out[r.Name], f)
			}
		}
	}
	return out
})

// foreignKey is a column of a table that names a row of another.
type foreignKey struct {
	field, resource string
	required        bool
}

// foreignKeys are the descriptor's foreign keys of each table.
var foreignKeys = sync.OnceValue(func() map[string][]foreignKey {
	out := map[string][]foreignKey{}
	for _, r := range descriptor() {
		for _, fk := range r.Schema.ForeignKeys {
			f, ok := fk.Fields.(string)
			if !ok {
				continue
			}
			k := foreignKey{field: f, resource: fk.Reference.Resource}
			for _, x := range r.Schema.Fields {
				if x.Name == f {
					k.required = x.Constraints.Required
				}
			}
			out[r.Name] = append(out[r.Name], k)
		}
	}
	return out
})

// dropDangling empties the optional links, kept from the file a record
// came from, that name a record the package does not hold (a location's
// organization_id naming an organization the catalog lacks): the
// package's foreign keys must resolve.
func (p *packageTables) dropDangling() {
	for table, fks := range foreignKeys() {
		t := p.tabs[table]
		if t == nil {
			continue
		}
		for _, row := range t.rows {
			for _, k := range fks {
				if v := row[k.field]; v != "" && !k.required {
					if _, ok := p.rowAt[k.resource][v]; !ok {
						row[k.field] = ""
					}
				}
			}
		}
	}
}

// partTables are the tables of the parts Punto models: their rows' links
// are Punto's to write, never kept.
var partTables = []string{"phone", "contact", "schedule", "language", "address", "accessibility", "required_document", "service_at_location"}

// nested writes the rows of the kept nested members of a record of table
// (its id, its kept members, and for a service its organization's id),
// and of theirs, each linked to its parent.
func (p *packageTables) nested(table, id string, kept map[string]json.RawMessage, orgID string) {
	for _, n := range nestedMembers {
		raw, ok := kept[n.member]
		if n.parent != table || !ok {
			continue
		}
		var objs []map[string]json.RawMessage
		if n.link == "" {
			var one map[string]json.RawMessage
			if json.Unmarshal(raw, &one) == nil && one != nil {
				objs = append(objs, one)
			}
		} else {
			_ = json.Unmarshal(raw, &objs)
		}
		for i, obj := range objs {
			if obj == nil {
				continue
			}
			cid := str(obj["id"])
			if cid == "" {
				cid = content.PartUUID(id, fmt.Sprintf("%s/%d", n.member, i))
			}
			row := keptCells(map[string]string{}, obj)
			row["id"] = cid
			switch {
			case n.child == "metadata":
				if row["resource_type"] == "" {
					row["resource_type"] = table
				}
				fallthrough
			case n.link != "":
				if row[n.link] == "" {
					row[n.link] = id
				}
			default: // a service's program: the service names it, the program its organization
				if row["organization_id"] == "" {
					row["organization_id"] = orgID
				}
				if svc := p.tabs[table].rows[p.rowAt[table][id]]; svc["program_id"] == "" {
					svc["program_id"] = cid
				}
			}
			p.add(n.child, row, nil)
			p.nested(n.child, cid, obj, orgID)
		}
	}
}

// nestIndex finds a package's rows by the value of a link column.
type nestIndex map[string]map[string]map[string][]pkgRow // table (Punto's name) → column → value → rows

// tableName is Punto's name of a resource's table ("phone" → "phones").
func tableName(resource string) string {
	for _, t := range hsdsTables {
		if t.resource == resource {
			return t.name
		}
	}
	return resource
}

func newNestIndex(tables map[string][]pkgRow) nestIndex {
	ix := nestIndex{}
	cols := map[string][]string{}
	for _, n := range nestedMembers {
		t := tableName(n.child)
		c := n.link
		if c == "" {
			c = "id"
		}
		if !slices.Contains(cols[t], c) {
			cols[t] = append(cols[t], c)
		}
	}
	for t, cs := range cols {
		ix[t] = map[string]map[string][]pkgRow{}
		for _, c := range cs {
			m := map[string][]pkgRow{}
			for _, r := range tables[t] {
				if v := r.get(c); v != "" {
					m[v] = append(m[v], r)
				}
			}
			ix[t][c] = m
		}
	}
	return ix
}

// members reads back the kept nested members of a record of table with
// id (and, for a service, the program its row names): each member's
// objects from the rows linked to it. modeled: the record is one Punto
// models, whose modelled members are not read here. skip leaves out
// rows (an organization's locations that are its services' locations).
func (ix nestIndex) members(table, id, programID string, modeled bool, skip func(n nestedMember, r pkgRow) bool) map[string]json.RawMessage {
	return ix.membersAt(table, id, programID, modeled, skip, 0)
}

// maxNesting bounds how deep kept objects are read back (HSDS nests an
// organization's location's contact's phone's languages: 4).
const maxNesting = 6

func (ix nestIndex) membersAt(table, id, programID string, modeled bool, skip func(n nestedMember, r pkgRow) bool, depth int) map[string]json.RawMessage {
	var out map[string]json.RawMessage
	for _, n := range nestedMembers {
		if n.parent != table || (modeled && !n.modeled) || id == "" {
			continue
		}
		var rows []pkgRow
		if n.link == "" {
			if programID == "" {
				continue
			}
			rows = ix[tableName(n.child)]["id"][programID]
		} else {
			rows = ix[tableName(n.child)][n.link][id]
		}
		var objs []json.RawMessage
		for _, r := range rows {
			if skip != nil && skip(n, r) {
				continue
			}
			if b, err := marshalText(ix.object(n.child, r, depth+1)); err == nil {
				objs = append(objs, b)
			}
		}
		if len(objs) == 0 {
			continue
		}
		if out == nil {
			out = map[string]json.RawMessage{}
		}
		if n.link == "" {
			out[n.member] = objs[0]
		} else if b, err := marshalText(objs); err == nil {
			out[n.member] = b
		}
	}
	return out
}

// object is a kept object read back from its row and its own nested
// rows, without the columns that linked it to its parents.
func (ix nestIndex) object(table string, r pkgRow, depth int) map[string]json.RawMessage {
	obj := r.kept(table, linkColumns()[table]...)
	if obj == nil {
		obj = map[string]json.RawMessage{}
	}
	if depth < maxNesting {
		for k, v := range ix.membersAt(table, r.get("id"), "", false, nil, depth) {
			obj[k] = v
		}
	}
	return obj
}

// withMembers adds members to a kept map (creating it).
func withMembers(kept, add map[string]json.RawMessage) map[string]json.RawMessage {
	if len(add) == 0 {
		return kept
	}
	if kept == nil {
		kept = map[string]json.RawMessage{}
	}
	for k, v := range add {
		kept[k] = v
	}
	return kept
}

// nest gives the records and the parts Punto models the kept nested
// members their rows in other tables hold (hsds_csv_nested.go). An
// organization's locations that are its services' are those locations
// (they carry organization_id), not copies kept with the organization.
func (a *assembly) nest(orgs []*hsdsOrganization) {
	ix := newNestIndex(a.tables)
	atService := map[string]bool{}
	for _, r := range a.tables["service_at_locations"] {
		atService[r.get("location_id")] = true
	}
	for _, o := range orgs {
		m := ix.members("organization", o.ID, "", true, func(n nestedMember, r pkgRow) bool {
			return n.member == "locations" && atService[r.get("id")]
		})
		o.extra = withMembers(o.extra, pickExtra(m, organizationExtra))
	}
	located := map[*hsdsLocation]bool{}
	phone := func(p *hsdsPhone) {
		if len(p.Languages) == 0 {
			p.extra = withMembers(p.extra, ix.members("phone", p.ID, "", true, nil))
		}
	}
	for _, s := range a.order {
		s.extra = withMembers(s.extra, pickExtra(ix.members("service", s.ID, str(s.extra["program_id"]), true, nil), serviceExtra))
		for _, p := range s.Phones {
			phone(p)
		}
		for _, c := range s.Contacts {
			for _, p := range c.Phones {
				phone(p)
			}
		}
		for _, sal := range s.ServiceAtLocations {
			sal.extra = withMembers(sal.extra, ix.members("service_at_location", sal.ID, "", true, nil))
			for _, p := range sal.Phones {
				phone(p)
			}
			if l := sal.Location; l != nil && !located[l] {
				located[l] = true
				l.extra = withMembers(l.extra, pickExtra(ix.members("location", l.ID, "", true, nil), locationExtra))
			}
		}
	}
}

// foreignAttributeObject is an attribute of another taxonomy as its JSON
// held it: its row's columns, with its term (and the term's taxonomy)
// nested, without the columns that link them.
func foreignAttributeObject(r pkgRow, terms, taxonomies map[string]pkgRow) map[string]json.RawMessage {
	obj := r.kept("attribute", "link_id", "taxonomy_term_id")
	if obj == nil {
		obj = map[string]json.RawMessage{}
	}
	t, ok := terms[r.get("taxonomy_term_id")]
	if !ok {
		return obj
	}
	tx, hasTx := taxonomies[t.get("taxonomy_id")]
	var term map[string]json.RawMessage
	if hasTx {
		term = t.kept("taxonomy_term", "taxonomy_id")
	} else {
		term = t.kept("taxonomy_term")
	}
	if term == nil {
		term = map[string]json.RawMessage{}
	}
	if hasTx {
		if b, err := marshalText(tx.kept("taxonomy")); err == nil {
			term["taxonomy_detail"] = b
		}
	}
	if b, err := marshalText(term); err == nil {
		obj["taxonomy_term"] = b
	}
	return obj
}

package exchange

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/punto-totem/punto/content"
)

// The members of a service's parts that Punto does not model (a phone's
// id, extension and languages; a schedule's id, time zone and RRULE parts
// other than its days and times; an address's id, type and other lines;
// …), kept in the service's Extra under partsKey and written back on
// export onto the part they came with. A part is found again by what
// Punto keeps of it (its signature: a phone's digits, a schedule's times
// and date, a language's code, …): a part changed since the import loses
// its kept members, as it should.
const partsKey = "punto_parts"

// endedKind holds, whole, the weekly schedules that had ended when
// imported; salEndedKind those of a service at a location (by its
// location and their place).
const (
	endedKind    = "ended_schedules"
	salEndedKind = "sal_ended_schedules"
)

// foreignKind holds, whole, the attributes of other taxonomies: Punto maps
// their terms onto its categories, and writes them back as they came.
const foreignKind = "foreign_attributes"

// partModel lists, for each kind of part, the members Punto models and
// writes itself; everything else in the part is kept.
var partModel = map[string][]string{
	"phones":               {"service_id", "contact_id", "service_at_location_id", "number", "type", "description", "punto_channel", "translations"},
	"schedules":            {"service_id", "location_id", "service_at_location_id", "punto_channel", "valid_from", "valid_to", "opens_at", "closes_at", "timezone", "description", "translations"},
	"languages":            {"service_id", "code"},
	"required_documents":   {"service_id", "document", "translations"},
	"contacts":             {"service_id", "name", "title", "email", "translations", "phones"},
	"contact_phones":       {"contact_id", "number"},                                                            // a contact's first phone, by the contact's signature
	"service_at_locations": {"service_id", "location_id", "location", "phones", "schedules"},                    // its contacts are kept whole
	"sal_phones":           {"service_id", "service_at_location_id", "number", "punto_channel", "translations"}, // a desk's phone, by its location and digits
	"sal_schedules":        {"service_id", "location_id", "service_at_location_id", "punto_channel", "valid_from", "valid_to", "opens_at", "closes_at", "timezone", "translations"},
	"addresses":            {"location_id", "address_1", "city", "region", "state_province", "postal_code", "country"},
	"accessibility":        {"location_id", "description", "translations"},
}

// keptParts is what partsKey holds: kind → signature → kept members.
type keptParts map[string]map[string]map[string]json.RawMessage

// keepParts gathers the kept members of a raw service's parts.
func keepParts(raw rawService) keptParts {
	out := keptParts{}
	for _, kind := range []string{"phones", "schedules", "languages", "required_documents", "contacts"} {
		for i, obj := range rawObjects(raw[kind]) {
			if kind == "schedules" && strings.EqualFold(str(obj["freq"]), "WEEKLY") && scheduleEnded(str(obj["valid_to"])) {
				// Hours that ended are not Punto's (addWeekly): the
				// schedule is kept whole, and written back as it was.
				out.whole(endedKind, fmt.Sprintf("%04d", i), obj)
				continue
			}
			out.add(kind, rawSignature(kind, obj), obj)
			if ps := rawObjects(obj["phones"]); kind == "contacts" && len(ps) > 0 {
				out.add("contact_phones", rawSignature(kind, obj), ps[0])
			}
		}
	}
	for i, obj := range rawObjects(raw["attributes"]) {
		var a hsdsAttribute
		if json.Unmarshal(mustJSON(obj), &a) == nil && !a.punto() {
			out.whole(foreignKind, fmt.Sprintf("%04d", i), obj)
		}
	}
	for _, sal := range rawObjects(raw["service_at_locations"]) {
		out.addSAL(sal)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// add keeps the members of obj Punto does not model, under its kind and
// signature; the first of parts alike wins.
func (out keptParts) add(kind, sig string, obj map[string]json.RawMessage) {
	kept := map[string]json.RawMessage{}
	for k, v := range obj {
		if !contains(partModel[kind], k) && string(v) != "null" {
			if k == "languages" {
				v = unlinked(v)
			}
			kept[k] = v
		}
	}
	if sig == "" || len(kept) == 0 {
		return
	}
	if out[kind] == nil {
		out[kind] = map[string]map[string]json.RawMessage{}
	}
	if _, dup := out[kind][sig]; !dup { // the first of parts alike
		out[kind][sig] = kept
	}
}

// whole keeps obj whole under kind and key.
func (out keptParts) whole(kind, key string, obj map[string]json.RawMessage) {
	if out[kind] == nil {
		out[kind] = map[string]map[string]json.RawMessage{}
	}
	out[kind][key] = obj
}

// addSAL keeps the members of a service at location, of its desk's phones
// and hours, and of its location's first address and accessibility.
func (out keptParts) addSAL(sal map[string]json.RawMessage) {
	var loc map[string]json.RawMessage
	_ = json.Unmarshal(sal["location"], &loc)
	lid := content.CanonicalUUID(str(sal["location_id"]))
	if loc != nil && lid == "" {
		lid = content.CanonicalUUID(str(loc["id"]))
	}
	out.add("service_at_locations", lid, sal)
	if lid == "" {
		return
	}
	// A desk's phones and hours (hsds_channel.go): their own members,
	// and the hours that had ended, whole.
	for _, p := range rawObjects(sal["phones"]) {
		out.add("sal_phones", lid+"|"+digits(str(p["number"])), p)
	}
	for i, sc := range rawObjects(sal["schedules"]) {
		if strings.EqualFold(str(sc["freq"]), "WEEKLY") && scheduleEnded(str(sc["valid_to"])) {
			out.whole(salEndedKind, fmt.Sprintf("%s|%04d", lid, i), sc)
			continue
		}
		out.add("sal_schedules", lid+"|"+scheduleSig(str(sc["valid_from"]), str(sc["valid_to"]), str(sc["opens_at"]), str(sc["closes_at"])), sc)
	}
	if loc == nil {
		return
	}
	// Punto keeps a location's first address and accessibility.
	if as := rawObjects(loc["addresses"]); len(as) > 0 {
		out.add("addresses", lid, as[0])
	}
	if as := rawObjects(loc["accessibility"]); len(as) > 0 {
		out.add("accessibility", lid, as[0])
	}
}

// rawSignature is what Punto keeps of a part as read.
func rawSignature(kind string, obj map[string]json.RawMessage) string {
	switch kind {
	case "phones":
		return digits(str(obj["number"]))
	case "schedules":
		return scheduleSig(str(obj["valid_from"]), str(obj["valid_to"]), str(obj["opens_at"]), str(obj["closes_at"]))
	case "languages":
		return strings.ToLower(strings.TrimSpace(str(obj["code"])))
	case "required_documents":
		return strings.TrimSpace(str(obj["document"]))
	case "contacts":
		return strings.TrimSpace(str(obj["name"])) + "|" + strings.TrimSpace(str(obj["email"]))
	}
	return ""
}

// scheduleSig is a schedule's dates (for a dated one) and times as
// HH:MM, whichever way they were written (9:00, 09:00:00).
func scheduleSig(from, to, opens, closes string) string {
	hm := func(t string) string {
		t = strings.TrimSpace(t)
		if len(t) >= 2 && t[1] == ':' {
			t = "0" + t
		}
		return t[:min(len(t), 5)]
	}
	return from + "|" + to + "|" + hm(opens) + "-" + hm(closes)
}

// digits is a phone number's digits, as a signature.
func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func rawObjects(raw json.RawMessage) []map[string]json.RawMessage {
	var out []map[string]json.RawMessage
	_ = json.Unmarshal(raw, &out)
	return out
}

func str(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(raw)) // a number where a string was expected
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// keptPartsOf reads partsKey back from a service's Extra.
func keptPartsOf(e content.Extra) keptParts {
	if len(e) == 0 {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(e, &m) != nil || m[partsKey] == nil {
		return nil
	}
	var k keptParts
	if json.Unmarshal(m[partsKey], &k) != nil {
		return nil
	}
	return k
}

// take returns the kept members of the part of kind with sig, once.
func (k keptParts) take(kind, sig string) map[string]json.RawMessage {
	m := k[kind][sig]
	if m != nil {
		delete(k[kind], sig)
	}
	return m
}

// partRef is one part of an exported service: its kind, its signature,
// where its kept members go, and the part itself.
type partRef struct {
	kind, sig string
	extra     *map[string]json.RawMessage
	part      json.Marshaler
}

// partsOf lists an exported service's parts with their signatures.
func partsOf(h *hsdsService) []partRef {
	var out []partRef
	for _, p := range h.Phones {
		out = append(out, partRef{"phones", digits(p.Number), &p.extra, p})
	}
	for _, s := range h.Schedules {
		out = append(out, partRef{"schedules", scheduleSig(s.ValidFrom, s.ValidTo, s.OpensAt, s.ClosesAt), &s.extra, s})
	}
	for _, l := range h.Languages {
		out = append(out, partRef{"languages", l.Code, &l.extra, l})
	}
	for _, d := range h.RequiredDocuments {
		out = append(out, partRef{"required_documents", strings.TrimSpace(d.Document), &d.extra, d})
	}
	for _, c := range h.Contacts {
		sig := strings.TrimSpace(c.Name) + "|" + strings.TrimSpace(c.Email)
		out = append(out, partRef{"contacts", sig, &c.extra, c})
		if len(c.Phones) > 0 {
			out = append(out, partRef{"contact_phones", sig, &c.Phones[0].extra, c.Phones[0]})
		}
	}
	for _, sal := range h.ServiceAtLocations {
		out = append(out, partRef{"service_at_locations", sal.LocationID, &sal.extra, sal})
		for _, p := range sal.Phones {
			out = append(out, partRef{"sal_phones", sal.LocationID + "|" + digits(p.Number), &p.extra, p})
		}
		for _, sc := range sal.Schedules {
			out = append(out, partRef{"sal_schedules", sal.LocationID + "|" + scheduleSig(sc.ValidFrom, sc.ValidTo, sc.OpensAt, sc.ClosesAt), &sc.extra, sc})
		}
		if sal.Location == nil {
			continue
		}
		if len(sal.Location.Addresses) > 0 {
			a := sal.Location.Addresses[0]
			out = append(out, partRef{"addresses", sal.LocationID, &a.extra, a})
		}
		if len(sal.Location.Accessibility) > 0 {
			a := sal.Location.Accessibility[0]
			out = append(out, partRef{"accessibility", sal.LocationID, &a.extra, a})
		}
	}
	return out
}

// applyKeptParts gives the parts of an exported service the members kept
// at import: each part found by its signature takes them, its id
// included, and what links to it follows (a contact's phones); the
// weekly schedules that had ended come back whole.
func applyKeptParts(h *hsdsService, e content.Extra) {
	k := keptPartsOf(e)
	if k == nil {
		return
	}
	for _, p := range partsOf(h) {
		*p.extra = k.take(p.kind, p.sig)
	}
	takeKeptIDs(h)
	addKeptWhole(h, k)
}

// takeKeptIDs gives the parts of h their kept ids, and what links to them
// follows.
func takeKeptIDs(h *hsdsService) {
	for _, c := range h.Contacts {
		if id := str(c.extra["id"]); id != "" {
			for _, p := range c.Phones {
				p.ContactID = id
			}
		}
	}
	// A part that takes its id back is named by it (a service at a
	// location by its desk's phones and hours, a phone by its languages,
	// the Punto profile's channel rows).
	for _, sal := range h.ServiceAtLocations {
		if id := str(sal.extra["id"]); id != "" {
			sal.ID = id
			for _, p := range sal.Phones {
				p.ServiceAtLocationID = id
			}
			for _, sc := range sal.Schedules {
				sc.ServiceAtLocationID = id
			}
		}
	}
	for _, c := range h.Contacts {
		if id := str(c.extra["id"]); id != "" {
			c.ID = id
		}
	}
	phones := slices.Clone(h.Phones)
	schedules := slices.Clone(h.Schedules)
	for _, sal := range h.ServiceAtLocations {
		phones = append(phones, sal.Phones...)
		schedules = append(schedules, sal.Schedules...)
	}
	for _, p := range phones {
		if id := str(p.extra["id"]); id != "" {
			p.ID = id
			for _, l := range p.Languages {
				l.PhoneID = id
			}
		}
	}
	for _, sc := range schedules {
		if id := str(sc.extra["id"]); id != "" {
			sc.ID = id
		}
	}
}

// addKeptWhole adds back to h what was kept whole: the weekly schedules
// that had ended, the service's and each desk's, and the attributes of
// other taxonomies, in the order they came.
func addKeptWhole(h *hsdsService, k keptParts) {
	for _, sig := range slices.Sorted(maps.Keys(k[endedKind])) {
		h.Schedules = append(h.Schedules, &hsdsSchedule{ServiceID: h.ID, extra: k[endedKind][sig]})
	}
	for _, sig := range slices.Sorted(maps.Keys(k[foreignKind])) {
		h.Attributes = append(h.Attributes, &hsdsAttribute{raw: k[foreignKind][sig]})
	}
	salEnded := slices.Sorted(maps.Keys(k[salEndedKind]))
	for _, sal := range h.ServiceAtLocations {
		for _, sig := range salEnded {
			if lid, _, _ := strings.Cut(sig, "|"); lid == sal.LocationID {
				sal.Schedules = append(sal.Schedules, &hsdsSchedule{ServiceID: h.ID, LocationID: sal.LocationID, ServiceAtLocationID: sal.ID, extra: k[salEndedKind][sig]})
			}
		}
	}
}

// pruneKeptParts drops from an imported service's kept part members
// those its export writes the same anyway (the ids and RRULE parts of a
// file Punto exported itself), so that a round trip through Punto adds
// nothing to a record.
func pruneKeptParts(s *content.Service) {
	k := keptPartsOf(s.Extra)
	if k == nil {
		return
	}
	bare := *s
	bare.Extra = nil
	for _, p := range partsOf(hsdsOut{}.service(&bare, nil)) {
		kept := k[p.kind][p.sig]
		if kept == nil {
			continue
		}
		b, err := p.part.MarshalJSON()
		if err != nil {
			continue
		}
		var written map[string]json.RawMessage
		if json.Unmarshal(b, &written) != nil {
			continue
		}
		for key, v := range kept {
			if key == "languages" {
				written[key] = unlinked(written[key])
			}
			if w, ok := written[key]; ok && sameJSON(w, v) {
				delete(kept, key)
			}
		}
		if len(kept) == 0 {
			delete(k[p.kind], p.sig)
		}
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(s.Extra, &m) != nil {
		return
	}
	for kind, parts := range k {
		if len(parts) == 0 {
			delete(k, kind)
		}
	}
	if len(k) == 0 {
		delete(m, partsKey)
	} else if b, err := json.Marshal(k); err == nil {
		m[partsKey] = b
	}
	s.Extra = extraOf(m)
}

// unlinked is a phone's languages without their links to the phone and
// the service (a package writes them, its nesting says them).
func unlinked(raw json.RawMessage) json.RawMessage {
	ls := rawObjects(raw)
	if ls == nil {
		return raw
	}
	for _, l := range ls {
		delete(l, "phone_id")
		delete(l, "service_id")
	}
	b, err := marshalText(ls)
	if err != nil {
		return raw
	}
	return b
}

// sameJSON compares two JSON values, whatever their spacing.
func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

// withKept marshals a part and sets its kept members over what Punto
// wrote (its id among them).
func withKept(b []byte, kept map[string]json.RawMessage) ([]byte, error) {
	if len(kept) == 0 {
		return b, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for k, v := range kept {
		if w, written := m[k]; written && fillOnly[k] && !(k == "languages" && sameCodes(w, v)) {
			continue // Punto's own (a channel's) wins; the same languages come back as they were
		}
		m[k] = v
	}
	return marshalText(m)
}

// sameCodes reports whether two lists of languages name the same codes.
func sameCodes(a, b json.RawMessage) bool {
	codes := func(raw json.RawMessage) []string {
		var out []string
		for _, l := range rawObjects(raw) {
			out = append(out, strings.ToLower(strings.TrimSpace(str(l["code"]))))
		}
		slices.Sort(out)
		return out
	}
	x, y := codes(a), codes(b)
	return len(x) > 0 && slices.Equal(x, y)
}

// fillOnly are kept members that Punto writes too for some parts (a
// channel's hours: how to attend, the video link; a channel phone's
// languages): kept ones fill them in where Punto writes none, never
// replace Punto's.
var fillOnly = map[string]bool{"attending_type": true, "schedule_link": true, "languages": true}

// keptCells sets a CSV row's cells from kept members that are plain
// values (a table's writer takes only its own columns); the id first.
func keptCells(row map[string]string, kept map[string]json.RawMessage) map[string]string {
	for k, v := range kept {
		var x any
		if json.Unmarshal(v, &x) != nil {
			continue
		}
		if row[k] != "" && fillOnly[k] {
			continue
		}
		switch x := x.(type) {
		case string:
			row[k] = x
		case float64:
			row[k] = strconv.FormatFloat(x, 'f', -1, 64)
		case bool:
			row[k] = strconv.FormatBool(x)
		}
	}
	return row
}

func (h *hsdsPhone) MarshalJSON() ([]byte, error) {
	type plain hsdsPhone
	b, err := marshalText((*plain)(h))
	if err != nil {
		return nil, err
	}
	return withKept(b, h.extra)
}

func (h *hsdsSchedule) MarshalJSON() ([]byte, error) {
	type plain hsdsSchedule
	b, err := marshalText((*plain)(h))
	if err != nil {
		return nil, err
	}
	return withKept(b, h.extra)
}

func (h *hsdsLanguage) MarshalJSON() ([]byte, error) {
	type plain hsdsLanguage
	b, err := marshalText((*plain)(h))
	if err != nil {
		return nil, err
	}
	return withKept(b, h.extra)
}

func (h *hsdsDocument) MarshalJSON() ([]byte, error) {
	type plain hsdsDocument
	b, err := marshalText((*plain)(h))
	if err != nil {
		return nil, err
	}
	return withKept(b, h.extra)
}

func (h *hsdsContact) MarshalJSON() ([]byte, error) {
	type plain hsdsContact
	b, err := marshalText((*plain)(h))
	if err != nil {
		return nil, err
	}
	return withKept(b, h.extra)
}

func (h *hsdsServiceAtLocation) MarshalJSON() ([]byte, error) {
	type plain hsdsServiceAtLocation
	b, err := marshalText((*plain)(h))
	if err != nil {
		return nil, err
	}
	return withKept(b, h.extra)
}

func (h *hsdsAddress) MarshalJSON() ([]byte, error) {
	type plain hsdsAddress
	b, err := marshalText((*plain)(h))
	if err != nil {
		return nil, err
	}
	return withKept(b, h.extra)
}

func (h *hsdsAccessibility) MarshalJSON() ([]byte, error) {
	type plain hsdsAccessibility
	b, err := marshalText((*plain)(h))
	if err != nil {
		return nil, err
	}
	return withKept(b, h.extra)
}

package exchange

import (
	"encoding/json"
	"fmt"
	"slices"
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

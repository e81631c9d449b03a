package exchange

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/punto-totem/punto/content"
)

// On export, the members kept at import (hsds_parts.go) go back onto the
// parts they came with, and the parts kept whole come back.

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

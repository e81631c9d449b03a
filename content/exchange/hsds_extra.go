package exchange

import (
	"bytes"
	"encoding/json"
	"slices"

	"github.com/punto-totem/punto/content"
)

// The HSDS fields Punto does not model, kept per record (content.Extra)
// and written back on export: an organization's, a service's and a
// location's own HSDS properties that Punto has no field for, whole
// (programs, service areas, cost options, funding, metadata, …). The
// members of the parts Punto models (a phone's extension, a schedule's
// other RRULE parts) are kept too: see hsds_parts.go.
var (
	serviceExtra = []string{"program_id", "alternate_name", "interpretation_services", "application_process", "wait_time", "fees",
		"accreditations", "minimum_age", "maximum_age", "assured_date", "assurer_email", "licenses", "alert", "last_modified",
		"service_areas", "funding", "cost_options", "program", "metadata"}
	organizationExtra = []string{"alternate_name", "tax_status", "tax_id", "year_incorporated", "legal_status", "logo", "uri",
		"parent_organization_id", "funding", "contacts", "phones", "locations", "programs", "organization_identifiers", "attributes", "metadata"}
	locationExtra = []string{"url", "organization_id", "alternate_name", "description", "transportation", "external_identifier",
		"external_identifier_type", "languages", "contacts", "phones", "schedules", "metadata"}
)

// pickExtra keeps the members of an HSDS object that are in keys.
func pickExtra(raw map[string]json.RawMessage, keys []string) map[string]json.RawMessage {
	var out map[string]json.RawMessage
	for k, v := range raw {
		if slices.Contains(keys, k) && string(v) != "null" {
			if out == nil {
				out = map[string]json.RawMessage{}
			}
			out[k] = v
		}
	}
	return out
}

// extraOf is a record's Extra for the members kept (nil for none).
func extraOf(m map[string]json.RawMessage) content.Extra {
	if len(m) == 0 {
		return nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil
	}
	return b
}

// extraMembers reads a record's Extra back, keeping only the keys of its
// kind (so that an export stays HSDS).
func extraMembers(e content.Extra, keys []string) map[string]json.RawMessage {
	if len(e) == 0 {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(e, &m) != nil {
		return nil
	}
	return pickExtra(m, keys)
}

// withExtra marshals v (an HSDS object without its extra members) and
// adds them.
func withExtra(b []byte, extra map[string]json.RawMessage) ([]byte, error) {
	if len(extra) == 0 {
		return b, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for k, v := range extra {
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	}
	return marshalText(m)
}

// marshalText marshals v as the export does: "<", ">" and "&" as they are.
func marshalText(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func (h *hsdsService) MarshalJSON() ([]byte, error) {
	type plain hsdsService
	b, err := marshalText((*plain)(h))
	if err != nil {
		return nil, err
	}
	return withExtra(b, h.extra)
}

func (h *hsdsOrganization) MarshalJSON() ([]byte, error) {
	type plain hsdsOrganization
	b, err := marshalText((*plain)(h))
	if err != nil {
		return nil, err
	}
	return withExtra(b, h.extra)
}

func (h *hsdsLocation) MarshalJSON() ([]byte, error) {
	type plain hsdsLocation
	b, err := marshalText((*plain)(h))
	if err != nil {
		return nil, err
	}
	return withExtra(b, h.extra)
}

// rawService is a service object as read, for its extra members and
// those of its organization and locations.
type rawService = map[string]json.RawMessage

// keepServiceExtras gives an HSDS service (and its organization and
// locations) the members Punto does not model, from its raw object.
func keepServiceExtras(h *hsdsService, raw rawService) {
	if h == nil || raw == nil {
		return
	}
	h.extra = pickExtra(raw, serviceExtra)
	if parts := keepParts(raw); parts != nil {
		if b, err := json.Marshal(parts); err == nil {
			if h.extra == nil {
				h.extra = map[string]json.RawMessage{}
			}
			h.extra[partsKey] = b
		}
	}
	if h.Organization != nil {
		var org map[string]json.RawMessage
		if json.Unmarshal(raw["organization"], &org) == nil {
			h.Organization.extra = pickExtra(org, organizationExtra)
		}
	}
	var sals []map[string]json.RawMessage
	if json.Unmarshal(raw["service_at_locations"], &sals) != nil {
		return
	}
	for i, sal := range sals {
		if i >= len(h.ServiceAtLocations) || h.ServiceAtLocations[i] == nil || h.ServiceAtLocations[i].Location == nil {
			continue
		}
		var loc map[string]json.RawMessage
		if json.Unmarshal(sal["location"], &loc) == nil {
			h.ServiceAtLocations[i].Location.extra = pickExtra(loc, locationExtra)
		}
	}
}

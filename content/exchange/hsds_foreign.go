package exchange

import (
	"encoding/json"

	"github.com/punto-totem/punto/content"
)

// Attributes of other taxonomies: Punto maps their terms onto its
// categories (taxonomy.go) and keeps each such attribute whole with the
// service's parts (foreignKind, hsds_parts.go), to write it back as it
// came, in JSON and in the CSV package (foreignAttribute,
// foreignAttributeObject).

// mustJSON marshals a decoded object back (it came from JSON).
func mustJSON(m map[string]json.RawMessage) []byte {
	b, _ := json.Marshal(m)
	return b
}

// punto reports whether an attribute is one Punto writes and reads as its
// own: a category or yes/no fact of its taxonomy. Any other is kept whole.
func (a *hsdsAttribute) punto() bool {
	if _, ok := termCodes[content.CanonicalUUID(a.TaxonomyTermID)]; ok {
		return true
	}
	if !a.puntoTerm() {
		return false
	}
	if a.LinkType == linkFact {
		return true
	}
	_, ok := content.CategoryByID(a.code())
	return ok
}

func (h *hsdsAttribute) MarshalJSON() ([]byte, error) {
	if h.raw != nil {
		return marshalText(h.raw)
	}
	type plain hsdsAttribute
	return marshalText((*plain)(h))
}

package exchange

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"
)

// The CSV package's kept columns read back: the official columns of a
// table that Punto has no field for (a service's alternate_name, a
// phone's extension, a schedule's interval, …) are written from the
// members kept at import (keptCells); reading them back as the same
// members makes a package round trip keep them, as the JSON one does.

// officialTypes is the descriptor's type of each official column, by
// resource and column.
var officialTypes = sync.OnceValue(func() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, r := range descriptor() {
		out[r.Name] = map[string]string{}
		for _, f := range r.Schema.Fields {
			out[r.Name][f.Name] = f.Type
		}
	}
	return out
})

// kept is a row's official columns of resource other than those Punto
// reads (read) and, for a part Punto models, than the links to its
// parents (Punto writes those), that are not empty, as JSON members: a number or
// boolean column as one when its cell reads as one, every other cell as
// a string.
func (r pkgRow) kept(resource string, read ...string) map[string]json.RawMessage {
	var out map[string]json.RawMessage
	part := contains(partTables, resource)
	for col, typ := range officialTypes()[resource] {
		v := r.cols[col]
		if strings.TrimSpace(v) == "" || contains(read, col) || part && contains(linkColumns()[resource], col) {
			continue
		}
		if out == nil {
			out = map[string]json.RawMessage{}
		}
		out[col] = cellJSON(v, typ)
	}
	return out
}

// cellJSON is a cell as the JSON member it was written from.
func cellJSON(v, typ string) json.RawMessage {
	switch typ {
	case "number", "integer":
		if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
			return json.RawMessage(strconv.FormatFloat(f, 'f', -1, 64))
		}
	case "boolean":
		if b, err := strconv.ParseBool(strings.TrimSpace(v)); err == nil {
			return json.RawMessage(strconv.FormatBool(b))
		}
	}
	b, _ := marshalText(v)
	return b
}

// keepPackageExtras gives an assembled service the members kept in its
// rows' columns, as keepServiceExtras gives them to a service read from
// JSON: the service with every part's kept cells is the HSDS object the
// JSON would have held.
func keepPackageExtras(h *hsdsService) {
	b, err := json.Marshal(h)
	if err != nil {
		return
	}
	var raw rawService
	if json.Unmarshal(b, &raw) != nil {
		return
	}
	keepServiceExtras(h, raw)
}

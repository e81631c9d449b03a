package exchange

import (
	"fmt"
	"strconv"
)

// Bounds on what an imported file may hold, so that a hostile or broken
// file is refused with a message instead of eating the memory or the
// time of the portal (the package's unzipped bytes: maxUnzipped).
const (
	maxDepth   = 64      // JSON nesting; HSDS needs about 10, GeoJSON 8
	maxCell    = 1 << 20 // bytes of one CSV cell; a text is at most 20,000
	maxFeature = 4 << 20 // bytes of one GeoJSON feature: a service at a point
)

// checkDepth refuses JSON nested deeper than maxDepth, before anything
// decodes it (a scan of the bytes, strings skipped).
func checkDepth(data []byte, is *issues) bool {
	depth, inString, escaped := 0, false, false
	for i, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			if depth > maxDepth {
				line, col := lineCol(data, int64(i))
				is.add(ImportIssue{Line: line, Reason: fmt.Sprintf("column %d: the JSON is nested deeper than %d levels; no HSDS or GeoJSON file needs that", col, maxDepth)})
				return false
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return true
}

// longCell reports the first cell of a CSV record longer than maxCell.
func longCell(rec []string) (int, bool) {
	for i, v := range rec {
		if len(v) > maxCell {
			return i, true
		}
	}
	return 0, false
}

func cellTooLong(n int) string {
	return fmt.Sprintf("a cell of %d bytes: longer than %d bytes, more than any text Punto keeps", n, maxCell)
}

// Formula injection: a spreadsheet opening an exported CSV runs a cell
// that starts with = + - @ (or a tab or carriage return before one) as a
// formula. Such a cell is written with a leading apostrophe, which
// spreadsheets show as text and import takes off again; numbers
// ("-12.5") stay as they are.

func formulaLike(v string) bool {
	if v == "" {
		return false
	}
	switch v[0] {
	case '=', '+', '-', '@', '\t', '\r':
		_, err := strconv.ParseFloat(v, 64)
		return err != nil
	}
	return false
}

// escapeCell writes a cell so that no spreadsheet takes it for a formula.
func escapeCell(v string) string {
	if formulaLike(v) {
		return "'" + v
	}
	return v
}

// unescapeCell reads a cell escapeCell wrote.
func unescapeCell(v string) string {
	if len(v) > 1 && v[0] == '\'' && formulaLike(v[1:]) {
		return v[1:]
	}
	return v
}

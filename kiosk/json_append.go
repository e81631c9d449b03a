package kiosk

import (
	"math"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
)

// The result lists (nearby, within, search) are the hot path: they are
// written by appending into pooled buffers, byte for byte what
// encoding/json writes for the same values (TestResultJSONBytes checks
// it), without reflection or a map per answer.

var jsonBufs = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// sendJSON sends what fill appends as an application/json body. The
// response keeps its own copy, so the buffer goes back to the pool.
func sendJSON(c *fiber.Ctx, fill func([]byte) []byte) error {
	bp := jsonBufs.Get().(*[]byte)
	b := fill((*bp)[:0])
	c.Response().SetBody(b)
	c.Response().Header.SetContentType(fiber.MIMEApplicationJSON)
	if cap(b) <= 1<<20 { // an unusually large answer is not kept
		*bp = b
		jsonBufs.Put(bp)
	}
	return nil
}

const hexDigits = "0123456789abcdef"

// jsonSafe marks the ASCII bytes encoding/json writes as they are (it
// escapes <, > and & for HTML).
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\' && b != '<' && b != '>' && b != '&'
	}
	return t
}()

// appendString appends s as a JSON string, as encoding/json does.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if jsonSafe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendFloat appends a finite number as encoding/json does: plain
// notation, exponent only for very small or very large magnitudes.
func appendFloat(b []byte, f float64) []byte {
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' { // e-09 → e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

func appendBool(b []byte, v bool) []byte { return strconv.AppendBool(b, v) }

// appendTime appends a time as time.Time's MarshalJSON does.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

func appendLocalized(b []byte, l content.Localized) []byte {
	b = append(b, `{"text":`...)
	b = appendString(b, l.Text)
	b = append(b, `,"lang":`...)
	b = appendString(b, l.Lang)
	return append(b, '}')
}

func appendStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendResult appends one result row as encoding/json writes resultOut.
func appendResult(b []byte, r *resultOut) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, r.ID)
	b = append(b, `,"location_id":`...)
	b = appendString(b, r.LocationID)
	b = append(b, `,"name":`...)
	b = appendLocalized(b, r.Name)
	b = append(b, `,"status":`...)
	b = appendString(b, string(r.Status))
	b = append(b, `,"categories":`...)
	b = appendStrings(b, r.Categories)
	b = append(b, `,"languages":`...)
	b = appendStrings(b, r.Languages)
	b = append(b, `,"address":`...)
	b = appendString(b, r.Address)
	b = append(b, `,"comune":`...)
	b = appendString(b, r.Comune)
	b = append(b, `,"lat":`...)
	b = appendFloat(b, r.Lat)
	b = append(b, `,"lon":`...)
	b = appendFloat(b, r.Lon)
	b = append(b, `,"distance_m":`...)
	b = strconv.AppendInt(b, int64(r.DistanceM), 10)
	b = append(b, `,"walking_minutes":`...)
	b = strconv.AppendInt(b, int64(r.WalkingMinutes), 10)
	b = append(b, `,"bearing_deg":`...)
	b = strconv.AppendInt(b, int64(r.BearingDeg), 10)
	b = append(b, `,"direction":`...)
	b = appendString(b, string(r.Direction))
	b = append(b, `,"open":{"open":`...)
	b = appendBool(b, r.Open.Open)
	if !r.Open.ClosesAt.IsZero() {
		b = append(b, `,"closes_at":`...)
		b = appendTime(b, r.Open.ClosesAt)
	}
	if !r.Open.OpensAt.IsZero() {
		b = append(b, `,"opens_at":`...)
		b = appendTime(b, r.Open.OpensAt)
	}
	b = append(b, '}')
	if r.Relative != "" {
		b = append(b, `,"relative":`...)
		b = appendString(b, string(r.Relative))
	}
	b = append(b, `,"direction_label":`...)
	b = appendLocalized(b, r.DirectionLabel)
	return append(b, '}')
}

// appendResults appends a result list.
func appendResults(b []byte, rs []resultOut) []byte {
	if rs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range rs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendResult(b, &rs[i])
	}
	return append(b, ']')
}

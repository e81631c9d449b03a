package mediation

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/editorial"
)

// Report is one month of closed requests for a programme's reporting: the
// hours used by requesting body, language, topic and territory.
type Report struct {
	Month       string  `json:"month"` // YYYY-MM, Italian time
	Hours       float64 `json:"hours"`
	Requests    int     `json:"requests"`
	ByBody      []Line  `json:"by_body"`
	ByLanguage  []Line  `json:"by_language"`
	ByTopic     []Line  `json:"by_topic"`
	ByTerritory []Line  `json:"by_territory"`
}

// Line is one row of a report: a key, its hours and requests.
type Line struct {
	Key      string  `json:"key"`
	Hours    float64 `json:"hours"`
	Requests int     `json:"requests"`
}

// MonthReport sums the requests done in month (YYYY-MM) of the actor's
// territories (a coordinator's; every one for an admin).
func (s *Store) MonthReport(ctx context.Context, actor *editorial.Account, month string) (*Report, error) {
	if err := coordinator(actor); err != nil {
		return nil, err
	}
	m, err := time.Parse("2006-01", month)
	if err != nil {
		return nil, invalid("month", fmt.Sprintf("%q is not a month YYYY-MM", month))
	}
	from := time.Date(m.Year(), m.Month(), 1, 0, 0, 0, 0, content.Rome)
	to := from.AddDate(0, 1, 0)
	type acc struct{ min, n int }
	dims := [4]map[string]*acc{{}, {}, {}, {}}
	rep := &Report{Month: month}
	total := 0
	err = queryAll(ctx, s.db.R, `SELECT o.name, r.lang, r.topic, r.territory_id, r.used_min FROM mediation_request r
		JOIN mediation_org o ON o.id = r.org_id
		WHERE r.state = 'done' AND r.starts_at >= ? AND r.starts_at < ?`, []any{formatTime(from), formatTime(to)}, func(rows *sql.Rows) error {
		var keys [4]string
		var used int
		if err := rows.Scan(&keys[0], &keys[1], &keys[2], &keys[3], &used); err != nil {
			return err
		}
		if !coversTerritory(actor, keys[3]) {
			return nil
		}
		total += used
		rep.Requests++
		for i, k := range keys {
			a := dims[i][k]
			if a == nil {
				a = &acc{}
				dims[i][k] = a
			}
			a.min += used
			a.n++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	rep.Hours = hours(total)
	lines := func(d map[string]*acc) []Line {
		out := []Line{}
		for k, a := range d {
			out = append(out, Line{Key: k, Hours: hours(a.min), Requests: a.n})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
		return out
	}
	rep.ByBody, rep.ByLanguage, rep.ByTopic, rep.ByTerritory = lines(dims[0]), lines(dims[1]), lines(dims[2]), lines(dims[3])
	return rep, nil
}

// WriteCSV writes the report as CSV: month, dimension, key, hours,
// requests; one line per key of each dimension, then the total.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	write := func(dim string, l Line) error {
		return cw.Write([]string{r.Month, dim, csvSafe(l.Key), strconv.FormatFloat(l.Hours, 'f', 2, 64), strconv.Itoa(l.Requests)})
	}
	if err := cw.Write([]string{"month", "dimension", "key", "hours", "requests"}); err != nil {
		return err
	}
	for _, d := range []struct {
		name  string
		lines []Line
	}{{"body", r.ByBody}, {"language", r.ByLanguage}, {"topic", r.ByTopic}, {"territory", r.ByTerritory}} {
		for _, l := range d.lines {
			if err := write(d.name, l); err != nil {
				return err
			}
		}
	}
	if err := write("total", Line{Key: "", Hours: r.Hours, Requests: r.Requests}); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading a body's name as a formula.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}

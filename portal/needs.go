package portal

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/editorial"
	"github.com/punto-totem/punto/fleet"
)

// minCell is the smallest count the CSV export shows: a smaller one could
// point at a single visitor, so it reads "<5".
const minCell = 5

// maxNeedsDays bounds one report.
const maxNeedsDays = 400

// needsQuery is what a needs report is about.
type needsQuery struct {
	from, to time.Time // whole days, Europe/Rome, [from, to)
	bucket   string    // hour or day
	by       string    // territory, totem, language, category, service or all
	event    string
	totem    string // only this totem, if set
	terr     string // only totems in this territory, if set
}

// needsGroups are what a report can be split by; language, category and
// service split the figures of that event by their value.
var needsGroups = []string{"territory", "totem", "language", "category", "service", "all"}

func (p *portal) needsParams(c *fiber.Ctx) (needsQuery, error) {
	q := needsQuery{bucket: c.Query("bucket", "day"), by: c.Query("by", "territory"), event: c.Query("event", fleet.NeedVisit),
		totem: c.Query("totem"), terr: c.Query("territory")}
	today := time.Now().In(content.Rome)
	day := func(name string, def time.Time) (time.Time, error) {
		s := c.Query(name)
		if s == "" {
			return def, nil
		}
		t, err := time.ParseInLocation("2006-01-02", s, content.Rome)
		if err != nil {
			return t, badRequest(name, "must be a date, YYYY-MM-DD")
		}
		return t, nil
	}
	var err error
	end := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, content.Rome)
	if q.to, err = day("to", end); err != nil {
		return q, err
	}
	q.to = q.to.AddDate(0, 0, 1) // the last day is included
	if q.from, err = day("from", q.to.AddDate(0, 0, -7)); err != nil {
		return q, err
	}
	switch {
	case !q.from.Before(q.to):
		return q, badRequest("from", "must not be after to")
	case q.to.Sub(q.from) > maxNeedsDays*24*time.Hour:
		return q, badRequest("from", fmt.Sprintf("a report covers at most %d days", maxNeedsDays))
	}
	if q.bucket != "hour" && q.bucket != "day" {
		return q, badRequest("bucket", "must be hour or day")
	}
	if q.bucket == "hour" && q.to.Sub(q.from) > 31*24*time.Hour {
		return q, badRequest("bucket", "hours are shown for at most 31 days")
	}
	if !slices.Contains(needsGroups, q.by) {
		return q, badRequest("by", fmt.Sprintf("must be one of %v", needsGroups))
	}
	switch q.by {
	case "language", "category", "service":
		q.event = q.by
	}
	if !slices.Contains(fleet.NeedsEvents, q.event) {
		return q, badRequest("event", fmt.Sprintf("must be one of %v", fleet.NeedsEvents))
	}
	return q, nil
}

// needsTotem is what a report knows of a totem.
type needsTotem struct {
	name        string
	territories []string
}

// visibleTotems are the totems an account may see figures of, with their
// territories: every totem for an admin, for an editor those standing in
// their territories.
func (p *portal) visibleTotems(ctx context.Context, g *editorial.Guard) (map[string]needsTotem, error) {
	ts, err := p.fl.Totems(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]needsTotem{}
	for _, t := range ts {
		ok, err := g.PointsInside(t.Point)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		terrs, err := p.st.TerritoriesAt(ctx, t.Point)
		if err != nil {
			return nil, err
		}
		nt := needsTotem{name: t.Name}
		for _, tr := range terrs {
			nt.territories = append(nt.territories, tr.ID)
		}
		out[t.ID] = nt
	}
	return out, nil
}

// needsCell is one count of a report: a bucket, a group, an event's value.
type needsCell struct {
	bucket time.Time
	group  string
	event  string
	value  string
}

// needsTable adds up the stored figures of a query into cells.
func (p *portal) needsTable(c *fiber.Ctx, q needsQuery) (map[needsCell]int64, map[string]needsTotem, error) {
	ctx := c.UserContext()
	totems, err := p.visibleTotems(ctx, p.ed.Guard(ctx, account(c)))
	if err != nil {
		return nil, nil, err
	}
	var ids []string
	for id, t := range totems {
		if (q.totem == "" || q.totem == id) && (q.terr == "" || slices.Contains(t.territories, q.terr)) {
			ids = append(ids, id)
		}
	}
	if ids == nil {
		ids = []string{} // no totem to show: nothing, not everything
	}
	rows, err := p.fl.NeedsReports(ctx, append(q.buckets(), q.to), ids)
	if err != nil {
		return nil, nil, err
	}
	cells := map[needsCell]int64{}
	for _, r := range rows {
		b := r.Hour
		var groups []string
		switch q.by {
		case "territory":
			groups = totems[r.Totem].territories
			if len(groups) == 0 {
				groups = []string{""}
			}
		case "totem":
			groups = []string{r.Totem}
		default:
			groups = []string{""}
		}
		for _, g := range groups {
			cells[needsCell{bucket: b, group: g, event: r.Event, value: r.Value}] += r.N
		}
	}
	return cells, totems, nil
}

// buckets lists the starts of every bucket of a query, in order.
func (q needsQuery) buckets() []time.Time {
	var out []time.Time
	for t := q.from; t.Before(q.to); {
		out = append(out, t)
		if q.bucket == "hour" {
			t = t.Add(time.Hour)
		} else {
			t = t.AddDate(0, 0, 1)
		}
	}
	return out
}

type needsSeries struct {
	Key    string  `json:"key"`
	Counts []int64 `json:"counts"`
	Total  int64   `json:"total"`
}

// needs answers GET /needs: the figures of the totems the account may
// see, over time, split by territory, totem, language, category or
// service, with the totals of every event.
func (p *portal) needs(c *fiber.Ctx) error {
	q, err := p.needsParams(c)
	if err != nil {
		return err
	}
	cells, totems, err := p.needsTable(c, q)
	if err != nil {
		return err
	}
	buckets := q.buckets()
	index := map[time.Time]int{}
	for i, b := range buckets {
		index[b.UTC()] = i
	}
	totals := map[string]int64{}
	for _, e := range fleet.NeedsEvents {
		totals[e] = 0
	}
	series := map[string]*needsSeries{}
	for cell, n := range cells {
		totals[cell.event] += n
		if cell.event != q.event {
			continue
		}
		key := cell.group
		if q.by == "language" || q.by == "category" || q.by == "service" {
			key = cell.value
		}
		s := series[key]
		if s == nil {
			s = &needsSeries{Key: key, Counts: make([]int64, len(buckets))}
			series[key] = s
		}
		if i, ok := index[cell.bucket.UTC()]; ok {
			s.Counts[i] += n
			s.Total += n
		}
	}
	if q.by == "territory" {
		// Each totem counts in every territory it stands in: the totals are
		// the event's own, not the sum of the series.
		totals = map[string]int64{}
		for _, e := range fleet.NeedsEvents {
			totals[e] = 0
		}
		plain := q
		plain.by = "all"
		all, _, err := p.needsTable(c, plain)
		if err != nil {
			return err
		}
		for cell, n := range all {
			totals[cell.event] += n
		}
	}
	out := make([]needsSeries, 0, len(series))
	for _, s := range series {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b needsSeries) int {
		if a.Total != b.Total {
			return int(b.Total - a.Total)
		}
		return compareStrings(a.Key, b.Key)
	})
	names := map[string]string{}
	for id, t := range totems {
		names[id] = t.name
	}
	return c.JSON(fiber.Map{"from": q.from.Format("2006-01-02"), "to": q.to.AddDate(0, 0, -1).Format("2006-01-02"),
		"bucket": q.bucket, "by": q.by, "event": q.event, "buckets": buckets, "series": out, "totals": totals,
		"totems": names, "min_cell": minCell})
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// needsCSV answers GET /needs.csv: the same figures as a table, one row
// per bucket, group, event and value, with every count under 5 written
// "<5" and no totals, so that no figure about a handful of visitors can be
// read or worked out.
func (p *portal) needsCSV(c *fiber.Ctx) error {
	q, err := p.needsParams(c)
	if err != nil {
		return err
	}
	if c.Query("by") == "" {
		q.by = "all"
	}
	if q.by == "language" || q.by == "category" || q.by == "service" {
		q.by = "all" // every event's values are in the table anyway
	}
	cells, _, err := p.needsTable(c, q)
	if err != nil {
		return err
	}
	keys := make([]needsCell, 0, len(cells))
	for k := range cells {
		keys = append(keys, k)
	}
	order := func(e string) int { return slices.Index(fleet.NeedsEvents, e) }
	slices.SortFunc(keys, func(a, b needsCell) int {
		switch {
		case !a.bucket.Equal(b.bucket):
			return a.bucket.Compare(b.bucket)
		case a.group != b.group:
			return compareStrings(a.group, b.group)
		case a.event != b.event:
			return order(a.event) - order(b.event)
		}
		return compareStrings(a.value, b.value)
	})
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	head := []string{"period_start", "event", "value", "count"}
	if q.by == "territory" || q.by == "totem" {
		head = []string{"period_start", q.by, "event", "value", "count"}
	}
	rows := [][]string{head}
	for _, k := range keys {
		n := cells[k]
		count := strconv.FormatInt(n, 10)
		if n < minCell {
			count = "<5"
		}
		row := []string{k.bucket.Format(time.RFC3339), k.event, k.value, count}
		if len(head) == 5 {
			row = []string{k.bucket.Format(time.RFC3339), k.group, k.event, k.value, count}
		}
		rows = append(rows, row)
	}
	if err := w.WriteAll(rows); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="punto-needs-%s-%s.csv"`, q.from.Format("20060102"), q.to.AddDate(0, 0, -1).Format("20060102")))
	return c.Send(buf.Bytes())
}

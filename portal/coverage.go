package portal

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/editorial"
	"github.com/punto-totem/punto/fleet"
)

// coverageDays is how far back the views of GET /coverage look by
// default; maxNeedsDays bounds it.
const coverageDays = 90

// coverage answers GET /coverage: per screen language and per territory,
// the share of published services complete in that language and the
// number whose translation is older than its Italian, and the 20 services
// missing each language that visitors opened most on the totems over the
// last days (90 by default). An editor sees their territories only, and
// the views of the totems standing in them, as on the needs screen.
func (p *portal) coverage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	me := account(c)
	days := coverageDays
	if s := c.Query("days"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxNeedsDays {
			return badRequest("days", "must be a whole number from 1 to "+strconv.Itoa(maxNeedsDays))
		}
		days = n
	}
	totems, err := p.visibleTotems(ctx, p.ed.Guard(ctx, me))
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(totems))
	for id := range totems {
		ids = append(ids, id)
	}
	to := fleet.NeedsHour(p.now()).Add(time.Hour)
	from := to.Add(-time.Duration(days) * 24 * time.Hour)
	rows, err := p.fl.NeedsReports(ctx, []time.Time{from, to}, ids)
	if err != nil {
		return err
	}
	views := map[string]int64{}
	for _, r := range rows {
		if r.Event == fleet.NeedService {
			views[r.Value] += r.N
		}
	}
	cov, err := p.ed.Coverage(ctx, me.Territories, me.IsAdmin(), views)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"languages": cov.Languages, "rows": cov.Rows, "missing": cov.Missing, "top": editorial.CoverageTop,
		"days": days, "from": from.In(content.Rome).Format(time.DateOnly), "to": to.In(content.Rome).Format(time.DateOnly)})
}

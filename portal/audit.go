package portal

import (
	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/editorial"
)

// auditLog answers GET /audit: an admin sees every entry, an editor their
// own.
func (p *portal) auditLog(c *fiber.Ctx) error {
	me := account(c)
	limit, err := intQuery(c, "limit", 100, 1, 500)
	if err != nil {
		return err
	}
	before, err := intQuery(c, "before", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	q := editorial.AuditQuery{Action: c.Query("action"), Kind: c.Query("kind"), RecordID: c.Query("id"), Before: int64(before), Limit: limit}
	if me.IsAdmin() {
		q.Actor = c.Query("actor")
	} else {
		q.Actor = me.Name
	}
	entries, err := p.ed.AuditEntries(c.UserContext(), q)
	if err != nil {
		return err
	}
	out := fiber.Map{"entries": entries}
	if len(entries) == limit {
		out["next_before"] = entries[len(entries)-1].ID
	}
	return c.JSON(out)
}

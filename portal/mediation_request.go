package portal

import (
	"bytes"
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/editorial"
	"github.com/punto-totem/punto/mediation"
)

// requestList answers GET /mediation/requests: the coordinator's queue
// (filtered by territory, language, state and dates from–to), a
// mediator's assignments, a body's requests.
func (p *portal) requestList(c *fiber.Ctx) error {
	f := mediation.Filter{Territory: c.Query("territory"), Language: c.Query("language"), State: c.Query("state"), From: c.Query("from"), To: c.Query("to")}
	rs, err := p.cfg.Mediation.Requests(c.UserContext(), account(c), f)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"requests": rs})
}

// requestCreate answers POST /mediation/requests.
func (p *portal) requestCreate(c *fiber.Ctx) error {
	var in mediation.RequestIn
	if err := parseBody(c, &in); err != nil {
		return err
	}
	r, err := p.cfg.Mediation.CreateRequest(c.UserContext(), account(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"request": r})
}

// requestGet answers GET /mediation/requests/{id}; a coordinator also
// gets the suggested mediators and the territory's budgets with their
// hours left.
func (p *portal) requestGet(c *fiber.Ctx) error {
	id, err := idParam(c, "request")
	if err != nil {
		return err
	}
	me := account(c)
	r, err := p.cfg.Mediation.Request(c.UserContext(), me, id)
	if err != nil {
		return err
	}
	out := fiber.Map{"request": r}
	if me.Role == editorial.RoleAdmin || me.Role == editorial.RoleCoordinator {
		if out["suggestions"], err = p.cfg.Mediation.Suggest(c.UserContext(), me, id); err != nil {
			return err
		}
		if out["budgets"], err = p.cfg.Mediation.Budgets(c.UserContext(), me, r.Territory); err != nil {
			return err
		}
	}
	return c.JSON(out)
}

// actionIn is the body of a step of a request's life; each step reads
// the fields it needs.
type actionIn struct {
	Mediator int64   `json:"mediator"`
	Budget   int64   `json:"budget"`
	Override bool    `json:"override"`
	Date     string  `json:"date"`
	From     string  `json:"from"`
	To       string  `json:"to"`
	Hours    float64 `json:"hours"`
}

// requestAction answers POST /mediation/requests/{id}/{assign, confirm,
// decline, cancel, reschedule, close}.
func (p *portal) requestAction(c *fiber.Ctx) error {
	id, err := idParam(c, "request")
	if err != nil {
		return err
	}
	var in actionIn
	if len(bytes.TrimSpace(c.Body())) > 0 {
		if err := parseBody(c, &in); err != nil {
			return err
		}
	}
	ms, ctx, me := p.cfg.Mediation, c.UserContext(), account(c)
	var r *mediation.Request
	switch c.Params("action") {
	case "assign":
		if in.Mediator <= 0 {
			return badRequest("mediator", "is required")
		}
		r, err = ms.Assign(ctx, me, id, in.Mediator, in.Budget, in.Override)
	case "confirm":
		r, err = ms.Confirm(ctx, me, id)
	case "decline":
		r, err = ms.Decline(ctx, me, id)
	case "cancel":
		r, err = ms.Cancel(ctx, me, id)
	case "reschedule":
		r, err = ms.Reschedule(ctx, me, id, in.Date, in.From, in.To)
	case "close":
		r, err = ms.CloseRequest(ctx, me, id, in.Hours, in.Override)
	default:
		return notFound(fmt.Sprintf("no such step %q: assign, confirm, decline, cancel, reschedule or close", c.Params("action")))
	}
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"request": r})
}

// mediationReport answers GET /mediation/report?month=YYYY-MM.
func (p *portal) mediationReport(c *fiber.Ctx) error {
	rep, err := p.cfg.Mediation.MonthReport(c.UserContext(), account(c), p.month(c))
	if err != nil {
		return err
	}
	return c.JSON(rep)
}

// mediationReportCSV answers GET /mediation/report.csv?month=YYYY-MM.
func (p *portal) mediationReportCSV(c *fiber.Ctx) error {
	month := p.month(c)
	rep, err := p.cfg.Mediation.MonthReport(c.UserContext(), account(c), month)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := rep.WriteCSV(&buf); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="punto-mediazione-%s.csv"`, month))
	return c.Send(buf.Bytes())
}

// month is the query's month, this month by default.
func (p *portal) month(c *fiber.Ctx) string {
	if m := c.Query("month"); m != "" {
		return m
	}
	return p.now().Format("2006-01")
}

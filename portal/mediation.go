package portal

import (
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/mediation"
)

// maxMediationBody bounds a mediation request's JSON body: a form with
// 2,000-character notes fits many times over.
const maxMediationBody = 64 << 10

// mediationRoutes is the route table of mediation on call, under
// /editor/api/mediation; the store checks who may do what (a coordinator
// in their territories, a mediator their own assignments, a requester
// their body's requests) and answers 403 otherwise.
func (p *portal) mediationRoutes(api fiber.Router) {
	m := api.Group("/mediation", p.authed, p.mediationOn, p.smallBody)
	m.Get("/options", p.mediationOptions)

	m.Get("/mediators", p.mediatorList)
	m.Post("/mediators", p.mediatorSave)
	m.Get("/mediators/:id", p.mediatorGet)
	m.Put("/mediators/:id", p.mediatorSave)

	m.Get("/orgs", p.orgList)
	m.Post("/orgs", p.orgCreate)
	m.Post("/orgs/:id/requesters", p.orgRequester)
	m.Post("/orgs/:id/invites", p.orgInvite)

	m.Get("/budgets", p.budgetList)
	m.Post("/budgets", p.budgetSave)
	m.Put("/budgets/:id", p.budgetSave)

	m.Get("/requests", p.requestList)
	m.Post("/requests", p.requestCreate)
	m.Get("/requests/:id", p.requestGet)
	m.Post("/requests/:id/:action", p.requestAction)

	m.Get("/report", p.mediationReport)
	m.Get("/report.csv", p.mediationReportCSV)
}

// mediationOn answers 404 on a portal without mediation.
func (p *portal) mediationOn(c *fiber.Ctx) error {
	if p.cfg.Mediation == nil {
		return notFound("mediation is not enabled on this portal")
	}
	return c.Next()
}

// smallBody refuses a body past maxMediationBody.
func (p *portal) smallBody(c *fiber.Ctx) error {
	if len(c.Body()) > maxMediationBody {
		return badRequest("body", "is larger than 64 KiB")
	}
	return c.Next()
}

// idParam reads the path's :id as a positive integer (404 otherwise).
func idParam(c *fiber.Ctx, what string) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, notFound("no such " + what)
	}
	return id, nil
}

// mediationOptions answers GET /mediation/options: the lists the forms
// offer.
func (p *portal) mediationOptions(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"modes": mediation.Modes, "topics": mediation.Topics, "states": mediation.States,
		"urgencies": []string{"normal", "urgent"}, "max_notes": mediation.MaxNotes, "max_duration_hours": mediation.MaxDurationMins / 60})
}

package portal

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/callback"
	"github.com/punto-totem/punto/internal/apierr"
)

// CallbackPath is where phones (through the portal) ask for a call-back.
const CallbackPath = "/callback/v1/requests"

// DefaultCallbackPerAddress is how many call-backs one client address may
// ask for in an hour.
const DefaultCallbackPerAddress = 10

// maxCallbackBody bounds a call-back's JSON body.
const maxCallbackBody = 4 << 10

// callbackRoutes registers the public call-back endpoint and, under the
// editor API, the queue of coordinators and mediators.
func (p *portal) callbackRoutes(app *fiber.App, api fiber.Router) {
	per := p.cfg.CallbackPerAddress
	if per <= 0 {
		per = DefaultCallbackPerAddress
	}
	p.callbackAddrs = newAddrLimiter(per, time.Hour)
	app.Post(CallbackPath, renderErrors(p.log), p.deadline, p.checkOrigin, p.callbackOn, p.callbackCreate)
	api.Get("/callbacks", p.authed, p.callbackOn, p.callbackList)
	api.Post("/callbacks/:id/done", p.authed, p.callbackOn, p.callbackDone)
}

func (p *portal) callbackOn(c *fiber.Ctx) error {
	if p.cfg.Callbacks == nil {
		return notFound("call-backs are not enabled on this portal")
	}
	return c.Next()
}

// CallbackError maps the call-back store's refusals to answers (nil for
// other errors): the editor's routes and the totems' asks answer alike.
func CallbackError(err error) *apierr.Error {
	var (
		fe *callback.FieldError
		le *callback.LimitError
	)
	switch {
	case errors.As(err, &fe):
		return apierr.BadRequest(fe.Field, fe.Reason)
	case errors.As(err, &le):
		return apierr.RateLimited(int(le.Wait.Seconds()) + 1)
	case errors.Is(err, callback.ErrForbidden):
		return apierr.Forbidden(err.Error())
	case errors.Is(err, callback.ErrNotFound):
		return apierr.NotFound(err.Error())
	}
	return nil
}

// callbackCreate answers POST /callback/v1/requests from a phone:
// {"number", "language", "topic", "territory"}. At most N a client address
// an hour and 3 a number a day (429). The answer names nothing.
func (p *portal) callbackCreate(c *fiber.Ctx) error {
	if len(c.Body()) > maxCallbackBody {
		return badRequest("body", "is larger than 4 KiB")
	}
	if ok, wait := p.callbackAddrs.allow(c.IP(), p.now()); !ok {
		return rateLimited(retrySeconds(wait))
	}
	var in callback.In
	if err := parseBody(c, &in); err != nil {
		return err
	}
	in.Source = "phone"
	if _, err := p.cfg.Callbacks.Create(c.UserContext(), in); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"received": true})
}

// callbackList answers GET /editor/api/callbacks: the call-backs of the
// coordinator's territories, or of the mediator's languages and
// territories, with their numbers.
func (p *portal) callbackList(c *fiber.Ctx) error {
	list, err := p.cfg.Callbacks.List(c.UserContext(), account(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"callbacks": list})
}

// callbackDone answers POST /editor/api/callbacks/{id}/done: called back,
// so deleted.
func (p *portal) callbackDone(c *fiber.Ctx) error {
	id, err := idParam(c, "call-back")
	if err != nil {
		return err
	}
	if err := p.cfg.Callbacks.Done(c.UserContext(), account(c), id); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"done": true})
}

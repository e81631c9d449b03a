package portal

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/callback"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/editorial"
	"github.com/punto-totem/punto/fleet"
	"github.com/punto-totem/punto/internal/apierr"
	"github.com/punto-totem/punto/mediation"
)

// Publisher publishes changes to the master catalog and to every totem
// (the portal's hub implements it).
type Publisher interface {
	editorial.Publisher
	// Kick disconnects a totem now (after its token is revoked).
	Kick(totemID string)
}

// Config is what the editor back end needs.
type Config struct {
	// Editorial holds accounts, sessions, drafts and the audit log; its
	// catalog is the master catalog.
	Editorial *editorial.Store
	// Totems is the totem registry and the needs figures the totems
	// report, in the catalog's file.
	Totems    *fleet.Store
	Publisher Publisher
	Log       *slog.Logger // default slog.Default()
	// SecureCookies sets Secure on cookies (the portal is behind TLS); it is
	// also set on any request that arrived over https.
	SecureCookies bool
	// Now is the clock (default time.Now); tests move it.
	Now func() time.Time
	// Fleet, if set, reports every totem's state (GET /editor/api/fleet).
	Fleet func(ctx context.Context) (any, error)
	// Commander, if set, sends commands to totems (/editor/api/commands).
	Commander Commander
	// Heartbeat is how often totems report (shown with the fleet).
	Heartbeat time.Duration
	// Mediation, if set, serves mediation on call under
	// /editor/api/mediation (the routes answer 404 without it).
	Mediation *mediation.Store
	// Callbacks, if set, takes call-back requests from phones at
	// CallbackPath and serves their queue under /editor/api/callbacks.
	Callbacks *callback.Store
	// CallbackPerAddress bounds the call-backs one client address may ask
	// for in an hour (default DefaultCallbackPerAddress).
	CallbackPerAddress int
}

// requestTimeout bounds the work of one editor request.
const requestTimeout = 30 * time.Second

// portal holds what the handlers share.
type portal struct {
	cfg   Config
	ed    *editorial.Store
	st    *content.Store
	fl    *fleet.Store
	log   *slog.Logger
	now   func() time.Time
	addrs *addrLimiter
	// callbackAddrs counts call-backs per client address.
	callbackAddrs *addrLimiter
	// importing holds the one import read and parsed at a time.
	importing chan struct{}
}

// Mount registers the editor UI at /editor and its JSON API under
// /editor/api on app. Call it before any catch-all route of app.
func Mount(app *fiber.App, cfg Config) error {
	if cfg.Editorial == nil {
		return errors.New("portal: Config.Editorial is nil")
	}
	if cfg.Totems == nil {
		return errors.New("portal: Config.Totems is nil")
	}
	if cfg.Publisher == nil {
		return errors.New("portal: Config.Publisher is nil")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p := &portal{cfg: cfg, ed: cfg.Editorial, st: cfg.Editorial.Catalog(), fl: cfg.Totems, log: cfg.Log, now: func() time.Time { return cfg.Now().UTC() }}
	p.addrs = newAddrLimiter(addrAttempts, addrWindow)
	p.importing = make(chan struct{}, 1)
	p.routes(app)
	return p.ui(app)
}

// routes is the editor API's route table, top to bottom. p.authed checks
// the session (and, on writes, the CSRF token); p.admin the role.
func (p *portal) routes(app *fiber.App) {
	api := app.Group("/editor/api", renderErrors(p.log), p.deadline, p.checkOrigin)

	api.Get("/session", p.session)
	api.Post("/login", p.login)
	api.Post("/invite", p.inviteAccept)
	api.Post("/logout", p.authed, p.logout)
	api.Get("/me", p.authed, p.me)
	api.Post("/me/password", p.authed, p.changePassword)

	api.Get("/reference", p.authed, p.reference)
	api.Get("/territories", p.authed, p.territoryList)

	p.records(api, "/services", kindService)
	p.records(api, "/events", kindEvent)
	api.Post("/alerts/reach", p.authed, p.staff, apierr.ReadBody(maxAreaBody), p.alertReach)
	p.records(api, "/alerts", kindAlert)
	p.records(api, "/pages", kindPage)
	p.records(api, "/organizations", kindOrganization)
	p.records(api, "/territories", kindTerritory)

	p.recordingRoutes(api)
	p.lexiconRoutes(api)
	p.closureRoutes(api)

	api.Get("/drafts", p.authed, p.staff, p.draftList)
	api.Get("/drafts/:kind/:id/view", p.authed, p.staff, p.preview)
	api.Post("/publish", p.authed, p.staff, p.publish)
	api.Post("/import", p.authed, p.admin, p.oneImport, apierr.ReadBody(MaxUpload), p.importFile)
	api.Get("/audit", p.authed, p.auditLog)

	api.Get("/accounts", p.authed, p.admin, p.accountList)
	api.Post("/accounts", p.authed, p.admin, p.accountCreate)
	api.Patch("/accounts/:id", p.authed, p.admin, p.accountUpdate)
	api.Delete("/accounts/:id", p.authed, p.admin, p.accountDisable)
	api.Post("/accounts/:id/password", p.authed, p.admin, p.accountPassword)

	api.Get("/totems", p.authed, p.admin, p.totemList)
	api.Get("/fleet", p.authed, p.admin, p.fleet)
	api.Get("/commands", p.authed, p.admin, p.commandList)
	api.Post("/commands", p.authed, p.admin, p.commandSend)
	api.Get("/needs", p.authed, p.staff, p.needs)
	api.Get("/needs.csv", p.authed, p.staff, p.needsCSV)
	api.Get("/coverage", p.authed, p.staff, p.coverage)
	api.Post("/totems", p.authed, p.admin, p.totemIssue)
	api.Post("/totems/:id/revoke", p.authed, p.admin, p.totemRevoke)

	p.mediationRoutes(api)
	p.callbackRoutes(app, api)

	api.Use(func(c *fiber.Ctx) error { return notFound("no such editor endpoint: " + c.Method() + " " + c.Path()) })
}

// records registers the routes of one kind of record under path.
func (p *portal) records(api fiber.Router, path string, k *recordKind) {
	if k != kindTerritory { // GET /territories is the reference list
		api.Get(path, p.authed, p.staff, p.list(k))
	}
	api.Get(path+"/:id", p.authed, p.staff, p.get(k))
	api.Get(path+"/:id/translations", p.authed, p.staff, p.translations(k))
	api.Put(path+"/:id/draft", p.authed, p.staff, apierr.ReadBody(maxDraftBody), p.saveDraft(k))
	api.Delete(path+"/:id/draft", p.authed, p.staff, p.discardDraft(k))
	api.Post(path+"/:id/withdraw", p.authed, p.staff, p.withdraw(k))
}

// deadline bounds the work of one request, whatever the host application
// set, and answers with no-store: editor data must not be cached.
func (p *portal) deadline(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), requestTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Next()
}

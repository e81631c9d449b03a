package kiosk

import (
	"context"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/etag"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/internal/apierr"
	"github.com/punto-totem/punto/printing"
)

// Config is what a node's HTTP server needs to know.
type Config struct {
	Role     string    // "totem" or "portal"
	Position orb.Point // where the totem stands (lon, lat): the default origin of every query
	Version  string
	Log      *slog.Logger
	// IdleSeconds untouched return the screen to the start and forget the
	// visit (totem only).
	IdleSeconds int
	// PublicURL is where phones reach this content (the portal's public
	// address): QR codes point there.
	PublicURL string
	// Screen describes a totem's screen to the page (totem only).
	Screen Screen
	// Tiles is the basemap, if the node has one.
	Tiles *Tiles
	// TotemID names this totem, for alerts aimed at chosen totems.
	TotemID string
	// Printer is the totem's card printer (a CUPS queue); nil: the totem
	// prints nothing and its screen shows no Print button.
	Printer *printing.Printer
	// Needs counts the needs figures the totem's own screen reports
	// (POST /api/v1/tally); a totem without it counts none.
	Needs NeedsCounter
	// Mount adds routes (the portal's editor and feed) before the UI's
	// catch-all ones.
	Mount func(app *fiber.App) error
	// Feed reports the node's link to the portal (totems that follow one),
	// served at /api/v1/feed.
	Feed func() any
	// Ready says whether the node is ready to serve beyond its catalog
	// answering (a totem following a portal: synced at least once).
	Ready func() error
	// Status, if set, is a word on the node's data that /readyz adds
	// ("ok", or "stale": a totem that has heard nothing signed from its
	// portal for too long).
	Status func() string
	// Metrics is the Prometheus registry /metrics serves; the node adds
	// its own metrics to it (a new one if nil).
	Metrics *prometheus.Registry
	// BodyLimit bounds a request body in bytes (default 64 KiB).
	// LargeBody, if set, names the routes that take more (the portal's
	// uploads) and their limit: their bodies are read only by the route,
	// after its own checks (apierr.ReadBody).
	BodyLimit int
	LargeBody func(method, path string) int
	// TrustedProxies are the addresses (or CIDR ranges) of reverse proxies
	// in front of the node: from them, and only from them, X-Forwarded-For
	// gives the client's address (login limits per address see it) and
	// X-Forwarded-Proto the scheme.
	TrustedProxies []string
	// Voice reads the node's texts aloud (GET /api/v1/voice); a node
	// without it (the portal) reads nothing.
	Voice Speaker
	// Talk, on a totem following a portal, says who is reachable and
	// forwards call-backs (talk.go); CallbacksPerHour bounds those the
	// totem forwards (default DefaultCallbacksPerHour).
	Talk             Talk
	CallbacksPerHour int
}

// requestTimeout bounds the catalog work of one request.
const requestTimeout = 10 * time.Second

// Server serves the public API and UI of one node.
type Server struct {
	cfg      Config
	store    *content.Store
	msgs     *Messages
	started  time.Time
	app      *fiber.App
	live     *live
	metrics  *metrics
	message  operatorMessage
	printing printLimit
	digests  digestCache
	talk     talkState
}

// New builds the server and its routes.
func New(store *content.Store, cfg Config) (*Server, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Role == "" {
		cfg.Role = "totem"
	}
	if cfg.IdleSeconds == 0 {
		cfg.IdleSeconds = 60
	}
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = 64 << 10
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://localhost:8080"
	}
	if err := content.ValidPoint(cfg.Position); err != nil {
		return nil, err
	}
	msgs, err := LoadMessages()
	if err != nil {
		return nil, err
	}
	st, err := feed.ReadState(context.Background(), store)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, store: store, msgs: msgs, started: time.Now(), live: newLive(st.Seq)}
	s.talk.perHour = cfg.CallbacksPerHour
	if s.talk.perHour <= 0 {
		s.talk.perHour = DefaultCallbacksPerHour
	}
	s.app = fiber.New(fiber.Config{
		AppName:               "punto",
		ErrorHandler:          errorHandler(cfg.Log),
		DisableStartupMessage: true,
		ReadTimeout:           15 * time.Second,
		WriteTimeout:          15 * time.Second,
		IdleTimeout:           60 * time.Second,
		// Bodies arrive as streams and apierr.Bodies bounds them per
		// route: a large body is read only where it is allowed.
		BodyLimit:                    cfg.BodyLimit,
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		// Room for a long query string (fasthttp's default of 4 KiB
		// answers a 10 KB search with a bare 431): the handler then
		// refuses it with a 400 naming the parameter.
		ReadBufferSize: 32 << 10,
		// Without trusted proxies Fiber reads no forwarding header at all.
		ProxyHeader:             proxyHeader(cfg.TrustedProxies),
		EnableTrustedProxyCheck: len(cfg.TrustedProxies) > 0,
		TrustedProxies:          cfg.TrustedProxies,
		EnableIPValidation:      true,
	})
	if cfg.Metrics == nil {
		cfg.Metrics = prometheus.NewRegistry()
		s.cfg.Metrics = cfg.Metrics
	}
	s.metrics = newMetrics(cfg.Metrics, s.live.count)
	s.app.Use(recover.New(), s.metrics.observe, securityHeaders, apierr.Bodies(cfg.BodyLimit, cfg.LargeBody), compressAnswer)
	// Handlers pass c.UserContext() to the catalog, never fasthttp's own
	// RequestCtx: its Done races with server shutdown. Each request gets a
	// deadline so a stuck query cannot hold a worker forever.
	s.app.Use(func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		c.SetUserContext(ctx)
		return c.Next()
	})
	if err := s.routes(); err != nil {
		return nil, err
	}
	return s, nil
}

// routes is the route table, top to bottom.
func (s *Server) routes() error {
	api := s.app.Group("/api/v1")
	// Reference answers change only with the catalog or a release: a
	// client that has one revalidates it with If-None-Match (weak: the
	// same for its compressed forms).
	ref := etag.New(etag.Config{Weak: true})
	api.Get("/healthz", s.health)
	api.Get("/categories", ref, s.categories)
	api.Get("/services/nearby", s.nearby)
	api.Get("/services/within", s.within)
	api.Get("/services/:id", s.service)
	api.Get("/services/:id/website.svg", s.serviceLink)
	api.Get("/services/:id/event.ics", s.eventCalendar)
	api.Post("/services/:id/print", s.printCard)
	api.Get("/territories/at", s.territoriesAt)
	api.Get("/places", ref, s.places)
	api.Get("/territories.geojson", ref, s.territoriesGeoJSON)
	api.Get("/map/style.json", ref, s.mapStyle)
	api.Get("/search", s.search)
	api.Get("/ui", ref, s.uiStrings)
	api.Get("/voice", s.speak)
	api.Get("/alerts", s.alerts)
	api.Get("/closure", s.closure)
	api.Post("/tally", s.tally)
	api.Get("/pages", ref, s.pages)
	api.Get("/qr.svg", s.qrCode)
	api.Get("/live", s.liveStream)
	api.Get("/feed", s.feed)
	api.Get("/talk", s.talkInfo)
	api.Post("/callback", s.callbackCreate)
	api.Get("/openapi.json", ref, s.openAPI)
	api.Use(func(c *fiber.Ctx) error { return notFound("no such API endpoint: " + c.Path()) })
	s.app.Get("/healthz", s.health)
	s.app.Get("/readyz", s.ready)
	s.app.Get("/metrics", s.metrics.serve)
	if s.cfg.Tiles != nil {
		s.app.Get("/tiles/:z/:x/:y", s.tile)
	}
	if s.cfg.Mount != nil {
		if err := s.cfg.Mount(s.app); err != nil {
			return err
		}
	}
	return s.ui()
}

// App exposes the Fiber app (for tests and for mounting more routes).
func (s *Server) App() *fiber.App { return s.app }

// Listen serves on addr until Shutdown.
func (s *Server) Listen(addr string) error { return s.app.Listen(addr) }

// Notify tells the screens connected to this node what changed in the
// catalog.
func (s *Server) Notify(a feed.Affected) { s.live.notify(a) }

// Screens is the number of screens holding their live channel open.
func (s *Server) Screens() int { return s.live.count() }

// feed reports where this node stands in the change feed.
func (s *Server) feed(c *fiber.Ctx) error {
	st, err := feed.ReadState(c.UserContext(), s.store)
	if err != nil {
		return err
	}
	out := fiber.Map{"role": s.cfg.Role, "seq": st.Seq, "hash": hex.EncodeToString(st.Hash[:]), "screens": s.live.count()}
	if c.Query("digest") == "1" {
		// A checksum of the whole content, to compare a totem with its
		// portal: costly on a large catalog, so worked out once per
		// sequence, whoever asks.
		at, d, err := s.digests.get(c.UserContext(), s.store, st.Seq)
		if err != nil {
			return err
		}
		out["seq"], out["hash"], out["digest"] = at.Seq, hex.EncodeToString(at.Hash[:]), d
	}
	if s.cfg.Feed != nil {
		out["link"] = s.cfg.Feed()
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(out)
}

// Shutdown stops accepting requests and waits for those in flight; live
// streams end first.
func (s *Server) Shutdown() error {
	s.live.close()
	return s.app.ShutdownWithTimeout(10 * time.Second)
}

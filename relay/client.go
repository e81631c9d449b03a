package relay

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"errors"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/fleet"
)

// ClientConfig is what a totem needs to follow its portal.
type ClientConfig struct {
	URL       string // the portal's feed, ws(s)://host/sync
	TotemID   string
	Token     string
	PortalKey ed25519.PublicKey
	// Keyring, if set, is what the totem believes of the portal's keys
	// (PortalKey, then the rotations the portal's welcome carries, checked
	// against the pinned root key); without it, PortalKey alone.
	Keyring *feed.Keyring
	// Mirror, if set, makes this client a mirror's: it keeps what the
	// portal signs to pass it on to the totems that follow the mirror.
	Mirror  *Mirror
	Store   *content.Store
	Fleet   *fleet.Store // the commands carried out and the needs figures, in Store's file
	Log     *slog.Logger
	Version string
	// OnApplied is told what each applied envelope changed, after commit.
	OnApplied func(feed.Affected)
	// Backoff between attempts: full jitter over a doubling window from
	// MinBackoff, capped at MaxBackoff (defaults 1 s and 60 s).
	MinBackoff, MaxBackoff time.Duration
	// Now is the clock envelopes' expiry is checked against (tests).
	Now func() time.Time
	// Metrics, if set, records what is applied and refused.
	Metrics *Metrics
	// Heartbeat is how often the totem reports its state (default 30 s);
	// Screens counts the browsers holding their live channel open.
	Heartbeat time.Duration
	Screens   func() int
	// OnCommand carries out a reload or message command for the screen.
	// A restart command is the client's own: it closes Restart().
	OnCommand func(fleet.Command) error
	// TLS, if set, is how a wss:// portal is checked (a private CA's
	// roots); nil trusts the system's roots.
	TLS *tls.Config
	// MaxSnapshot bounds the snapshot a manifest may announce (default
	// 4 GiB); a snapshot also needs twice its size free beside the
	// catalog.
	MaxSnapshot int64
	// SnapshotBudget bounds checking and applying a received snapshot
	// (default 10 minutes).
	SnapshotBudget time.Duration
	// MaxStaleness: with nothing signed heard from the portal for this
	// long (a welcome, a heartbeat, a batch), the totem says its data is
	// stale (default 10 minutes).
	MaxStaleness time.Duration
}

// Status is what the totem knows of its link to the portal.
type Status struct {
	Connected bool      `json:"connected"`
	Synced    bool      `json:"synced"` // applied something from the portal since it started, or was up to date
	Seq       int64     `json:"seq"`
	LastSync  time.Time `json:"last_sync,omitzero"`
	LastError string    `json:"last_error,omitempty"`
	// ClockSkew is how far the portal's clock is ahead of this totem's,
	// in seconds, as of the last welcome.
	ClockSkew float64 `json:"clock_skew_s"`
	// CheckedAt is when the portal last said, signed, where its feed
	// stands (before any word since the start: when the replica last
	// changed); Stale, that this is longer ago than MaxStaleness. Head is
	// the portal's sequence as of then.
	CheckedAt time.Time `json:"checked_at,omitzero"`
	Stale     bool      `json:"stale"`
	Head      int64     `json:"head"`
}

// Client keeps a totem's replica in step with the portal.
type Client struct {
	cfg     ClientConfig
	started time.Time
	dialer  websocket.Dialer

	mu     sync.Mutex
	status Status
	heard  time.Time // the last signed word from the portal, or the start
	live   *session  // the connection the portal has welcomed, if any: asks go there

	restart     chan struct{}
	restartOnce sync.Once
}

// NewClient checks the configuration and builds a client.
func NewClient(cfg ClientConfig) (*Client, error) {
	if cfg.Store == nil || cfg.Fleet == nil || len(cfg.PortalKey) != ed25519.PublicKeySize || cfg.URL == "" || cfg.TotemID == "" || cfg.Token == "" {
		return nil, errors.New("relay: a client needs a store, a fleet store, the portal's URL and public key, a totem ID and a token")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = time.Second
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(60*time.Second, cfg.MinBackoff)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 30 * time.Second
	}
	if cfg.MaxSnapshot <= 0 {
		cfg.MaxSnapshot = maxSnapshot
	}
	if cfg.SnapshotBudget <= 0 {
		cfg.SnapshotBudget = 10 * time.Minute
	}
	if cfg.MaxStaleness <= 0 {
		cfg.MaxStaleness = 10 * time.Minute
	}
	c := &Client{started: time.Now(), heard: time.Now(), cfg: cfg, restart: make(chan struct{}), dialer: websocket.Dialer{HandshakeTimeout: 15 * time.Second, ReadBufferSize: 64 << 10, Proxy: http.ProxyFromEnvironment, TLSClientConfig: cfg.TLS}}
	return c, nil
}

// Restart is closed when the portal has ordered this totem to restart:
// the command has been acknowledged, and the process should exit cleanly
// for its supervisor to start it again.
func (c *Client) Restart() <-chan struct{} { return c.restart }

// Status reports the link's state.
func (c *Client) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.status
	st.Stale = time.Since(c.heard) > c.cfg.MaxStaleness
	return st
}

// fresh records a signed word from the portal: its head, as of now.
func (c *Client) fresh(head int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.heard = time.Now()
	c.status.CheckedAt = c.heard.UTC()
	c.status.Head = max(c.status.Head, head)
}

// RegisterMetrics adds the link's freshness to reg, read when scraped.
func (c *Client) RegisterMetrics(reg prometheus.Registerer) {
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "punto", Subsystem: "feed", Name: "stale",
			Help: "1 when nothing signed came from the portal for --max-staleness."}, func() float64 {
			if c.Status().Stale {
				return 1
			}
			return 0
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "punto", Subsystem: "feed", Name: "heard_age_seconds",
			Help: "Seconds since the portal last said, signed, where its feed stands."}, func() float64 {
			c.mu.Lock()
			defer c.mu.Unlock()
			return time.Since(c.heard).Seconds()
		}),
	)
}

func (c *Client) update(fn func(*Status)) {
	c.mu.Lock()
	fn(&c.status)
	c.mu.Unlock()
}

// Run follows the portal until ctx ends, reconnecting after every failure
// with capped exponential backoff and full jitter. The replica keeps
// serving meanwhile.
func (c *Client) Run(ctx context.Context) {
	if st, err := feed.ReadState(ctx, c.cfg.Store); err == nil && !st.At.IsZero() {
		c.update(func(s *Status) {
			if s.CheckedAt.IsZero() {
				s.CheckedAt = st.At.UTC()
			}
		})
	}
	attempt := 0
	for ctx.Err() == nil {
		progressed, err := c.session(ctx)
		c.update(func(s *Status) {
			s.Connected = false
			if err != nil && ctx.Err() == nil {
				s.LastError = err.Error()
			}
		})
		if ctx.Err() != nil {
			return
		}
		if progressed {
			attempt = 0
		}
		window := c.cfg.MinBackoff << min(attempt, 20)
		if window > c.cfg.MaxBackoff || window <= 0 {
			window = c.cfg.MaxBackoff
		}
		wait := mrand.N(window) + 1
		c.cfg.Log.Warn("portal link down, retrying", "err", err, "in", wait.Round(time.Millisecond))
		attempt++
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

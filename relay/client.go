package relay

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
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
	Store     *content.Store
	Fleet     *fleet.Store // the commands carried out and the needs figures, in Store's file
	Log       *slog.Logger
	Version   string
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

// session runs one connection. progressed says whether it got as far as
// being in step with the portal (the backoff starts again).
func (c *Client) session(ctx context.Context) (progressed bool, err error) {
	hdr := http.Header{headerAuth: {"Bearer " + c.cfg.Token}, headerTotem: {c.cfg.TotemID}}
	ws, resp, err := c.dialer.DialContext(ctx, c.cfg.URL, hdr)
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusUnauthorized {
			return false, fmt.Errorf("the portal refused this totem's token (revoked or wrong): %w", err)
		}
		return false, err
	}
	defer ws.Close()
	stop := context.AfterFunc(ctx, func() { ws.Close() })
	defer stop()
	st, err := feed.ReadState(ctx, c.cfg.Store)
	if err != nil {
		return false, err
	}
	nonce := rand.Text()
	if err := ws.WriteJSON(totemMsg{Type: "hello", Seq: st.Seq, Hash: hex.EncodeToString(st.Hash[:]), Version: c.cfg.Version, Nonce: nonce}); err != nil {
		return false, err
	}
	sess := &session{nonce: nonce, ws: ws, asks: map[string]chan *answerMsg{}, done: make(chan struct{})}
	defer c.ended(sess)
	go c.heartbeats(ctx, sess)
	c.update(func(s *Status) { s.Connected, s.Seq = true, st.Seq })
	c.cfg.Log.Info("connected to the portal", "url", c.cfg.URL, "seq", st.Seq)
	ws.SetReadLimit(maxBeforeWelcome)
	// Pings are answered but prove nothing: only messages keep the link.
	ws.SetPingHandler(func(data string) error {
		return ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(writeTimeout))
	})
	for {
		typ, data, err := readMessage(ws)
		if err != nil {
			return progressed, err
		}
		if typ == websocket.BinaryMessage && len(data) > 0 && data[0] == frameAnswer {
			c.answered(sess, data[1:])
			continue
		}
		if typ != websocket.BinaryMessage || len(data) == 0 || data[0] != frameSigned {
			c.refuse(sess, &feed.RejectError{Reason: "unsigned", Detail: "a message without a signature"})
			continue
		}
		ok, err := c.handle(ctx, ws, sess, data[1:])
		if err != nil {
			return progressed, err
		}
		progressed = progressed || ok
	}
}

// readMessage reads the next message: it must start within deadAfter
// (pings do not count), and once started arrive whole within
// messageTime, however it is dripped.
func readMessage(ws *websocket.Conn) (int, []byte, error) {
	ws.SetReadDeadline(time.Now().Add(deadAfter))
	typ, r, err := ws.NextReader()
	if err != nil {
		return typ, nil, err
	}
	ws.SetReadDeadline(time.Now().Add(messageTime))
	data, err := io.ReadAll(r)
	return typ, data, err
}

// handle checks and applies one signed envelope. A refused one is
// reported to the portal; for anything but a replay the link is dropped,
// so that the next one starts from what the totem holds.
func (c *Client) handle(ctx context.Context, ws *websocket.Conn, sess *session, signed []byte) (bool, error) {
	env, err := feed.OpenEnvelope(c.cfg.PortalKey, signed, c.cfg.Now().Add(sess.clockSkew()))
	var st feed.State
	var affected feed.Affected
	if err == nil {
		switch env.Type {
		case feed.EnvelopeWelcome:
			return c.welcome(ctx, sess, env)
		case feed.EnvelopeHeartbeat:
			return false, c.heartbeatFrom(ctx, sess, env)
		case feed.EnvelopeCommand:
			var cmd *fleet.Command
			if cmd, err = openCommand(env); err == nil {
				return false, c.command(ctx, sess, env, cmd)
			}
		case feed.EnvelopeBatches:
			bodies := env.Bodies()
			c.cfg.Log.Info("applying batches", "batches", len(bodies))
			st, err = feed.ApplyBatches(ctx, c.cfg.Store, bodies)
			affected = feed.AffectedBy(st.Seq, bodies)
		case feed.EnvelopeSnapshot:
			st, err = c.receiveSnapshot(ctx, ws, env.Snapshot)
			affected = feed.Affected{Seq: st.Seq, All: true}
		}
	}
	var ac *content.AfterCommitError
	if errors.As(err, &ac) {
		// Committed: acknowledged; the screens' index catches up at the
		// next write or restart.
		c.cfg.Log.Error("applied, but the index did not follow", "err", err)
		err = nil
	}
	var re *feed.RejectError
	if errors.As(err, &re) {
		c.refuse(sess, re)
		if re.Reason == "replay" {
			return false, nil
		}
		return false, re
	}
	if err != nil {
		return false, err
	}
	sess.head = max(sess.head, st.Seq)
	c.fresh(st.Seq)
	c.cfg.Metrics.appliedOne(st.Seq, sess.head)
	if err := sess.write(totemMsg{Type: "ack", Seq: st.Seq}); err != nil {
		return true, err
	}
	c.update(func(s *Status) { s.Synced, s.Seq, s.LastSync, s.LastError = true, st.Seq, time.Now(), "" })
	c.cfg.Log.Info("applied", "seq", st.Seq)
	if c.cfg.OnApplied != nil {
		c.cfg.OnApplied(affected)
	}
	return true, nil
}

// session is what one connection has learnt from the portal.
type session struct {
	ws    *websocket.Conn
	wmu   sync.Mutex // one writer at a time: acks, reports, heartbeats
	nonce string
	skew  atomic.Int64 // portal clock minus ours, in nanoseconds (the heartbeats read it)
	head  int64        // the portal's sequence, as far as we know
	// welcomed: the portal's signed welcome to this connection came.
	welcomed bool
	// asks waits for the portal's answers, by ask ID; done is closed when
	// the connection ends (client_callback.go).
	amu  sync.Mutex
	asks map[string]chan *answerMsg
	done chan struct{}
}

func (sess *session) clockSkew() time.Duration { return time.Duration(sess.skew.Load()) }

func (sess *session) write(m totemMsg) error {
	sess.wmu.Lock()
	defer sess.wmu.Unlock()
	sess.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return sess.ws.WriteJSON(m)
}

// heartbeats reports the totem's state every interval until the link ends.
func (c *Client) heartbeats(ctx context.Context, sess *session) {
	tick := time.NewTicker(c.cfg.Heartbeat)
	defer tick.Stop()
	if err := c.cfg.Fleet.ResendNeeds(ctx, time.Now().Add(-needsResendWindow)); err != nil {
		c.cfg.Log.Warn("needs figures", "err", err)
	}
	for {
		if err := sess.write(totemMsg{Type: "heartbeat", State: c.state(ctx, sess)}); err != nil {
			return
		}
		if err := c.reportNeeds(ctx, sess); err != nil {
			c.cfg.Log.Warn("needs figures not reported", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// heartbeat is what a totem reports of itself. Nothing in it is about a
// visitor.
type heartbeat struct {
	Version   string  `json:"version"`
	Seq       int64   `json:"seq"`
	UptimeS   int64   `json:"uptime_s"`
	Screens   int     `json:"screens"`
	DiskFree  uint64  `json:"disk_free_bytes"`
	LastError string  `json:"last_error,omitempty"`
	ClockSkew float64 `json:"clock_skew_s"`
	// Stale: nothing signed from the portal for --max-staleness, since
	// CheckedAt (a link that passes reports but no feed).
	Stale     bool      `json:"stale,omitempty"`
	CheckedAt time.Time `json:"checked_at,omitzero"`
}

func (c *Client) state(ctx context.Context, sess *session) json.RawMessage {
	st, _ := feed.ReadState(ctx, c.cfg.Store)
	hb := heartbeat{Version: c.cfg.Version, Seq: st.Seq, UptimeS: int64(time.Since(c.started).Seconds()), ClockSkew: sess.clockSkew().Seconds()}
	if c.cfg.Screens != nil {
		hb.Screens = c.cfg.Screens()
	}
	var fs syscall.Statfs_t
	if syscall.Statfs(filepath.Dir(c.cfg.Store.Path()), &fs) == nil {
		hb.DiskFree = fs.Bavail * uint64(fs.Bsize)
	}
	status := c.Status()
	hb.LastError, hb.Stale, hb.CheckedAt = status.LastError, status.Stale, status.CheckedAt
	b, _ := json.Marshal(hb)
	return b
}

// welcome takes the portal's answer to the hello: its clock, from now on
// the one expiries are checked against, and its sequence.
func (c *Client) welcome(ctx context.Context, sess *session, env *feed.Envelope) (bool, error) {
	if env.Nonce != sess.nonce {
		re := &feed.RejectError{Reason: "replay", Detail: "a welcome for another connection"}
		return false, re
	}
	skew := env.Now.Sub(c.cfg.Now())
	sess.skew.Store(int64(skew))
	if skew > time.Minute || skew < -time.Minute {
		c.cfg.Log.Warn("this totem's clock is wrong: following the portal's", "portal_ahead_by", skew.Round(time.Second))
	}
	st, err := feed.ReadState(ctx, c.cfg.Store)
	if err != nil {
		return false, err
	}
	sess.head = env.Head
	sess.welcomed = true
	c.welcomed(sess)
	sess.ws.SetReadLimit(maxEnvelope) // the portal is who it says
	c.fresh(env.Head)
	c.cfg.Metrics.setLag(st.Seq, sess.head)
	inStep := st.Seq >= env.Head
	c.update(func(s *Status) {
		s.ClockSkew = skew.Seconds()
		if inStep {
			s.Synced, s.LastSync = true, time.Now()
		}
	})
	return inStep, nil
}

// heartbeatFrom takes the portal's signed word that it is alive: it must
// be for this connection, after its welcome.
func (c *Client) heartbeatFrom(ctx context.Context, sess *session, env *feed.Envelope) error {
	if env.Nonce != sess.nonce || !sess.welcomed {
		c.refuse(sess, &feed.RejectError{Reason: "replay", Detail: "a heartbeat for another connection"})
		return nil
	}
	st, err := feed.ReadState(ctx, c.cfg.Store)
	if err != nil {
		return err
	}
	sess.head = max(sess.head, env.Head)
	c.cfg.Metrics.setLag(st.Seq, sess.head)
	c.fresh(env.Head)
	return nil
}

// refuse reports a refused message to the portal (with the ID of the
// command it was, if any).
func (c *Client) refuse(sess *session, re *feed.RejectError, command ...string) {
	c.cfg.Metrics.rejectedOne(re.Reason)
	c.cfg.Log.Warn("refused a message from the portal", "reason", re.Reason, "detail", re.Detail)
	c.update(func(s *Status) { s.LastError = re.Error() })
	m := totemMsg{Type: "reject", Reason: re.Reason, Detail: re.Detail}
	if len(command) > 0 {
		m.ID = command[0]
	}
	if err := sess.write(m); err != nil {
		c.cfg.Log.Warn("could not tell the portal of the refusal", "err", err)
	}
}

// receiveSnapshot reads the snapshot file that follows its manifest into a
// file beside the catalog, then applies it.
func (c *Client) receiveSnapshot(ctx context.Context, ws *websocket.Conn, m *feed.SnapshotManifest) (feed.State, error) {
	want, sum, err := m.State()
	if err != nil {
		return want, err
	}
	if m.Size > c.cfg.MaxSnapshot {
		return want, &feed.RejectError{Reason: "invalid", Detail: fmt.Sprintf("a snapshot of %d bytes, more than this totem takes (%d)", m.Size, c.cfg.MaxSnapshot)}
	}
	var fs syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(c.cfg.Store.Path()), &fs); err == nil && fs.Bavail*uint64(fs.Bsize) < 2*uint64(m.Size) {
		return want, fmt.Errorf("relay: no room for a snapshot of %d bytes: %d free", m.Size, fs.Bavail*uint64(fs.Bsize))
	}
	ws.SetReadLimit(maxDataFrame)
	defer ws.SetReadLimit(maxEnvelope)
	path := c.cfg.Store.Path() + ".snapshot"
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return want, err
	}
	defer os.Remove(path)
	var got int64
	for got < m.Size {
		typ, data, err := readMessage(ws)
		if err != nil {
			return want, errors.Join(err, f.Close())
		}
		if typ != websocket.BinaryMessage || len(data) == 0 || data[0] != frameData || got+int64(len(data)-1) > m.Size {
			return want, errors.Join(&feed.RejectError{Reason: "invalid", Detail: "snapshot data does not match its manifest"}, f.Close())
		}
		if _, err := f.Write(data[1:]); err != nil {
			return want, errors.Join(err, f.Close())
		}
		got += int64(len(data) - 1)
	}
	if err := f.Close(); err != nil {
		return want, err
	}
	c.cfg.Log.Info("applying snapshot", "seq", want.Seq, "bytes", m.Size)
	ctx, cancel := context.WithTimeout(ctx, c.cfg.SnapshotBudget)
	defer cancel()
	if err := feed.ApplySnapshot(ctx, c.cfg.Store, path, sum, want); err != nil {
		return want, err
	}
	return want, nil
}

package relay

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/fleet"
)

// HubConfig is what the portal's hub needs.
type HubConfig struct {
	Store *content.Store
	Fleet *fleet.Store // the totem registry, the commands and the needs figures, in Store's file
	Key   ed25519.PrivateKey
	Log   *slog.Logger
	// TTL is how long a signed envelope stays valid (default 5 minutes):
	// a totem refuses one delivered later.
	TTL time.Duration
	// SnapshotAfter: a totem further behind than this many changes gets a
	// snapshot instead of the changes (default 50,000).
	SnapshotAfter int64
	// OnPublish is told what each publish changed (the portal's own
	// screens refresh with it).
	OnPublish func(feed.Affected)
	// SnapshotDir holds snapshot files while they are sent (default: a
	// temporary folder).
	SnapshotDir string
	// Registry, if set, gets the feed's metrics.
	Registry prometheus.Registerer
	// Heartbeat is how often totems report (default 30 s): one silent for
	// two intervals is offline. Webhook, if set, is told by POST when a
	// totem goes offline, falls behind, or comes back.
	Heartbeat time.Duration
	Webhook   string
	// Now is the portal's clock (default time.Now): envelopes expire TTL
	// after it, the welcome tells totems its time, commands are issued and
	// lapse by it, and a totem is offline when it has not reported for
	// two heartbeat intervals of it. Tests move it instead of waiting.
	Now func() time.Time
	// Beat is how often the portal tells each totem, signed, that it is
	// alive and where its feed stands (default 30 s): a totem that hears
	// nothing signed for its --max-staleness says its data is stale. A
	// totem asks, in its hello, for beats at least a third as often as
	// its --max-staleness: it gets them that often (not under 1 s).
	Beat time.Duration
	// Desk, if set, answers totems' asks: who is reachable, call-backs
	// (hub_callback.go).
	Desk Desk
	// KeyRecords are the root-signed rotations and revocations of the
	// portal's keys, sent with every welcome: a totem installed with an
	// older key learns the one Key is from them.
	KeyRecords []feed.SignedKeyRecord
	// MirrorTTL is how long the envelopes sent to a mirror stay valid
	// (default 30 days): a mirror passes them on to its totems long after.
	MirrorTTL time.Duration
}

// Hub serves the change feed to totems.
type Hub struct {
	cfg      HubConfig
	upgrader websocket.Upgrader
	pubMu    sync.Mutex // one publish (commit and broadcast) at a time

	mu      sync.Mutex
	totems  map[string]*totemConn
	closed  bool
	wg      sync.WaitGroup
	snaps   *snapshots
	metrics *Metrics
	fleet   *fleetWatch
	ctx     context.Context
	cancel  context.CancelFunc
	started time.Time
	refused *syncThrottle
}

// outMsg is a live batch ready to be written to every totem.
type outMsg struct {
	first, last int64
	msg         *websocket.PreparedMessage
}

// NewHub builds a hub.
func NewHub(cfg HubConfig) (*Hub, error) {
	if cfg.Store == nil || cfg.Fleet == nil || len(cfg.Key) != ed25519.PrivateKeySize {
		return nil, errors.New("relay: a hub needs a store, a fleet store and an ed25519 key")
	}
	if len(cfg.KeyRecords) > feed.MaxKeyRecords {
		return nil, fmt.Errorf("relay: %d key records, more than a welcome carries (%d)", len(cfg.KeyRecords), feed.MaxKeyRecords)
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.TTL <= 0 {
		cfg.TTL = 5 * time.Minute
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 30 * time.Second
	}
	if cfg.SnapshotAfter <= 0 {
		cfg.SnapshotAfter = 50000
	}
	if cfg.Beat <= 0 {
		cfg.Beat = 30 * time.Second
	}
	if cfg.MirrorTTL <= 0 {
		cfg.MirrorTTL = 30 * 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	snaps, err := newSnapshots(cfg.Store, cfg.SnapshotDir)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &Hub{cfg: cfg, totems: map[string]*totemConn{}, snaps: snaps, ctx: ctx, cancel: cancel, started: time.Now(), refused: newSyncThrottle()}
	if cfg.Registry != nil {
		h.metrics = NewMetrics(cfg.Registry)
		h.metrics.registerHub(cfg.Registry, h)
	}
	h.fleet = newFleet(h)
	h.wg.Add(1)
	go func() { defer h.wg.Done(); h.fleet.watch(ctx) }()
	// Totems are programs, not browsers: no Origin to check.
	h.upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }, HandshakeTimeout: 10 * time.Second, WriteBufferSize: 64 << 10}
	return h, nil
}

// PublicKey is the key totems check batches with.
func (h *Hub) PublicKey() ed25519.PublicKey { return h.cfg.Key.Public().(ed25519.PublicKey) }

// Publish commits changes to the master catalog as one batch and sends it
// to every connected totem. Validation errors are *content.ValidationError.
// also, if not nil, runs in the publish's transaction (see feed.Publish):
// if it fails, nothing is published and its error is returned.
func (h *Hub) Publish(ctx context.Context, author string, changes []content.Change, also func(tx *sql.Tx, last int64) error) (int64, error) {
	h.pubMu.Lock()
	defer h.pubMu.Unlock()
	fb, err := feed.Publish(ctx, h.cfg.Store, author, changes, also)
	if fb == nil {
		return 0, err
	}
	if err != nil {
		// Committed: it goes out like any other, and the error is the
		// portal's own in-memory index.
		h.cfg.Log.Error("published, but the portal's index did not follow", "err", err)
	}
	h.cfg.Log.Info("published", "author", author, "first", fb.First, "last", fb.Last, "changes", fb.Last-fb.First+1)
	h.metrics.publishedOne()
	h.broadcast(fb)
	if h.cfg.OnPublish != nil {
		h.cfg.OnPublish(feed.AffectedBy(fb.Last, [][]byte{fb.Body}))
	}
	return fb.Last, err
}

func (h *Hub) signed(bodies [][]byte, ttl time.Duration) []byte {
	payload := feed.EncodeBatches(h.cfg.Now().Add(ttl), bodies)
	return append([]byte{frameSigned}, feed.Sign(h.cfg.Key, payload)...)
}

func (h *Hub) broadcast(fb *feed.Batch) {
	pm, err := websocket.NewPreparedMessage(websocket.BinaryMessage, h.signed([][]byte{fb.Body}, h.cfg.TTL))
	if err != nil {
		h.cfg.Log.Error("prepare batch", "err", err)
		return
	}
	m := &outMsg{first: fb.First, last: fb.Last, msg: pm}
	mm := h.forMirrors(fb)
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range h.totems {
		if t.relayed {
			continue // its mirror feeds it
		}
		out := m
		if t.mirror {
			if out = mm; out == nil {
				t.close() // connected meanwhile: it catches up when it dials again
				continue
			}
		}
		select {
		case t.send <- out:
		default:
			// A totem that cannot keep up is dropped rather than holding
			// everyone back; it reconnects and catches up from the log.
			h.cfg.Log.Warn("totem too slow, disconnecting", "totem", t.id)
			t.close()
		}
	}
}

// Kick disconnects a totem now (its token was revoked).
func (h *Hub) Kick(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if t := h.totems[id]; t != nil {
		t.close()
	}
}

// Connected lists the totems connected now, by ID, with the sequence each
// has acknowledged.
func (h *Hub) Connected() map[string]int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]int64, len(h.totems))
	for id, t := range h.totems {
		out[id] = t.acked.Load()
	}
	return out
}

// maxLag is how far the furthest-behind connected totem is.
func (h *Hub) maxLag() int64 {
	head, err := feed.ReadState(h.ctx, h.cfg.Store)
	if err != nil {
		return 0
	}
	var lag int64
	for _, acked := range h.Connected() {
		lag = max(lag, head.Seq-acked)
	}
	return lag
}

// Close disconnects every totem and removes snapshot files.
func (h *Hub) Close() {
	h.mu.Lock()
	h.closed = true
	for _, t := range h.totems {
		t.close()
	}
	h.mu.Unlock()
	h.cancel()
	h.wg.Wait()
	h.snaps.close()
}

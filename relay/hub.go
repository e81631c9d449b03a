package relay

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/fleet"
	"github.com/punto-totem/punto/internal/apierr"
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

// unauthorized is the 401 of a totem that did not prove who it is.
func unauthorized(msg, field string) *apierr.Error {
	return &apierr.Error{Status: fiber.StatusUnauthorized, Code: "unauthenticated", Message: msg, Field: field}
}

// Handler is the /sync endpoint: it authenticates the totem and turns the
// request into its feed connection.
func (h *Hub) Handler(c *fiber.Ctx) error {
	id := c.Get(headerTotem)
	token, ok := strings.CutPrefix(c.Get(headerAuth), "Bearer ")
	if id == "" || !ok || token == "" {
		return apierr.Write(c, unauthorized("a totem identifies itself with "+headerTotem+" and a bearer token", headerAuth))
	}
	if !isUpgrade(c) {
		return apierr.Write(c, apierr.BadRequest(fiber.HeaderUpgrade, "this endpoint speaks websocket only"))
	}
	addr := c.IP()
	if blocked, wait := h.refused.blocked(addr, time.Now()); blocked {
		h.refusedOne(id, addr, "too many refusals")
		return apierr.Write(c, apierr.RateLimited(int(wait.Seconds()+1)))
	}
	via := c.Get(headerMirror)
	if via != "" {
		// A mirror relays a totem: it proves who it is, and the totem's
		// refusals count against the totem's address, not the mirror's
		// (one guesser behind a mirror must not block all of it).
		if _, err := h.cfg.Fleet.AuthenticateTotem(c.UserContext(), via, c.Get(headerMirrorToken)); errors.Is(err, fleet.ErrUnauthorized) {
			h.refusedOne(via, addr, "unknown mirror or wrong or revoked token")
			return apierr.Write(c, unauthorized("unknown mirror or wrong or revoked token", headerMirrorToken))
		} else if err != nil {
			return err
		}
		addr = via + "/" + truncate(c.Get(headerMirrorFor), 64)
		if blocked, wait := h.refused.blocked(addr, time.Now()); blocked {
			h.refusedOne(id, addr, "too many refusals")
			return apierr.Write(c, apierr.RateLimited(int(wait.Seconds()+1)))
		}
	}
	totem, err := h.cfg.Fleet.AuthenticateTotem(c.UserContext(), id, token)
	if errors.Is(err, fleet.ErrUnauthorized) {
		h.refusedOne(id, addr, "unknown totem or wrong or revoked token")
		return apierr.Write(c, unauthorized("unknown totem or wrong or revoked token", headerAuth))
	}
	if err != nil {
		return err
	}
	h.mu.Lock()
	closed := h.closed
	if !closed {
		h.wg.Add(1)
	}
	h.mu.Unlock()
	if closed {
		return apierr.Write(c, apierr.Unavailable("the portal is shutting down"))
	}
	r := httpRequest(c)
	c.Context().HijackSetNoResponse(true)
	c.Context().Hijack(func(nc net.Conn) {
		defer h.wg.Done()
		// fasthttp's hijacked connection does not close and is reused
		// once this func returns: the websocket runs on the socket itself,
		// closing it ends every read and write at once, and this func
		// returns only after both loops have.
		raw := nc
		if u, ok := nc.(interface{ UnsafeConn() net.Conn }); ok {
			raw = u.UnsafeConn()
		}
		stop := context.AfterFunc(h.ctx, func() { raw.Close() })
		defer stop()
		ws, err := h.upgrader.Upgrade(&hijacked{conn: raw}, r, nil)
		if err != nil {
			h.cfg.Log.Warn("websocket upgrade", "totem", totem.ID, "err", err)
			return
		}
		h.serve(ws, totem.ID, token, via)
	})
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// refusedOne counts a refused dial against its address and logs it, at
// most once a minute per address.
func (h *Hub) refusedOne(id, addr, why string) {
	if log, unlogged := h.refused.fail(addr, time.Now()); log {
		if len(id) > 128 {
			id = id[:128]
		}
		h.cfg.Log.Warn("totem refused", "totem", id, "addr", addr, "why", why, "unlogged_since", unlogged)
	}
}

// serve runs one totem's connection until it ends.
// via names the mirror that relays it, if one does.
func (h *Hub) serve(ws *websocket.Conn, id, token, via string) {
	defer ws.Close()
	ws.SetReadLimit(maxTotemMsg)
	ws.SetReadDeadline(time.Now().Add(deadAfter))
	var hello totemMsg
	if err := ws.ReadJSON(&hello); err != nil || hello.Type != "hello" || hello.Seq < 0 {
		h.cfg.Log.Warn("totem sent no hello", "totem", id, "err", err)
		return
	}
	t := &totemConn{id: id, nonce: hello.Nonce, mirror: hello.Mirror && via == "", relayed: via != "", ws: ws, send: make(chan *outMsg, 256), cmds: make(chan pendingCommand, 16), answers: make(chan []byte, 4), done: make(chan struct{})}
	t.acked.Store(hello.Seq)
	h.register(t)
	defer h.unregister(t)
	// A token revoked between the handshake and now: Kick found nothing.
	if _, err := h.cfg.Fleet.AuthenticateTotem(h.ctx, id, token); err != nil {
		return
	}
	h.cfg.Log.Info("totem connected", "totem", id, "seq", hello.Seq, "version", hello.Version, "via", via)
	rdone := make(chan struct{})
	go func() { h.readLoop(t); close(rdone) }()
	defer func() { t.close(); <-rdone }()
	if t.relayed {
		if err := h.relay(t); err != nil && !t.isClosed() {
			h.cfg.Log.Warn("totem link through a mirror ended", "totem", id, "via", via, "err", err)
		}
		return
	}
	if err := h.welcome(t, hello); err != nil {
		return
	}
	if err := h.feed(t, hello); err != nil && !t.isClosed() {
		h.cfg.Log.Warn("totem feed ended", "totem", id, "err", err)
	}
}

func (h *Hub) register(t *totemConn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		t.close()
		return
	}
	if old := h.totems[t.id]; old != nil {
		old.close() // the same totem dialled again: the new link wins
	}
	h.totems[t.id] = t
}

func (h *Hub) unregister(t *totemConn) {
	h.mu.Lock()
	if h.totems[t.id] == t {
		delete(h.totems, t.id)
	}
	h.mu.Unlock()
	t.close()
	h.persist(t)
	h.cfg.Log.Info("totem disconnected", "totem", t.id, "acked", t.acked.Load())
}

func (h *Hub) persist(t *totemConn) {
	seq, errText := t.acked.Load(), t.takeError()
	if seq == t.saved.Load() && errText == "" {
		return
	}
	if err := h.cfg.Fleet.TotemSeen(context.WithoutCancel(h.ctx), t.id, seq, errText); err != nil {
		h.cfg.Log.Warn("record totem state", "totem", t.id, "err", err)
		return
	}
	t.saved.Store(seq)
}

// readLoop takes the totem's acknowledgements and reports.
func (h *Hub) readLoop(t *totemConn) {
	defer t.close()
	t.ws.SetPongHandler(func(string) error { return t.ws.SetReadDeadline(time.Now().Add(deadAfter)) })
	for {
		t.ws.SetReadDeadline(time.Now().Add(deadAfter))
		var m totemMsg
		if err := t.ws.ReadJSON(&m); err != nil {
			return
		}
		switch m.Type {
		case "ack":
			if m.Seq > t.acked.Load() {
				t.acked.Store(m.Seq)
			}
		case "heartbeat":
			var probe map[string]any
			if len(m.State) > 4096 || json.Unmarshal(m.State, &probe) != nil {
				continue
			}
			if err := h.cfg.Fleet.TotemReported(h.ctx, t.id, m.State); err != nil {
				h.cfg.Log.Warn("record heartbeat", "totem", t.id, "err", err)
			}
		case "reject":
			// Recorded with the next ping, not on every report: a
			// misbehaving totem cannot make the portal write at will.
			detail := m.Detail
			if len(detail) > 300 {
				detail = detail[:300]
			}
			h.cfg.Log.Warn("totem rejected a message", "totem", t.id, "reason", m.Reason, "detail", detail, "command", m.ID)
			t.setError(fmt.Sprintf("rejected (%s): %s", m.Reason, detail))
			h.metrics.reported(m.Reason)
			if m.ID != "" {
				h.commandReported(t, m.ID, "refused", m.Reason+": "+detail)
			}
		case "done":
			state := "done"
			if m.Detail != "" {
				state = "failed"
			}
			h.cfg.Log.Info("totem carried out a command", "totem", t.id, "command", m.ID, "state", state, "detail", m.Detail)
			h.commandReported(t, m.ID, state, m.Detail)
		case "needs":
			h.needsReported(t, m.Counts)
		case "ask":
			h.asked(t, m)
		}
	}
}

func (h *Hub) commandReported(t *totemConn, id, state, detail string) {
	if !content.ValidID(id) {
		return
	}
	if err := h.cfg.Fleet.CommandReported(h.ctx, id, t.id, state, detail); err != nil {
		h.cfg.Log.Warn("record command", "id", id, "totem", t.id, "err", err)
	}
}

// welcome answers the hello with the portal's clock and sequence, signed
// and bound to the totem's nonce.
func (h *Hub) welcome(t *totemConn, hello totemMsg) error {
	if hello.Nonce == "" || len(hello.Nonce) > 64 {
		return nil // an older totem: it checks expiries with its own clock
	}
	head, err := feed.ReadState(h.ctx, h.cfg.Store)
	if err != nil {
		return err
	}
	payload, err := json.Marshal(feed.Envelope{Type: feed.EnvelopeWelcome, Nonce: hello.Nonce, Now: h.cfg.Now().UTC(), Head: head.Seq, Keys: h.cfg.KeyRecords, Epoch: head.Epoch})
	if err != nil {
		return err
	}
	t.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return t.ws.WriteMessage(websocket.BinaryMessage, append([]byte{frameSigned}, feed.Sign(h.cfg.Key, payload)...))
}

// heartbeat tells a totem, signed and bound to its connection, that the
// portal is alive and where its feed stands.
func (h *Hub) heartbeat(t *totemConn) error {
	if t.nonce == "" || len(t.nonce) > 64 {
		return nil // an older totem: no welcome, no heartbeats
	}
	head, err := feed.ReadState(h.ctx, h.cfg.Store)
	if err != nil {
		return err
	}
	now := h.cfg.Now()
	payload := feed.EncodeHeartbeat(now.Add(h.cfg.TTL), now, t.nonce, head.Seq)
	t.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return t.ws.WriteMessage(websocket.BinaryMessage, append([]byte{frameSigned}, feed.Sign(h.cfg.Key, payload)...))
}

// feed sends the totem what it lacks, then live batches, until the link
// ends.
func (h *Hub) feed(t *totemConn, hello totemMsg) error {
	sent, err := h.start(t, hello)
	if err != nil {
		return err
	}
	if err := h.sendPending(t); err != nil {
		return err
	}
	if err := h.head(t); err != nil {
		return err
	}
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	beat := time.NewTicker(beatEvery(h.cfg.Beat, hello.BeatMS))
	defer beat.Stop()
	for {
		select {
		case <-beat.C:
			if err := h.heartbeat(t); err != nil {
				return err
			}
			if err := h.head(t); err != nil {
				return err
			}
		case m := <-t.send:
			switch {
			case m.last <= sent: // already sent by a catch-up
			case m.first != sent+1: // a publish overtook this one: read the log
				if sent, err = h.catchUp(t, sent); err != nil {
					return err
				}
			default:
				t.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
				if err := t.ws.WritePreparedMessage(m.msg); err != nil {
					return err
				}
				sent = m.last
			}
		case c := <-t.cmds:
			if err := h.sendCommand(t, c); err != nil {
				return err
			}
		case a := <-t.answers:
			t.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
			if err := t.ws.WriteMessage(websocket.BinaryMessage, a); err != nil {
				return err
			}
		case <-ping.C:
			if err := t.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeTimeout)); err != nil {
				return err
			}
			h.persist(t)
		case <-t.done:
			return nil
		}
	}
}

// relay serves a totem's link through a mirror: its pending commands,
// then commands and answers as they come, until the link ends. The feed
// is the mirror's to send.
func (h *Hub) relay(t *totemConn) error {
	if err := h.sendPending(t); err != nil {
		return err
	}
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		select {
		case c := <-t.cmds:
			if err := h.sendCommand(t, c); err != nil {
				return err
			}
		case a := <-t.answers:
			t.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
			if err := t.ws.WriteMessage(websocket.BinaryMessage, a); err != nil {
				return err
			}
		case <-ping.C:
			if err := t.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeTimeout)); err != nil {
				return err
			}
			h.persist(t)
		case <-t.done:
			return nil
		}
	}
}

// minBeat is the shortest interval of signed heartbeats a totem may ask
// for.
const minBeat = time.Second

// beatEvery is the heartbeat interval of one connection: the portal's,
// or shorter if the totem asked for it (not under minBeat).
func beatEvery(portal time.Duration, askedMS int64) time.Duration {
	every := portal
	if askedMS > 0 && askedMS < portal.Milliseconds() {
		every = time.Duration(askedMS) * time.Millisecond
	}
	return max(every, minBeat)
}

// start brings a new connection up to date: a snapshot if the totem is new,
// too far behind, or holds a history the portal does not know, then the
// batches it lacks.
func (h *Hub) start(t *totemConn, hello totemMsg) (int64, error) {
	ctx := h.ctx
	head, err := feed.ReadState(ctx, h.cfg.Store)
	if err != nil {
		return 0, err
	}
	behind := head.Seq - hello.Seq
	snapshot := hello.Seq == 0 || behind > h.cfg.SnapshotAfter
	if !snapshot && behind > 1000 {
		// Copying the catalog costs about a sixth of applying as many
		// changes as it has services: far behind, a snapshot is quicker.
		if st, err := h.cfg.Store.Stats(ctx); err == nil && behind*6 > int64(st.Services) {
			snapshot = true
		}
	}
	if !snapshot && hello.Seq <= head.Seq {
		hash, err := feed.BatchHash(ctx, h.cfg.Store, hello.Seq)
		snapshot = err != nil || hex.EncodeToString(hash[:]) != hello.Hash
	}
	switch {
	case hello.Epoch < head.Epoch:
		// The portal started a new epoch (restored from an older copy):
		// sequences of the old one compare with nothing.
		snapshot = true
	case hello.Epoch > head.Epoch:
		h.cfg.Log.Warn("totem is of a newer feed epoch than the portal: it refuses this portal; start a new epoch (punto portal epoch)", "totem", t.id, "totem_epoch", hello.Epoch, "portal_epoch", head.Epoch)
		snapshot = true
	case hello.Seq > head.Seq:
		h.cfg.Log.Warn("totem is ahead of the portal: was the portal's catalog restored from an older copy? Then start a new epoch (punto portal epoch), and the totems take its snapshot", "totem", t.id, "totem_seq", hello.Seq, "portal_seq", head.Seq)
		snapshot = true
	}
	sent := hello.Seq
	if snapshot {
		if sent, err = h.sendSnapshot(t); err != nil {
			return 0, err
		}
	}
	return h.catchUp(t, sent)
}

// catchUp sends every stored batch after sent, several per envelope.
func (h *Hub) catchUp(t *totemConn, sent int64) (int64, error) {
	for {
		bs, ok, err := feed.BatchesAfter(h.ctx, h.cfg.Store, sent, catchUpChanges)
		if err != nil {
			return sent, err
		}
		if !ok {
			if sent, err = h.sendSnapshot(t); err != nil {
				return sent, err
			}
			continue
		}
		if len(bs) == 0 {
			return sent, nil
		}
		var bodies [][]byte
		size := 0
		for i := range bs {
			if i > 0 && size+len(bs[i].Body) > catchUpBytes {
				bs = bs[:i]
				break
			}
			bodies = append(bodies, bs[i].Body)
			size += len(bs[i].Body)
		}
		t.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
		if err := t.ws.WriteMessage(websocket.BinaryMessage, h.signed(bodies, h.ttl(t))); err != nil {
			return sent, err
		}
		sent = bs[len(bs)-1].Last
	}
}

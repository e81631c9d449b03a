package relay

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
	"github.com/punto-totem/punto/content/feed"
)

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
	hello := totemMsg{Type: "hello", Seq: st.Seq, Hash: hex.EncodeToString(st.Hash[:]), Version: c.cfg.Version, Nonce: nonce, BeatMS: (c.cfg.MaxStaleness / 3).Milliseconds(), Epoch: st.Epoch}
	if c.cfg.Mirror != nil {
		hello.Mirror = true
		if c.cfg.Mirror.needsSnapshot() {
			hello.Seq, hello.Hash = 0, "" // a snapshot, to pass on
		}
	}
	if err := ws.WriteJSON(hello); err != nil {
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

// session is what one connection has learnt from the portal.
type session struct {
	ws    *websocket.Conn
	wmu   sync.Mutex // one writer at a time: acks, reports, heartbeats
	nonce string
	skew  atomic.Int64 // portal clock minus ours, in nanoseconds (the heartbeats read it)
	head  int64        // the portal's sequence, as far as we know
	// welcomed: the portal's signed welcome to this connection came (or,
	// through a mirror, its head); epoch is the feed's, as it said.
	welcomed bool
	// asks waits for the portal's answers, by ask ID; done is closed when
	// the connection ends (client_callback.go).
	amu   sync.Mutex
	asks  map[string]chan *answerMsg
	done  chan struct{}
	epoch int64
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

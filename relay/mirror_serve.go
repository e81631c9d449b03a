package relay

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/websocket"
	"github.com/punto-totem/punto/internal/apierr"
)

// maxMirrorTotems bounds the totems one mirror serves at once.
const maxMirrorTotems = 20000

// mirrorFrame is a framed envelope passed on live: batches (first..last)
// or a head (zero range).
type mirrorFrame struct {
	first, last int64
	data        []byte
}

// mirrorConn is one totem following the mirror.
type mirrorConn struct {
	ws   *websocket.Conn
	send chan mirrorFrame
	once sync.Once
	done chan struct{}
	// Relayed to the portal (mirror_upstream.go): the totem's text
	// frames go up, the portal's commands and answers come down, and
	// acked is the last sequence the totem acknowledged.
	reports chan []byte
	down    chan []byte
	acked   atomic.Int64
}

func (c *mirrorConn) close() {
	c.once.Do(func() {
		close(c.done)
		c.ws.Close()
	})
}

// push queues a frame; a totem that cannot keep up is dropped (it dials
// again and catches up from what the mirror keeps).
func (c *mirrorConn) push(f mirrorFrame) {
	select {
	case c.send <- f:
	default:
		c.close()
	}
}

var mirrorUpgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }, HandshakeTimeout: 10 * time.Second, WriteBufferSize: 64 << 10}

// Handler serves the mirror's /sync to totems. What it passes on is the
// portal's, signed, and public like the catalog its phones read: a totem
// is not asked for a token here. A totem that dials with its token is
// relayed to the portal (SetUpstream): its reports go up, and the
// portal's commands come down, the portal checking its token.
func (m *Mirror) Handler(ctx context.Context) fiber.Handler {
	return func(c *fiber.Ctx) error {
		addr := c.IP()
		if blocked, wait := m.refused.blocked(addr, time.Now()); blocked {
			m.refusedOne(addr, "too many refusals")
			return apierr.Write(c, apierr.RateLimited(int(wait.Seconds()+1)))
		}
		if !isUpgrade(c) {
			m.refusedOne(addr, "not a websocket")
			return apierr.Write(c, apierr.BadRequest(fiber.HeaderUpgrade, "this endpoint speaks websocket only"))
		}
		m.mu.Lock()
		full := len(m.conns) >= maxMirrorTotems
		ready := m.snap != nil && m.head != nil
		m.mu.Unlock()
		if full || !ready {
			return apierr.Write(c, apierr.Unavailable("the mirror has nothing to pass on yet, or serves as many totems as it can"))
		}
		// A totem's own credentials, passed to the portal when the
		// mirror relays it; the feed itself asks none.
		id := c.Get(headerTotem)
		token, _ := strings.CutPrefix(c.Get(headerAuth), "Bearer ")
		r := httpRequest(c)
		c.Context().HijackSetNoResponse(true)
		c.Context().Hijack(func(nc net.Conn) {
			raw := nc
			if u, ok := nc.(interface{ UnsafeConn() net.Conn }); ok {
				raw = u.UnsafeConn()
			}
			stop := context.AfterFunc(ctx, func() { raw.Close() })
			defer stop()
			ws, err := mirrorUpgrader.Upgrade(&hijacked{conn: raw}, r, nil)
			if err != nil {
				m.refusedOne(addr, "websocket handshake: "+err.Error())
				return
			}
			m.serve(ws, addr, id, token)
		})
		return nil
	}
}

// serve passes on to one totem what it lacks, then what comes live.
func (m *Mirror) serve(ws *websocket.Conn, addr, id, token string) {
	defer ws.Close()
	ws.SetReadLimit(maxTotemMsg)
	ws.SetReadDeadline(time.Now().Add(deadAfter))
	var hello totemMsg
	if err := ws.ReadJSON(&hello); err != nil || hello.Type != "hello" || hello.Seq < 0 {
		m.refusedOne(addr, "no hello")
		return
	}
	c := &mirrorConn{ws: ws, send: make(chan mirrorFrame, 256), done: make(chan struct{})}
	c.acked.Store(hello.Seq)
	m.mu.Lock()
	m.conns[c] = struct{}{}
	relayed := m.up != nil && id != "" && token != ""
	m.mu.Unlock()
	if relayed {
		c.reports, c.down = make(chan []byte, 64), make(chan []byte, 16)
		go m.relay(c, hello, id, token, addr)
	}
	defer func() {
		m.mu.Lock()
		delete(m.conns, c)
		m.mu.Unlock()
		c.close()
	}()
	go c.readReports()
	m.feedConn(c, hello)
}

// readReports reads the totem's frames until the link ends. Acks and
// reports are the portal's business: passed up when the mirror relays the
// totem (dropped if the link up is behind), read and dropped otherwise, so
// that pongs and the close are seen.
func (c *mirrorConn) readReports() {
	defer c.close()
	for {
		c.ws.SetReadDeadline(time.Now().Add(deadAfter))
		typ, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		if c.reports == nil || typ != websocket.TextMessage {
			continue
		}
		c.noteReport(data)
		select {
		case c.reports <- data:
		default:
		}
	}
}

// feedConn sends the totem the head, the snapshot if it needs one and the
// kept envelopes past what it has, then what comes live, until the link
// ends.
func (m *Mirror) feedConn(c *mirrorConn, hello totemMsg) {
	snap, envs, head := m.plan(hello)
	if head == nil {
		return
	}
	out := &mirrorOut{ws: c.ws, sent: hello.Seq}
	if err := out.write(head); err != nil {
		return
	}
	if snap != nil {
		if err := m.sendSnapshot(c.ws, snap); err != nil {
			return
		}
		out.sent = snap.state.Seq
	}
	if err := out.sendKept(envs); err != nil {
		return
	}
	m.live(c, out)
}

// live passes on the frames that come (heads as they are, batches in
// order, what was missed from the kept envelopes), the portal's commands
// and answers when relayed, and pings, until the link ends.
func (m *Mirror) live(c *mirrorConn, out *mirrorOut) {
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		select {
		case f := <-c.send:
			switch {
			case f.last == 0: // a head
			case f.last <= out.sent:
				continue
			case f.first != out.sent+1: // missed some: what is kept
				if err := out.sendKept(m.kept()); err != nil {
					return
				}
				continue
			default:
				out.sent = f.last
			}
			if err := out.write(f.data); err != nil {
				return
			}
		case data := <-c.down: // nil unless relayed: never ready
			if err := out.write(data); err != nil {
				return
			}
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeTimeout)); err != nil {
				return
			}
		case <-c.done:
			return
		}
	}
}

// mirrorOut writes to one totem and remembers the last sequence sent.
type mirrorOut struct {
	ws   *websocket.Conn
	sent int64
}

func (o *mirrorOut) write(data []byte) error {
	o.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return o.ws.WriteMessage(websocket.BinaryMessage, data)
}

// sendKept sends the kept envelopes past what was sent, read from disk.
func (o *mirrorOut) sendKept(envs []mirrorEnv) error {
	for _, e := range envs {
		if e.last <= o.sent {
			continue
		}
		data, err := os.ReadFile(e.path)
		if err != nil {
			return err
		}
		if err := o.write(data); err != nil {
			return err
		}
		o.sent = e.last
	}
	return nil
}

// sendSnapshot sends the kept manifest, then the file in data frames.
func (m *Mirror) sendSnapshot(ws *websocket.Conn, snap *mirrorSnap) error {
	f, err := os.Open(m.snapshotPath())
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // read only
	ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	if err := ws.WriteMessage(websocket.BinaryMessage, snap.manifest); err != nil {
		return err
	}
	buf := make([]byte, 1+chunkSize)
	buf[0] = frameData
	for {
		n, err := io.ReadFull(f, buf[1:])
		if n > 0 {
			ws.SetWriteDeadline(time.Now().Add(writeTimeout))
			if werr := ws.WriteMessage(websocket.BinaryMessage, buf[:1+n]); werr != nil {
				return werr
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// refusedOne counts a failed dial against its address and logs it, at
// most once a minute per address (the portal's limiter, syncThrottle).
func (m *Mirror) refusedOne(addr, why string) {
	if log, unlogged := m.refused.fail(addr, time.Now()); log {
		if len(why) > 200 {
			why = why[:200]
		}
		m.log.Warn("dial refused", "addr", addr, "why", why, "unlogged_since", unlogged)
	}
}

package relay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/websocket"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/fleet"
	"github.com/punto-totem/punto/internal/apierr"
)

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

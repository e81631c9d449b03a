package kiosk

import (
	"bufio"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content/feed"
)

// live pushes "the catalog changed" to the screens connected to this node
// (server-sent events), so that a page showing changed content redraws
// without a reload. Nothing about a screen is kept beyond its open stream.
type live struct {
	mu      sync.Mutex
	clients map[chan []byte]struct{}
	seq     int64
	closed  bool
}

func newLive(seq int64) *live { return &live{clients: map[chan []byte]struct{}{}, seq: seq} }

// notify sends a change to every screen.
func (l *live) notify(a feed.Affected) {
	l.mu.Lock()
	if a.Seq > l.seq {
		l.seq = a.Seq
	}
	l.mu.Unlock()
	l.send("change", a)
}

// send sends an event to every screen; a screen too slow to take it is
// dropped (its browser reconnects and refreshes).
func (l *live) send(event string, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		return
	}
	msg := []byte(fmt.Sprintf("event: %s\ndata: %s\n\n", event, data))
	l.mu.Lock()
	defer l.mu.Unlock()
	for ch := range l.clients {
		select {
		case ch <- msg:
		default:
			delete(l.clients, ch)
			close(ch)
		}
	}
}

func (l *live) subscribe() (chan []byte, int64, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, 0, false
	}
	ch := make(chan []byte, 16)
	l.clients[ch] = struct{}{}
	return ch, l.seq, true
}

func (l *live) unsubscribe(ch chan []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.clients[ch]; ok {
		delete(l.clients, ch)
		close(ch)
	}
}

// count is the number of screens connected now.
func (l *live) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}

// close ends every stream (at shutdown).
func (l *live) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	for ch := range l.clients {
		delete(l.clients, ch)
		close(ch)
	}
}

// liveKeepAlive is how often an idle stream carries a comment, so that
// proxies and the browser know it is alive.
const liveKeepAlive = 20 * time.Second

// liveStream serves /api/v1/live: first the sequence the node holds
// ("hello", so a screen that reconnects knows whether it missed
// something), then one "change" event per applied change.
func (s *Server) liveStream(c *fiber.Ctx) error {
	ch, seq, ok := s.live.subscribe()
	if !ok {
		return fiber.NewError(fiber.StatusServiceUnavailable, "shutting down")
	}
	c.Set(fiber.HeaderContentType, "text/event-stream")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Accel-Buffering", "no")
	conn := c.Context().Conn()
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer s.live.unsubscribe(ch)
		write := func(b []byte) bool {
			// The server's write timeout was set once for the response: a
			// stream extends it as it goes.
			conn.SetWriteDeadline(time.Now().Add(liveKeepAlive + 10*time.Second))
			if _, err := w.Write(b); err != nil {
				return false
			}
			return w.Flush() == nil
		}
		if !write([]byte(fmt.Sprintf("retry: 2000\nevent: hello\ndata: {\"seq\":%d}\n\n", seq))) {
			return
		}
		tick := time.NewTicker(liveKeepAlive)
		defer tick.Stop()
		for {
			select {
			case msg, ok := <-ch:
				if !ok || !write(msg) {
					return
				}
			case <-tick.C:
				if !write([]byte(": keep-alive\n\n")) {
					return
				}
			}
		}
	})
	return nil
}

package relay

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// totemConn is one connected totem.
type totemConn struct {
	id    string
	nonce string // of its hello: the welcome and heartbeats carry it back
	ws    *websocket.Conn
	send  chan *outMsg
	cmds  chan pendingCommand
	// answers are signed answers to the totem's asks, written by the feed
	// loop (the connection's one writer).
	answers chan []byte
	// asks are when the totem's latest asks came (read loop only).
	asks  []time.Time
	acked atomic.Int64 // last sequence the totem committed
	saved atomic.Int64 // last acked written to the registry
	// mirror: a mirror, which keeps the envelopes it is sent to pass them
	// on (signed to last MirrorTTL) and gets the portal's heads.
	mirror bool
	// relayed: the totem's link through a mirror, which feeds it: only
	// its reports come, and only commands and answers go.
	relayed bool

	once sync.Once
	done chan struct{}

	mu      sync.Mutex
	lastErr string
}

func (t *totemConn) close() {
	t.once.Do(func() {
		close(t.done)
		t.ws.Close() // the socket itself: a transfer under way stops too
	})
}

func (t *totemConn) isClosed() bool {
	select {
	case <-t.done:
		return true
	default:
		return false
	}
}

func (t *totemConn) setError(s string) {
	t.mu.Lock()
	t.lastErr = s
	t.mu.Unlock()
}

func (t *totemConn) takeError() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.lastErr
	t.lastErr = ""
	return s
}

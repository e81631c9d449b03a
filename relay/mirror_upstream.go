package relay

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

// MirrorUpstream is how a mirror reaches the portal on behalf of the
// totems it serves, so that they are on the portal's fleet and get its
// commands: the portal's feed URL, the mirror's own ID and token there,
// and how a wss:// portal is checked.
type MirrorUpstream struct {
	URL   string
	ID    string
	Token string
	TLS   *tls.Config
}

// relayMaxWait is the longest a mirror waits before dialling the portal
// again for a totem.
const relayMaxWait = 30 * time.Second

// maxRelayedFrame bounds what the portal sends down a relayed link:
// commands and answers, small and signed (the totem checks them).
const maxRelayedFrame = 256 << 10

// errRefused: the portal refused the totem's or the mirror's token.
var errRefused = errors.New("relay: the portal refused the relayed totem")

// SetUpstream makes the mirror relay its totems' reports to the portal
// and the portal's commands to them; call it before Handler serves.
func (m *Mirror) SetUpstream(u MirrorUpstream) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.up = &u
	m.dialer = websocket.Dialer{HandshakeTimeout: 15 * time.Second, Proxy: http.ProxyFromEnvironment, TLSClientConfig: u.TLS}
}

// relay keeps one totem's link to the portal while the totem is
// connected to the mirror, dialling again (with a growing wait) when it
// drops; it stops for good when the portal refuses the totem.
func (m *Mirror) relay(c *mirrorConn, hello totemMsg, id, token, addr string) {
	wait := time.Second
	for {
		start := time.Now()
		err := m.relayOnce(c, hello, id, token, addr)
		select {
		case <-c.done:
			return
		default:
		}
		if errors.Is(err, errRefused) {
			m.refusedOne(addr, fmt.Sprintf("the portal refused totem %q: %v", truncate(id, 128), err))
			return
		}
		m.log.Warn("mirror: relayed link to the portal ended", "totem", truncate(id, 128), "err", err)
		if time.Since(start) > relayMaxWait {
			wait = time.Second // it had been up: start the waits again
		}
		select {
		case <-c.done:
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, relayMaxWait)
		// The totem has acknowledged more since: the portal shows it.
		hello.Seq = max(hello.Seq, c.acked.Load())
	}
}

// relayOnce runs one relayed link until it or the totem's ends.
func (m *Mirror) relayOnce(c *mirrorConn, hello totemMsg, id, token, addr string) error {
	m.mu.Lock()
	up, dialer := *m.up, m.dialer
	m.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-c.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	hdr := http.Header{headerAuth: {"Bearer " + token}, headerTotem: {id},
		headerMirror: {up.ID}, headerMirrorToken: {up.Token}, headerMirrorFor: {addr}}
	ws, resp, err := dialer.DialContext(ctx, up.URL, hdr)
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusUnauthorized {
			return fmt.Errorf("%w: %v", errRefused, err)
		}
		return err
	}
	defer ws.Close()
	context.AfterFunc(ctx, func() { ws.Close() })
	hello.Mirror = false
	ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	if err := ws.WriteJSON(hello); err != nil {
		return err
	}
	m.log.Info("mirror: relaying a totem to the portal", "totem", truncate(id, 128), "addr", addr)
	// Down: the portal's commands and answers, each passed to the
	// totem's one writer (live's loop).
	errc := make(chan error, 1)
	go func() {
		ws.SetReadLimit(maxRelayedFrame)
		ws.SetPingHandler(func(data string) error {
			ws.SetReadDeadline(time.Now().Add(deadAfter))
			return ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(writeTimeout))
		})
		for {
			ws.SetReadDeadline(time.Now().Add(deadAfter))
			typ, data, err := ws.ReadMessage()
			if err != nil {
				errc <- err
				return
			}
			if typ != websocket.BinaryMessage {
				continue
			}
			select {
			case c.down <- data:
			case <-c.done:
				errc <- nil
				return
			}
		}
	}()
	// Up: what the totem says, as it said it.
	for {
		select {
		case msg := <-c.reports:
			ws.SetWriteDeadline(time.Now().Add(writeTimeout))
			if err := ws.WriteMessage(websocket.TextMessage, msg); err != nil {
				return err
			}
		case err := <-errc:
			return err
		case <-c.done:
			return nil
		}
	}
}

// noteReport reads what the mirror needs of a totem's text frame before
// passing it up: the sequence it acknowledges.
func (c *mirrorConn) noteReport(data []byte) {
	var m struct {
		Type string `json:"type"`
		Seq  int64  `json:"seq"`
	}
	if json.Unmarshal(data, &m) == nil && m.Type == "ack" && m.Seq > c.acked.Load() {
		c.acked.Store(m.Seq)
	}
}

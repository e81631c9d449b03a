package relay

import (
	"time"

	"github.com/gorilla/websocket"
	"github.com/punto-totem/punto/content/feed"
)

// A mirror (punto mirror) follows the portal like a totem and passes what
// it is sent on to the totems that follow it: the portal's own signed
// envelopes, which it cannot forge. So the envelopes a mirror is sent are
// signed to last MirrorTTL (a batch replayed later is refused by its
// sequence and hash chain all the same), and instead of heartbeats bound
// to its connection it gets the portal's heads, which bind to none and
// last a few beats.

// ttl is how long the envelopes sent to t stay valid.
func (h *Hub) ttl(t *totemConn) time.Duration {
	if t.mirror {
		return h.cfg.MirrorTTL
	}
	return h.cfg.TTL
}

// headTTL is how long a head stays valid: three beats, at least 90 s.
func (h *Hub) headTTL() time.Duration { return max(3*h.cfg.Beat, 90*time.Second) }

// forMirrors prepares a live batch for mirrors, if any is connected.
func (h *Hub) forMirrors(fb *feed.Batch) *outMsg {
	h.mu.Lock()
	any := false
	for _, t := range h.totems {
		any = any || t.mirror
	}
	h.mu.Unlock()
	if !any {
		return nil
	}
	pm, err := websocket.NewPreparedMessage(websocket.BinaryMessage, h.signed([][]byte{fb.Body}, h.cfg.MirrorTTL))
	if err != nil {
		h.cfg.Log.Error("prepare batch", "err", err)
		return nil
	}
	return &outMsg{first: fb.First, last: fb.Last, msg: pm}
}

// head sends a mirror the portal's head, signed, with the key records.
func (h *Hub) head(t *totemConn) error {
	if !t.mirror {
		return nil
	}
	head, err := feed.ReadState(h.ctx, h.cfg.Store)
	if err != nil {
		return err
	}
	now := h.cfg.Now()
	payload := feed.EncodeHead(now.Add(h.headTTL()), now, head.Seq, head.Epoch, h.cfg.KeyRecords)
	t.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return t.ws.WriteMessage(websocket.BinaryMessage, append([]byte{frameSigned}, feed.Sign(h.cfg.Key, payload)...))
}

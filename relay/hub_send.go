package relay

import (
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/gorilla/websocket"
	"github.com/punto-totem/punto/content/feed"
)

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
	beat := time.NewTicker(beatEvery(h.cfg.Beat, hello.BeatMS))
	defer beat.Stop()
	return h.link(t, sent, beat.C, t.send)
}

// link runs a totem's link until it ends: commands and answers as they
// come, and pings; with the feed (beat and send not nil), signed
// heartbeats and live batches, sent being the last sequence the totem
// has. A relayed totem gets the feed from its mirror, and nil for both.
func (h *Hub) link(t *totemConn, sent int64, beat <-chan time.Time, send <-chan *outMsg) (err error) {
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		select {
		case <-beat:
			if err := h.heartbeat(t); err != nil {
				return err
			}
			if err := h.head(t); err != nil {
				return err
			}
		case m := <-send:
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
			if err := sendAnswer(t, a); err != nil {
				return err
			}
		case <-ping.C:
			if err := h.pingTotem(t); err != nil {
				return err
			}
		case <-t.done:
			return nil
		}
	}
}

// sendAnswer writes a signed answer to an ask on the totem's link.
func sendAnswer(t *totemConn, a []byte) error {
	t.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return t.ws.WriteMessage(websocket.BinaryMessage, a)
}

// pingTotem pings the totem's link and keeps what it last reported.
func (h *Hub) pingTotem(t *totemConn) error {
	if err := t.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeTimeout)); err != nil {
		return err
	}
	h.persist(t)
	return nil
}

// relay serves a totem's link through a mirror: its pending commands,
// then commands and answers as they come, until the link ends. The feed
// is the mirror's to send.
func (h *Hub) relay(t *totemConn) error {
	if err := h.sendPending(t); err != nil {
		return err
	}
	return h.link(t, 0, nil, nil)
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

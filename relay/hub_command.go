package relay

import (
	"context"
	"fmt"
	"time"

	"github.com/gorilla/websocket"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/fleet"
)

// MaxCommandTTL bounds how long a command may wait for an offline totem.
const MaxCommandTTL = 24 * time.Hour

// Command signs a command for the totems it names, records it, and sends
// it to those connected now; the others get it when they connect, if it
// has not expired by then. Every named totem must be registered and not
// revoked.
func (h *Hub) Command(ctx context.Context, author string, cmd *fleet.Command, ttl time.Duration) error {
	if cmd.ID == "" {
		cmd.ID = fleet.NewCommandID()
	}
	cmd.Issued = h.cfg.Now().UTC()
	if err := cmd.Validate(); err != nil {
		return err
	}
	if ttl <= 0 || ttl > MaxCommandTTL {
		return &content.ValidationError{Field: "ttl_s", Reason: fmt.Sprintf("must be between 1 second and %s", MaxCommandTTL)}
	}
	ts, err := h.cfg.Fleet.Totems(ctx)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, t := range ts {
		known[t.ID] = !t.Revoked
	}
	for i, id := range cmd.Totems {
		if !known[id] {
			return &content.ValidationError{Field: "totems", Reason: fmt.Sprintf("totems[%d]: %q is not a registered, active totem", i, id)}
		}
	}
	expires := cmd.Issued.Add(ttl)
	payload, err := feed.EncodeCommand(expires, cmd)
	if err != nil {
		return err
	}
	signed := append([]byte{frameSigned}, feed.Sign(h.cfg.Key, payload)...)
	if err := h.cfg.Fleet.AddCommand(ctx, cmd, author, expires, signed); err != nil {
		return err
	}
	h.cfg.Log.Info("command issued", "id", cmd.ID, "action", cmd.Action, "totems", cmd.Totems, "author", author, "expires", expires)
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, id := range cmd.Totems {
		if t := h.totems[id]; t != nil {
			select {
			case t.cmds <- pendingCommand{id: cmd.ID, signed: signed}:
			default: // it gets the command when it reconnects
			}
		}
	}
	return nil
}

// Commands lists the latest commands with each totem's state.
func (h *Hub) Commands(ctx context.Context) ([]fleet.CommandRecord, error) {
	return h.cfg.Fleet.Commands(ctx, 50)
}

// pendingCommand is a signed command waiting to be written to one totem.
type pendingCommand struct {
	id     string
	signed []byte
}

// sendPending writes every command still waiting for the totem.
func (h *Hub) sendPending(t *totemConn) error {
	ids, signed, err := h.cfg.Fleet.PendingCommands(h.ctx, t.id, h.cfg.Now())
	if err != nil {
		return err
	}
	for i := range ids {
		if err := h.sendCommand(t, pendingCommand{id: ids[i], signed: signed[i]}); err != nil {
			return err
		}
	}
	return nil
}

func (h *Hub) sendCommand(t *totemConn, c pendingCommand) error {
	t.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	if err := t.ws.WriteMessage(websocket.BinaryMessage, c.signed); err != nil {
		return err
	}
	if err := h.cfg.Fleet.CommandReported(h.ctx, c.id, t.id, "sent", ""); err != nil {
		h.cfg.Log.Warn("record command", "id", c.id, "totem", t.id, "err", err)
	}
	return nil
}

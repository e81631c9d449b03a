package relay

import (
	"context"
	"time"

	"github.com/punto-totem/punto/fleet"
)

// needsPerMessage bounds one needs report (a message stays well under
// maxTotemMsg), and needsPerBeat the reports sent at one heartbeat.
const (
	needsPerMessage = 300
	needsPerBeat    = 20
	maxNeedsRows    = 1000
)

// needsResendWindow is how far back a new link reports the figures again,
// in case the last reports went down with the old link.
const needsResendWindow = 48 * time.Hour

// needsReported stores a totem's figures; a report with anything out of
// order is refused whole and logged.
func (h *Hub) needsReported(t *totemConn, counts []fleet.NeedsCount) {
	if len(counts) == 0 || len(counts) > maxNeedsRows {
		return
	}
	if err := h.cfg.Fleet.RecordNeeds(h.ctx, t.id, counts); err != nil {
		h.cfg.Log.Warn("needs report refused", "totem", t.id, "err", err)
	}
}

// reportNeeds sends the figures that changed since they were last sent.
func (c *Client) reportNeeds(ctx context.Context, sess *session) error {
	for range needsPerBeat {
		counts, err := c.cfg.Fleet.NeedsToReport(ctx, needsPerMessage)
		if err != nil || len(counts) == 0 {
			return err
		}
		if err := sess.write(totemMsg{Type: "needs", Counts: counts}); err != nil {
			return err
		}
		if err := c.cfg.Fleet.NeedsReported(ctx, counts); err != nil {
			return err
		}
		if len(counts) < needsPerMessage {
			return nil
		}
	}
	return nil
}

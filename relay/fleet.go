package relay

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/fleet"
)

// TotemState is how a totem stands, as the fleet view shows it.
type TotemState struct {
	fleet.Totem
	Online bool   `json:"online"` // reported within two heartbeat intervals
	Lag    int64  `json:"lag"`    // changes it has yet to acknowledge
	Flag   string `json:"flag"`   // "", "offline" or "behind"
	// Territories are those whose polygon holds the totem.
	Territories []string `json:"territories"`
}

// fleetWatch watches the totems' heartbeats and says when one changes state.
type fleetWatch struct {
	h      *Hub
	client *http.Client

	mu     sync.Mutex
	flags  map[string]string    // the state each totem was last announced in
	behind map[string]time.Time // since when each has been behind
}

func newFleet(h *Hub) *fleetWatch {
	return &fleetWatch{h: h, client: &http.Client{Timeout: 10 * time.Second}, flags: map[string]string{}, behind: map[string]time.Time{}}
}

// State lists every registered totem with its fleet state.
func (h *Hub) State(ctx context.Context) ([]TotemState, error) {
	return h.fleet.states(ctx, h.cfg.Now())
}

func (f *fleetWatch) states(ctx context.Context, now time.Time) ([]TotemState, error) {
	ts, err := f.h.cfg.Fleet.Totems(ctx)
	if err != nil {
		return nil, err
	}
	head, err := feed.ReadState(ctx, f.h.cfg.Store)
	if err != nil {
		return nil, err
	}
	terrs := make([][]string, len(ts))
	for i, t := range ts {
		in, err := f.h.cfg.Store.TerritoriesAt(ctx, t.Point)
		if err != nil {
			return nil, err
		}
		terrs[i] = []string{}
		for _, tr := range in {
			terrs[i] = append(terrs[i], tr.ID)
		}
	}
	connected := f.h.Connected()
	window := 2 * f.h.cfg.Heartbeat
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]TotemState, 0, len(ts))
	for i, t := range ts {
		st := TotemState{Totem: t, Lag: max(0, head.Seq-t.Seq), Territories: terrs[i]}
		if acked, ok := connected[t.ID]; ok {
			st.Lag = max(0, head.Seq-acked)
		}
		st.Online = !t.Revoked && !t.LastSeen.IsZero() && now.Sub(t.LastSeen) <= window
		switch {
		case t.Revoked:
			delete(f.behind, t.ID)
		case !st.Online:
			st.Flag = "offline"
		case st.Lag > 0:
			since, ok := f.behind[t.ID]
			if !ok {
				f.behind[t.ID] = now
			} else if now.Sub(since) > window {
				st.Flag = "behind"
			}
		default:
			delete(f.behind, t.ID)
		}
		out = append(out, st)
	}
	return out, nil
}

// watch checks the fleet every half interval and announces each change
// of state, once, to the webhook.
func (f *fleetWatch) watch(ctx context.Context) {
	tick := time.NewTicker(f.h.cfg.Heartbeat / 2)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		f.check(ctx)
	}
}

// check announces each change of a totem's state since the last check,
// once, to the webhook.
func (f *fleetWatch) check(ctx context.Context) {
	states, err := f.states(ctx, f.h.cfg.Now())
	if err != nil {
		return
	}
	for _, st := range states {
		if st.Revoked || st.LastSeen.IsZero() {
			continue
		}
		state := st.Flag
		if state == "" {
			state = "ok"
		}
		f.mu.Lock()
		prev, known := f.flags[st.ID]
		f.flags[st.ID] = state
		f.mu.Unlock()
		if !known && state == "ok" || prev == state {
			continue
		}
		f.h.cfg.Log.Warn("totem state changed", "totem", st.ID, "state", state, "was", prev, "lag", st.Lag)
		f.announce(ctx, st, state, prev)
	}
}

func (f *fleetWatch) announce(ctx context.Context, st TotemState, state, prev string) {
	if f.h.cfg.Webhook == "" {
		return
	}
	body, _ := json.Marshal(map[string]any{
		"totem": st.ID, "name": st.Name, "state": state, "previous": prev,
		"lag": st.Lag, "last_seen": st.LastSeen, "at": f.h.cfg.Now().UTC(),
	})
	req, err := http.NewRequestWithContext(ctx, "POST", f.h.cfg.Webhook, bytes.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := f.client.Do(req)
	if err != nil {
		f.h.cfg.Log.Warn("webhook", "err", err)
		return
	}
	res.Body.Close()
	if res.StatusCode >= 300 {
		f.h.cfg.Log.Warn("webhook refused", "status", res.StatusCode)
	}
}

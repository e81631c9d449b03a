package relay

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/punto-totem/punto/internal/apierr"
)

// askTimeout bounds the portal's work on one ask; a totem may ask
// maxAsks times a minute (its screens ask who is reachable at most every
// half minute, and forward at most --callbacks-per-hour call-backs: a
// totem asking more is not behaving).
const (
	askTimeout = 5 * time.Second
	maxAsks    = 30
)

// askAllowed counts an ask against the totem's minute.
func (t *totemConn) askAllowed(now time.Time) bool {
	t.asks = slices.DeleteFunc(t.asks, func(at time.Time) bool { return now.Sub(at) >= time.Minute })
	if len(t.asks) >= maxAsks {
		return false
	}
	t.asks = append(t.asks, now)
	return true
}

// asked answers a totem's ask: it runs on the totem's read loop, so a
// totem's asks are answered one at a time, and the answer goes out with
// the feed's writes. What the ask carries is never logged.
func (h *Hub) asked(t *totemConn, m totemMsg) {
	if m.ID == "" || len(m.ID) > 64 || m.Ask == nil {
		return
	}
	ctx, cancel := context.WithTimeout(h.ctx, askTimeout)
	defer cancel()
	a := answerMsg{Nonce: t.nonce, ID: m.ID, Expires: h.cfg.Now().Add(answerTTL).UTC()}
	if err := h.answer(ctx, t, m.Ask, &a); err != nil {
		var e *apierr.Error
		if !errors.As(err, &e) {
			h.cfg.Log.Warn("a totem's ask failed", "totem", t.id, "kind", m.Ask.Kind, "err", err)
			e = apierr.Unavailable("the portal could not answer")
		}
		a.Status, a.Error, a.Reach = e.Status, e, nil
	}
	frame, err := signAnswer(h.cfg.Key, a)
	if err != nil {
		return
	}
	select {
	case t.answers <- frame:
	default: // the totem asks faster than it reads: it times out
	}
}

func (h *Hub) answer(ctx context.Context, t *totemConn, ask *Ask, a *answerMsg) error {
	if h.cfg.Desk == nil {
		return apierr.Unavailable("this portal takes no call-backs")
	}
	if !t.askAllowed(time.Now()) {
		return apierr.RateLimited(60)
	}
	territory, err := h.territoryOf(ctx, t.id)
	if err != nil {
		return err
	}
	switch ask.Kind {
	case AskReach:
		r, err := h.cfg.Desk.Reach(ctx, territory)
		if err != nil {
			return err
		}
		a.Status, a.Reach = 200, r
	case AskCallback:
		if ask.Callback == nil {
			return apierr.BadRequest("callback", "is missing")
		}
		if err := h.cfg.Desk.Callback(ctx, territory, t.id, *ask.Callback); err != nil {
			return err
		}
		a.Status = 202
		h.cfg.Log.Info("call-back queued from a totem", "totem", t.id, "territory", territory)
	default:
		return apierr.BadRequest("kind", fmt.Sprintf("%q is not one of %s, %s", ask.Kind, AskReach, AskCallback))
	}
	return nil
}

// territoryOf is the territory a totem stands in, by where it was
// registered: its call-backs go to that territory's queue.
func (h *Hub) territoryOf(ctx context.Context, id string) (string, error) {
	ts, err := h.cfg.Fleet.Totems(ctx)
	if err != nil {
		return "", err
	}
	for _, tt := range ts {
		if tt.ID != id {
			continue
		}
		in, err := h.cfg.Store.TerritoriesAt(ctx, tt.Point)
		if err != nil {
			return "", err
		}
		if len(in) == 0 {
			return "", apierr.BadRequest("territory", "this totem stands in no territory of the catalog")
		}
		return in[0].ID, nil
	}
	return "", apierr.Forbidden("unknown totem")
}

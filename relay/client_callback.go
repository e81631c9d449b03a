package relay

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/punto-totem/punto/internal/apierr"
)

// A totem's asks on behalf of its visitors. What an ask carries (a phone
// number) lives only in memory: in the message written to the link, and
// in the caller's hands until the portal's signed answer comes. Nothing of
// it is logged or stored.

// Reach asks the portal who is reachable from this totem's territory.
// ErrOffline when there is no link or no answer before ctx ends.
func (c *Client) Reach(ctx context.Context) (*Reach, error) {
	a, err := c.ask(ctx, Ask{Kind: AskReach})
	if err != nil {
		return nil, err
	}
	if a.Reach == nil {
		return nil, fmt.Errorf("%w: an answer without its reach", ErrOffline)
	}
	return a.Reach, nil
}

// Callback forwards a visitor's call-back to the portal and returns once
// the portal has queued it. A refusal is the portal's *apierr.Error (400
// naming the field, 429); ErrOffline when there is no link or no answer
// before ctx ends.
func (c *Client) Callback(ctx context.Context, ask CallbackAsk) error {
	_, err := c.ask(ctx, Ask{Kind: AskCallback, Callback: &ask})
	return err
}

func (c *Client) ask(ctx context.Context, ask Ask) (*answerMsg, error) {
	c.mu.Lock()
	sess := c.live
	c.mu.Unlock()
	if sess == nil {
		return nil, ErrOffline
	}
	id := rand.Text()
	ch := make(chan *answerMsg, 1)
	sess.amu.Lock()
	sess.asks[id] = ch
	sess.amu.Unlock()
	defer func() {
		sess.amu.Lock()
		delete(sess.asks, id)
		sess.amu.Unlock()
	}()
	if err := sess.write(totemMsg{Type: "ask", ID: id, Ask: &ask}); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrOffline, err)
	}
	select {
	case a := <-ch:
		if a.Error != nil {
			e := *a.Error
			e.Status = a.Status
			return nil, &e
		}
		if a.Status >= 300 {
			return nil, &apierr.Error{Status: a.Status, Code: "refused", Message: "the portal refused the request"}
		}
		return a, nil
	case <-sess.done:
		return nil, fmt.Errorf("%w: the link went down", ErrOffline)
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: no answer in time", ErrOffline)
	}
}

// answered takes a signed answer from the portal to the ask waiting for
// it; one that does not check, or that nobody waits for, is dropped.
func (c *Client) answered(sess *session, frame []byte) {
	a, err := openAnswer(c.cfg.PortalKey, sess.nonce, frame, c.cfg.Now().Add(sess.clockSkew()))
	if err != nil {
		c.cfg.Log.Warn("an answer from the portal dropped", "err", err)
		return
	}
	sess.amu.Lock()
	ch := sess.asks[a.ID]
	sess.amu.Unlock()
	if ch != nil {
		select {
		case ch <- a:
		default:
		}
	}
}

// Online says whether the portal can be asked now: a welcomed link is up.
func (c *Client) Online() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.live != nil
}

// welcomed makes sess the connection asks go to.
func (c *Client) welcomed(sess *session) {
	c.mu.Lock()
	c.live = sess
	c.mu.Unlock()
}

// ended tells the asks waiting on sess that it is gone.
func (c *Client) ended(sess *session) {
	c.mu.Lock()
	if c.live == sess {
		c.live = nil
	}
	c.mu.Unlock()
	close(sess.done)
}

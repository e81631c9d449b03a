package relay

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/fleet"
)

// command carries out a signed command from the portal, once. One that
// does not name this totem is refused and reported; one already carried
// out is acknowledged again and not repeated. The link stays up either way.
func (c *Client) command(ctx context.Context, sess *session, env *feed.Envelope, cmd *fleet.Command) error {
	if !cmd.For(c.cfg.TotemID) {
		c.refuse(sess, &feed.RejectError{Reason: "not_addressed", Detail: fmt.Sprintf("command %s is for %v, not this totem", cmd.ID, cmd.Totems)}, cmd.ID)
		return nil
	}
	already, err := c.cfg.Fleet.CommandSeen(ctx, cmd.ID, env.Expires)
	if err != nil {
		return err
	}
	if already {
		c.cfg.Log.Info("command already carried out", "id", cmd.ID, "action", cmd.Action)
		return sess.write(totemMsg{Type: "done", ID: cmd.ID})
	}
	c.cfg.Log.Info("command from the portal", "id", cmd.ID, "action", cmd.Action)
	var failed string
	switch {
	case cmd.Action == fleet.CommandRestart:
	case c.cfg.OnCommand == nil:
		failed = "this totem has no screen to carry it out"
	default:
		if err := c.cfg.OnCommand(*cmd); err != nil {
			failed = err.Error()
		}
	}
	if err := sess.write(totemMsg{Type: "done", ID: cmd.ID, Detail: failed}); err != nil {
		return err
	}
	if cmd.Action == fleet.CommandRestart {
		c.restartOnce.Do(func() { close(c.restart) })
	}
	return nil
}

// openCommand reads the command a signed envelope carries and checks it:
// one that does not hold is refused like any invalid envelope.
func openCommand(env *feed.Envelope) (*fleet.Command, error) {
	var cmd fleet.Command
	err := json.Unmarshal(env.Command, &cmd)
	if err == nil {
		err = cmd.Validate()
	}
	if err != nil {
		return nil, &feed.RejectError{Reason: "invalid", Detail: fmt.Sprintf("command: %v", err)}
	}
	return &cmd, nil
}

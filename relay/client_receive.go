package relay

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/fleet"
)

// handle checks and applies one signed envelope. A refused one is
// reported to the portal; for anything but a replay the link is dropped,
// so that the next one starts from what the totem holds.
func (c *Client) handle(ctx context.Context, ws *websocket.Conn, sess *session, signed []byte) (bool, error) {
	now := c.cfg.Now().Add(sess.clockSkew())
	var keys feed.Verifier = feed.Key(c.cfg.PortalKey)
	if c.cfg.Keyring != nil {
		keys = c.cfg.Keyring
		if !sess.welcomed {
			c.learnKeys(feed.PeekKeys(signed))
		}
	}
	env, err := feed.OpenEnvelopeWith(keys, signed, now)
	var st feed.State
	var affected feed.Affected
	if err == nil {
		switch env.Type {
		case feed.EnvelopeWelcome:
			return c.welcome(ctx, sess, env)
		case feed.EnvelopeHeartbeat:
			return false, c.heartbeatFrom(ctx, sess, env)
		case feed.EnvelopeHead:
			return c.headFrom(ctx, sess, env, signed)
		case feed.EnvelopeCommand:
			var cmd *fleet.Command
			if cmd, err = openCommand(env); err == nil {
				return false, c.command(ctx, sess, env, cmd)
			}
		case feed.EnvelopeBatches:
			bodies := env.Bodies()
			c.cfg.Log.Info("applying batches", "batches", len(bodies))
			st, err = feed.ApplyBatches(ctx, c.cfg.Store, bodies)
			affected = feed.AffectedBy(st.Seq, bodies)
			if err == nil && c.cfg.Mirror != nil {
				c.cfg.Mirror.keepBatches(signed, bodies, st)
			}
		case feed.EnvelopeSnapshot:
			st, err = c.receiveSnapshot(ctx, ws, env.Snapshot, signed)
			affected = feed.Affected{Seq: st.Seq, All: true}
		}
	}
	var ac *content.AfterCommitError
	if errors.As(err, &ac) {
		// Committed: acknowledged; the screens' index catches up at the
		// next write or restart.
		c.cfg.Log.Error("applied, but the index did not follow", "err", err)
		err = nil
	}
	var re *feed.RejectError
	if errors.As(err, &re) {
		c.refuse(sess, re)
		if re.Reason == "replay" {
			return false, nil
		}
		return false, re
	}
	if err != nil {
		return false, err
	}
	sess.head = max(sess.head, st.Seq)
	c.fresh(st.Seq)
	c.cfg.Metrics.appliedOne(st.Seq, sess.head)
	if err := sess.write(totemMsg{Type: "ack", Seq: st.Seq}); err != nil {
		return true, err
	}
	c.update(func(s *Status) { s.Synced, s.Seq, s.LastSync, s.LastError = true, st.Seq, time.Now(), "" })
	c.cfg.Log.Info("applied", "seq", st.Seq)
	if c.cfg.OnApplied != nil {
		c.cfg.OnApplied(affected)
	}
	return true, nil
}

// learnKeys takes the key records a welcome carries: they check by the
// pinned root key's signature, whatever the welcome's own.
func (c *Client) learnKeys(recs []feed.SignedKeyRecord) {
	if len(recs) == 0 {
		return
	}
	n, err := c.cfg.Keyring.Learn(recs)
	if err != nil {
		c.cfg.Log.Warn("the portal's key records were not taken", "err", err)
		return
	}
	if n > 0 {
		c.cfg.Log.Info("the portal's keys changed", "records", n, "believed", c.cfg.Keyring.Believed(c.cfg.Now()))
	}
}

// welcome takes the portal's answer to the hello: its clock, from now on
// the one expiries are checked against, and its sequence.
func (c *Client) welcome(ctx context.Context, sess *session, env *feed.Envelope) (bool, error) {
	if env.Type == feed.EnvelopeWelcome && env.Nonce != sess.nonce {
		re := &feed.RejectError{Reason: "replay", Detail: "a welcome for another connection"}
		return false, re
	}
	skew := env.Now.Sub(c.cfg.Now())
	sess.skew.Store(int64(skew))
	if skew > time.Minute || skew < -time.Minute {
		c.cfg.Log.Warn("this totem's clock is wrong: following the portal's", "portal_ahead_by", skew.Round(time.Second))
	}
	st, err := feed.ReadState(ctx, c.cfg.Store)
	if err != nil {
		return false, err
	}
	if env.Epoch < st.Epoch {
		// A portal restored from an older copy that did not start a new
		// epoch, or an old one replayed: nothing of it is taken.
		re := &feed.RejectError{Reason: "stale_epoch", Detail: fmt.Sprintf("the portal's feed epoch %d is older than this totem's %d", env.Epoch, st.Epoch)}
		c.refuse(sess, re)
		return false, re
	}
	if env.Epoch > st.Epoch {
		c.cfg.Log.Info("the portal started a new feed epoch: taking its snapshot", "epoch", env.Epoch, "was", st.Epoch, "seq", st.Seq, "portal_seq", env.Head)
	}
	sess.head, sess.epoch = env.Head, env.Epoch
	sess.welcomed = true
	c.welcomed(sess)
	sess.ws.SetReadLimit(maxEnvelope) // the portal is who it says
	c.fresh(env.Head)
	c.cfg.Metrics.setLag(st.Seq, sess.head)
	inStep := st.Seq >= env.Head && st.Epoch == env.Epoch
	c.update(func(s *Status) {
		s.ClockSkew = skew.Seconds()
		if inStep {
			s.Synced, s.LastSync = true, time.Now()
		}
	})
	return inStep, nil
}

// headFrom takes the portal's head, passed on by a mirror (or sent to
// this mirror): the first stands for the welcome, the next ones for
// heartbeats. A mirror keeps the latest to pass it on.
func (c *Client) headFrom(ctx context.Context, sess *session, env *feed.Envelope, signed []byte) (bool, error) {
	if c.cfg.Mirror != nil {
		c.cfg.Mirror.setHead(signed)
	}
	if !sess.welcomed {
		return c.welcome(ctx, sess, env)
	}
	if env.Epoch != sess.epoch {
		return false, &feed.RejectError{Reason: "stale_epoch", Detail: "the feed's epoch changed on a live link"}
	}
	st, err := feed.ReadState(ctx, c.cfg.Store)
	if err != nil {
		return false, err
	}
	sess.head = max(sess.head, env.Head)
	c.cfg.Metrics.setLag(st.Seq, sess.head)
	c.fresh(env.Head)
	return false, nil
}

// heartbeatFrom takes the portal's signed word that it is alive: it must
// be for this connection, after its welcome.
func (c *Client) heartbeatFrom(ctx context.Context, sess *session, env *feed.Envelope) error {
	if env.Nonce != sess.nonce || !sess.welcomed {
		c.refuse(sess, &feed.RejectError{Reason: "replay", Detail: "a heartbeat for another connection"})
		return nil
	}
	st, err := feed.ReadState(ctx, c.cfg.Store)
	if err != nil {
		return err
	}
	sess.head = max(sess.head, env.Head)
	c.cfg.Metrics.setLag(st.Seq, sess.head)
	c.fresh(env.Head)
	return nil
}

// refuse reports a refused message to the portal (with the ID of the
// command it was, if any).
func (c *Client) refuse(sess *session, re *feed.RejectError, command ...string) {
	c.cfg.Metrics.rejectedOne(re.Reason)
	c.cfg.Log.Warn("refused a message from the portal", "reason", re.Reason, "detail", re.Detail)
	c.update(func(s *Status) { s.LastError = re.Error() })
	m := totemMsg{Type: "reject", Reason: re.Reason, Detail: re.Detail}
	if len(command) > 0 {
		m.ID = command[0]
	}
	if err := sess.write(m); err != nil {
		c.cfg.Log.Warn("could not tell the portal of the refusal", "err", err)
	}
}

// receiveSnapshot reads the snapshot file that follows its manifest into a
// file beside the catalog, then applies it.
func (c *Client) receiveSnapshot(ctx context.Context, ws *websocket.Conn, m *feed.SnapshotManifest, signed []byte) (feed.State, error) {
	want, sum, err := m.State()
	if err != nil {
		return want, err
	}
	if m.Size > c.cfg.MaxSnapshot {
		return want, &feed.RejectError{Reason: "invalid", Detail: fmt.Sprintf("a snapshot of %d bytes, more than this totem takes (%d)", m.Size, c.cfg.MaxSnapshot)}
	}
	var fs syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(c.cfg.Store.Path()), &fs); err == nil && fs.Bavail*uint64(fs.Bsize) < 2*uint64(m.Size) {
		return want, fmt.Errorf("relay: no room for a snapshot of %d bytes: %d free", m.Size, fs.Bavail*uint64(fs.Bsize))
	}
	ws.SetReadLimit(maxDataFrame)
	defer ws.SetReadLimit(maxEnvelope)
	path := c.cfg.Store.Path() + ".snapshot"
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return want, err
	}
	defer os.Remove(path)
	var got int64
	for got < m.Size {
		typ, data, err := readMessage(ws)
		if err != nil {
			return want, errors.Join(err, f.Close())
		}
		if typ != websocket.BinaryMessage || len(data) == 0 || data[0] != frameData || got+int64(len(data)-1) > m.Size {
			return want, errors.Join(&feed.RejectError{Reason: "invalid", Detail: "snapshot data does not match its manifest"}, f.Close())
		}
		if _, err := f.Write(data[1:]); err != nil {
			return want, errors.Join(err, f.Close())
		}
		got += int64(len(data) - 1)
	}
	if err := f.Close(); err != nil {
		return want, err
	}
	kept := ""
	if c.cfg.Mirror != nil {
		// The file as the portal signed it, to pass on: checking it
		// opens it for writing.
		kept = path + ".mirror"
		if err := copyFile(path, kept); err != nil {
			return want, err
		}
		defer os.Remove(kept)
	}
	c.cfg.Log.Info("applying snapshot", "seq", want.Seq, "bytes", m.Size)
	ctx, cancel := context.WithTimeout(ctx, c.cfg.SnapshotBudget)
	defer cancel()
	if err := feed.ApplySnapshot(ctx, c.cfg.Store, path, sum, want); err != nil {
		return want, err
	}
	if c.cfg.Mirror != nil {
		c.cfg.Mirror.keepSnapshot(signed, kept, want)
	}
	return want, nil
}

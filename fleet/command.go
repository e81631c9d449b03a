package fleet

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/punto-totem/punto/content"
)

// Command is an order from the portal to the totems it names, signed like
// the feed's batches and valid until its envelope expires (the feed's
// envelope carries it as it is encoded here).
type Command struct {
	ID     string    `json:"id"`
	Action string    `json:"action"` // reload, message or restart
	Totems []string  `json:"totems"`
	Issued time.Time `json:"issued"`
	// A message shows on the screen for Minutes, in the visitor's language
	// when Text has it.
	Text    content.Text `json:"text,omitempty"`
	Minutes int          `json:"minutes,omitempty"`
}

// The command actions.
const (
	CommandReload  = "reload"  // reload the screen (it starts afresh at the attract screen)
	CommandMessage = "message" // show a message on the screen now, for some minutes
	CommandRestart = "restart" // restart the service: it exits cleanly and its supervisor starts it
)

// MaxCommandMinutes bounds how long a message shows.
const MaxCommandMinutes = 24 * 60

// Validate checks a command before it is signed, and again when a totem
// opens it.
func (c *Command) Validate() error {
	if !content.ValidID(c.ID) {
		return &content.ValidationError{Field: "id", Reason: fmt.Sprintf("%q is not a valid id", c.ID)}
	}
	if len(c.Totems) == 0 {
		return &content.ValidationError{Field: "totems", Reason: "names no totem"}
	}
	for i, id := range c.Totems {
		if !content.ValidID(id) {
			return &content.ValidationError{Field: "totems", Reason: fmt.Sprintf("totems[%d]: %q is not a valid id", i, id)}
		}
	}
	switch c.Action {
	case CommandReload, CommandRestart:
		if len(c.Text) > 0 || c.Minutes != 0 {
			return &content.ValidationError{Field: "action", Reason: fmt.Sprintf("a %s command carries no text or minutes", c.Action)}
		}
	case CommandMessage:
		if err := content.ValidText("text", c.Text, true); err != nil {
			return err
		}
		if c.Minutes < 1 || c.Minutes > MaxCommandMinutes {
			return &content.ValidationError{Field: "minutes", Reason: fmt.Sprintf("must be between 1 and %d", MaxCommandMinutes)}
		}
	default:
		return &content.ValidationError{Field: "action", Reason: fmt.Sprintf("%q is not reload, message or restart", c.Action)}
	}
	return nil
}

// For reports whether the command names the totem id.
func (c *Command) For(id string) bool { return slices.Contains(c.Totems, id) }

// NewCommandID returns a fresh random command ID.
func NewCommandID() string { return "cmd-" + rand.Text() }

// CommandRecord is a command as the portal keeps it, with where each
// totem stands with it.
type CommandRecord struct {
	Command
	Author  string          `json:"author"`
	Created time.Time       `json:"created"`
	Expires time.Time       `json:"expires"`
	Targets []CommandTarget `json:"targets"`
}

// CommandTarget is one totem's state with a command: pending (not sent
// yet), sent, done, failed, refused (the totem would not take it) or
// expired (it lapsed before the totem took it).
type CommandTarget struct {
	Totem  string    `json:"totem"`
	State  string    `json:"state"`
	At     time.Time `json:"at"`
	Detail string    `json:"detail,omitempty"`
}

// AddCommand records a signed command and a pending delivery to each totem
// it names (portal only).
func (s *Store) AddCommand(ctx context.Context, c *Command, author string, expires time.Time, signed []byte) error {
	doc, err := json.Marshal(c)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO command(id, action, author, created_at, expires_at, doc, signed) VALUES (?, ?, ?, ?, ?, ?, ?)",
			c.ID, c.Action, author, now, expires.UTC().Format(time.RFC3339Nano), string(doc), signed); err != nil {
			return fmt.Errorf("fleet: command %s: %w", c.ID, err)
		}
		for _, id := range c.Totems {
			if _, err := tx.ExecContext(ctx, "INSERT INTO command_target(command_id, totem_id, at) VALUES (?, ?, ?)", c.ID, id, now); err != nil {
				return fmt.Errorf("fleet: command %s: %w", c.ID, err)
			}
		}
		return nil
	})
}

// PendingCommands returns the signed commands a totem has not carried out
// yet and that are still valid at now, oldest first (portal only).
func (s *Store) PendingCommands(ctx context.Context, totemID string, now time.Time) (ids []string, signed [][]byte, err error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT c.id, c.signed FROM command c JOIN command_target t ON t.command_id = c.id
		WHERE t.totem_id = ? AND t.state IN ('pending', 'sent') AND c.expires_at > ? ORDER BY c.created_at, c.id`,
		totemID, now.UTC().Format(time.RFC3339Nano))
	if err != nil {
		return nil, nil, fmt.Errorf("fleet: pending commands: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var b []byte
		if err := rows.Scan(&id, &b); err != nil {
			return nil, nil, err
		}
		ids, signed = append(ids, id), append(signed, b)
	}
	return ids, signed, rows.Err()
}

// CommandReported moves a totem's delivery of a command to state (sent,
// done, failed or refused). Only a command that names the totem and that
// it has not finished with moves: a totem cannot make the portal write
// anything else.
func (s *Store) CommandReported(ctx context.Context, commandID, totemID, state, detail string) error {
	if len(detail) > 300 {
		detail = detail[:300]
	}
	from := []any{"pending", "sent"}
	if state == "sent" {
		from = []any{"pending", "pending"}
	}
	_, err := s.db.W.ExecContext(ctx, `UPDATE command_target SET state = ?, at = ?, detail = ?
		WHERE command_id = ? AND totem_id = ? AND state IN (?, ?)`,
		state, time.Now().UTC().Format(time.RFC3339Nano), detail, commandID, totemID, from[0], from[1])
	if err != nil {
		return fmt.Errorf("fleet: command %s: %w", commandID, err)
	}
	return nil
}

// Commands lists the latest commands, newest first, with each totem's
// state (portal only).
func (s *Store) Commands(ctx context.Context, limit int) ([]CommandRecord, error) {
	rows, err := s.db.R.QueryContext(ctx, "SELECT id, author, created_at, expires_at, doc FROM command ORDER BY created_at DESC, id LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("fleet: commands: %w", err)
	}
	out := []CommandRecord{}
	for rows.Next() {
		var r CommandRecord
		var id, created, expires, doc string
		if err := rows.Scan(&id, &r.Author, &created, &expires, &doc); err != nil {
			rows.Close()
			return nil, err
		}
		if err := json.Unmarshal([]byte(doc), &r.Command); err != nil {
			rows.Close()
			return nil, fmt.Errorf("fleet: command %s: %w", id, err)
		}
		r.Created, _ = time.Parse(time.RFC3339Nano, created)
		r.Expires, _ = time.Parse(time.RFC3339Nano, expires)
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	now := time.Now()
	for i := range out {
		if out[i].Targets, err = s.commandTargets(ctx, out[i].ID, now.After(out[i].Expires)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) commandTargets(ctx context.Context, id string, lapsed bool) ([]CommandTarget, error) {
	rows, err := s.db.R.QueryContext(ctx, "SELECT totem_id, state, at, detail FROM command_target WHERE command_id = ? ORDER BY totem_id", id)
	if err != nil {
		return nil, fmt.Errorf("fleet: command %s: %w", id, err)
	}
	defer rows.Close()
	var out []CommandTarget
	for rows.Next() {
		var t CommandTarget
		var at string
		if err := rows.Scan(&t.Totem, &t.State, &at, &t.Detail); err != nil {
			return nil, err
		}
		t.At, _ = time.Parse(time.RFC3339Nano, at)
		if lapsed && (t.State == "pending" || t.State == "sent") {
			t.State = "expired"
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// CommandSeen records that a totem has taken a command, and reports whether
// it had already (totem only). The record lasts until the command expires,
// after which no copy of it can be valid anyway.
func (s *Store) CommandSeen(ctx context.Context, id string, expires time.Time) (already bool, err error) {
	now := time.Now().UTC().Format(time.RFC3339Nano)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM command_seen WHERE expires_at <= ?", now); err != nil {
			return fmt.Errorf("fleet: commands seen: %w", err)
		}
		var one int
		switch err := tx.QueryRowContext(ctx, "SELECT 1 FROM command_seen WHERE id = ?", id).Scan(&one); {
		case err == nil:
			already = true
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("fleet: commands seen: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO command_seen(id, expires_at) VALUES (?, ?)", id, expires.UTC().Format(time.RFC3339Nano)); err != nil {
			return fmt.Errorf("fleet: commands seen: %w", err)
		}
		return nil
	})
	return already, err
}

package fleet

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/content"
)

// ErrUnauthorized is returned for an unknown totem, a wrong token or a
// revoked one: the caller is not told which.
var ErrUnauthorized = errors.New("fleet: totem not authorized")

// Totem is a totem the portal feeds (portal only).
type Totem struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Point     orb.Point `json:"point"`
	Created   time.Time `json:"created"`
	Revoked   bool      `json:"revoked"`
	Seq       int64     `json:"seq"` // last sequence it acknowledged
	LastSeen  time.Time `json:"last_seen,omitzero"`
	LastError string    `json:"last_error,omitempty"`
	// State is what the totem last reported (its heartbeat), as JSON.
	State json.RawMessage `json:"state,omitempty"`
}

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// AddTotem registers a totem, or gives an existing one a new token (the
// old one stops working), and returns the token: it is shown once and
// stored only hashed. A bad id or point is a *content.ValidationError.
func (s *Store) AddTotem(ctx context.Context, id, name string, at orb.Point) (string, error) {
	if !content.ValidID(id) {
		return "", invalid("id", "%q is not a valid id", id)
	}
	if err := content.ValidPoint(at); err != nil {
		return "", err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	token := "pt_" + base64.RawURLEncoding.EncodeToString(raw)
	now := time.Now().UTC().Format(time.RFC3339)
	_, err := s.db.W.ExecContext(ctx, `INSERT INTO totem(id, name, lon, lat, token_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET name = excluded.name, lon = excluded.lon, lat = excluded.lat,
			token_hash = excluded.token_hash, revoked_at = NULL`, id, name, at[0], at[1], tokenHash(token), now)
	if err != nil {
		return "", fmt.Errorf("fleet: add totem %s: %w", id, err)
	}
	return token, nil
}

// RevokeTotem makes a totem's token useless. An unknown totem is
// content.ErrNotFound.
func (s *Store) RevokeTotem(ctx context.Context, id string) error {
	res, err := s.db.W.ExecContext(ctx, "UPDATE totem SET token_hash = NULL, revoked_at = ? WHERE id = ?", time.Now().UTC().Format(time.RFC3339), id)
	if err != nil {
		return fmt.Errorf("fleet: revoke totem %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: totem %s", content.ErrNotFound, id)
	}
	return nil
}

// AuthenticateTotem checks a totem's token.
func (s *Store) AuthenticateTotem(ctx context.Context, id, token string) (*Totem, error) {
	var stored []byte
	err := s.db.R.QueryRowContext(ctx, "SELECT token_hash FROM totem WHERE id = ? AND revoked_at IS NULL", id).Scan(&stored)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && stored == nil) {
		return nil, ErrUnauthorized
	}
	if err != nil {
		return nil, fmt.Errorf("fleet: totem %s: %w", id, err)
	}
	if subtle.ConstantTimeCompare(stored, tokenHash(token)) != 1 {
		return nil, ErrUnauthorized
	}
	return s.totem(ctx, id)
}

// TotemSeen records what a totem reported: the sequence it acknowledged
// and its last error ("" keeps the previous one).
func (s *Store) TotemSeen(ctx context.Context, id string, seq int64, lastError string) error {
	_, err := s.db.W.ExecContext(ctx, `UPDATE totem SET seq = max(seq, ?), last_seen = ?,
		last_error = CASE WHEN ? = '' THEN last_error ELSE ? END WHERE id = ?`,
		seq, time.Now().UTC().Format(time.RFC3339Nano), lastError, lastError, id)
	return err
}

const totemColumns = "id, name, lon, lat, created_at, revoked_at IS NOT NULL, seq, coalesce(last_seen, ''), last_error, last_state"

func scanTotem(sc interface{ Scan(...any) error }) (*Totem, error) {
	var t Totem
	var created, seen, state string
	if err := sc.Scan(&t.ID, &t.Name, &t.Point[0], &t.Point[1], &created, &t.Revoked, &t.Seq, &seen, &t.LastError, &state); err != nil {
		return nil, err
	}
	t.Created, _ = time.Parse(time.RFC3339, created)
	t.LastSeen, _ = time.Parse(time.RFC3339Nano, seen)
	t.State = json.RawMessage(state)
	return &t, nil
}

func (s *Store) totem(ctx context.Context, id string) (*Totem, error) {
	t, err := scanTotem(s.db.R.QueryRowContext(ctx, "SELECT "+totemColumns+" FROM totem WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: totem %q", content.ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("fleet: totem %s: %w", id, err)
	}
	return t, nil
}

// Totems lists every registered totem by ID.
func (s *Store) Totems(ctx context.Context) ([]Totem, error) {
	rows, err := s.db.R.QueryContext(ctx, "SELECT "+totemColumns+" FROM totem ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("fleet: totems: %w", err)
	}
	defer rows.Close()
	out := []Totem{}
	for rows.Next() {
		t, err := scanTotem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *t)
	}
	return out, rows.Err()
}

// Heartbeat is one report from a totem, as JSON.
type Heartbeat struct {
	At    time.Time       `json:"at"`
	State json.RawMessage `json:"state"`
}

// heartbeatHistory is how many reports are kept per totem.
const heartbeatHistory = 100

// TotemReported records a totem's report: its latest state, a short
// history, and that it was seen.
func (s *Store) TotemReported(ctx context.Context, id string, state json.RawMessage) error {
	now := time.Now().UTC().Format(time.RFC3339Nano)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE totem SET last_state = ?, last_seen = ? WHERE id = ?", string(state), now, id); err != nil {
			return fmt.Errorf("fleet: totem %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO totem_heartbeat(totem_id, at, state) VALUES (?, ?, ?)", id, now, string(state)); err != nil {
			return fmt.Errorf("fleet: totem %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM totem_heartbeat WHERE totem_id = ?1 AND at < (
			SELECT at FROM totem_heartbeat WHERE totem_id = ?1 ORDER BY at DESC LIMIT 1 OFFSET ?2)`, id, heartbeatHistory-1); err != nil {
			return fmt.Errorf("fleet: totem %s: %w", id, err)
		}
		return nil
	})
}

// TotemHeartbeats returns a totem's recent reports, newest first.
func (s *Store) TotemHeartbeats(ctx context.Context, id string) ([]Heartbeat, error) {
	rows, err := s.db.R.QueryContext(ctx, "SELECT at, state FROM totem_heartbeat WHERE totem_id = ? ORDER BY at DESC", id)
	if err != nil {
		return nil, fmt.Errorf("fleet: totem %s: %w", id, err)
	}
	defer rows.Close()
	out := []Heartbeat{}
	for rows.Next() {
		var at, state string
		if err := rows.Scan(&at, &state); err != nil {
			return nil, err
		}
		h := Heartbeat{State: json.RawMessage(state)}
		h.At, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, h)
	}
	return out, rows.Err()
}

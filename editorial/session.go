package editorial

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"
)

// Timeouts of sessions.
const (
	// IdleTimeout ends a session left unused this long.
	IdleTimeout = 30 * time.Minute
	// SessionLifetime ends any session this long after it began.
	SessionLifetime = 12 * time.Hour
)

// Session is a signed-in browser. The cookie holds a random token; the
// table holds only its SHA-256, so a copy of the database opens no session.
type Session struct {
	Hash     []byte // SHA-256 of the cookie's token
	Account  *Account
	CSRF     string
	Created  time.Time
	LastSeen time.Time
	Expires  time.Time // absolute end
}

// IdleExpires is when the session ends if nothing more happens.
func (ss *Session) IdleExpires() time.Time {
	t := ss.LastSeen.Add(IdleTimeout)
	if t.After(ss.Expires) {
		return ss.Expires
	}
	return t
}

// touchEvery limits how often a request writes the session's last use:
// the idle timeout is 30 minutes, a few seconds do not matter.
const touchEvery = 15 * time.Second

// NewToken returns 256 random bits, URL-safe.
func NewToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// createSession starts a session for a and returns its cookie token.
func (s *Store) createSession(ctx context.Context, a *Account) (string, *Session, error) {
	token := NewToken()
	now := s.now()
	ss := &Session{Hash: hashToken(token), Account: a, CSRF: NewToken(), Created: now, LastSeen: now, Expires: now.Add(SessionLifetime)}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		// Sessions that ended are swept here, where one begins.
		if _, err := tx.ExecContext(ctx, "DELETE FROM portal_session WHERE expires_at <= ? OR last_seen <= ?",
			formatTime(now), formatTime(now.Add(-IdleTimeout))); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO portal_session(token_hash, account_id, csrf, created_at, last_seen, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`, ss.Hash, a.ID, ss.CSRF, formatTime(now), formatTime(now), formatTime(ss.Expires)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "UPDATE portal_account SET last_login_at = ? WHERE id = ?", formatTime(now), a.ID)
		return err
	})
	if err != nil {
		return "", nil, fmt.Errorf("editorial: create session: %w", err)
	}
	a.LastLoginAt = &now
	return token, ss, nil
}

// ErrNoSession: the token opens no live session.
var ErrNoSession = errors.New("editorial: no session")

// Session finds the live session of a cookie token, slides its idle
// timeout, and ends it if it has expired or its account is disabled
// (ErrNoSession).
func (s *Store) Session(ctx context.Context, token string) (*Session, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrNoSession
	}
	ss := &Session{Hash: hashToken(token)}
	var accountID int64
	var created, last, expires string
	err := s.db.R.QueryRowContext(ctx, "SELECT account_id, csrf, created_at, last_seen, expires_at FROM portal_session WHERE token_hash = ?", ss.Hash).
		Scan(&accountID, &ss.CSRF, &created, &last, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("editorial: session: %w", err)
	}
	ss.Created, ss.LastSeen, ss.Expires = parseTime(created), parseTime(last), parseTime(expires)
	now := s.now()
	if !now.Before(ss.IdleExpires()) {
		return nil, s.EndSession(ctx, ss.Hash)
	}
	a, err := s.AccountByID(ctx, accountID)
	if errors.Is(err, ErrNotFound) || (err == nil && a.Disabled) {
		return nil, s.EndSession(ctx, ss.Hash)
	}
	if err != nil {
		return nil, err
	}
	ss.Account = a
	if now.Sub(ss.LastSeen) >= touchEvery {
		if _, err := s.db.W.ExecContext(ctx, "UPDATE portal_session SET last_seen = ? WHERE token_hash = ?", formatTime(now), ss.Hash); err != nil {
			return nil, fmt.Errorf("editorial: session: %w", err)
		}
		ss.LastSeen = now
	}
	return ss, nil
}

// EndSession deletes a session by its hash; it returns ErrNoSession so
// that callers can end and refuse in one line.
func (s *Store) EndSession(ctx context.Context, hash []byte) error {
	if _, err := s.db.W.ExecContext(ctx, "DELETE FROM portal_session WHERE token_hash = ?", hash); err != nil {
		return fmt.Errorf("editorial: end session: %w", err)
	}
	return ErrNoSession
}

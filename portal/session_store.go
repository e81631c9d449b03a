package portal

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

// session is a signed-in browser. The cookie holds a random token; the
// table holds only its SHA-256, so a copy of the database opens no session.
type session struct {
	hash     []byte
	account  *Account
	csrf     string
	created  time.Time
	lastSeen time.Time
	expires  time.Time // absolute end
}

// idleExpires is when the session ends if nothing more happens.
func (s *session) idleExpires() time.Time {
	t := s.lastSeen.Add(idleTimeout)
	if t.After(s.expires) {
		return s.expires
	}
	return t
}

// touchEvery limits how often a request writes the session's last use:
// the idle timeout is 30 minutes, a few seconds do not matter.
const touchEvery = 15 * time.Second

// newToken returns 256 random bits, URL-safe.
func newToken() string {
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
func (p *portal) createSession(ctx context.Context, a *Account) (string, *session, error) {
	token := newToken()
	now := p.now()
	s := &session{hash: hashToken(token), account: a, csrf: newToken(), created: now, lastSeen: now, expires: now.Add(sessionLifetime)}
	err := p.inTx(ctx, func(tx *sql.Tx) error {
		// Sessions that ended are swept here, where one begins.
		if _, err := tx.ExecContext(ctx, "DELETE FROM portal_session WHERE expires_at <= ? OR last_seen <= ?",
			formatTime(now), formatTime(now.Add(-idleTimeout))); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO portal_session(token_hash, account_id, csrf, created_at, last_seen, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`, s.hash, a.ID, s.csrf, formatTime(now), formatTime(now), formatTime(s.expires)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "UPDATE portal_account SET last_login_at = ? WHERE id = ?", formatTime(now), a.ID)
		return err
	})
	if err != nil {
		return "", nil, fmt.Errorf("portal: create session: %w", err)
	}
	a.LastLoginAt = &now
	return token, s, nil
}

var errNoSession = errors.New("portal: no session")

// lookupSession finds the live session of a cookie token, slides its idle
// timeout, and ends it if it has expired or its account is disabled.
func (p *portal) lookupSession(ctx context.Context, token string) (*session, error) {
	if token == "" || len(token) > 100 {
		return nil, errNoSession
	}
	s := &session{hash: hashToken(token)}
	var accountID int64
	var created, last, expires string
	err := p.r.QueryRowContext(ctx, "SELECT account_id, csrf, created_at, last_seen, expires_at FROM portal_session WHERE token_hash = ?", s.hash).
		Scan(&accountID, &s.csrf, &created, &last, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("portal: session: %w", err)
	}
	s.created, s.lastSeen, s.expires = parseTime(created), parseTime(last), parseTime(expires)
	now := p.now()
	if !now.Before(s.idleExpires()) {
		return nil, p.endSession(ctx, s.hash)
	}
	a, err := p.accountByID(ctx, accountID)
	if errors.Is(err, errNoAccount) || (err == nil && a.Disabled) {
		return nil, p.endSession(ctx, s.hash)
	}
	if err != nil {
		return nil, err
	}
	s.account = a
	if now.Sub(s.lastSeen) >= touchEvery {
		if _, err := p.w.ExecContext(ctx, "UPDATE portal_session SET last_seen = ? WHERE token_hash = ?", formatTime(now), s.hash); err != nil {
			return nil, fmt.Errorf("portal: session: %w", err)
		}
		s.lastSeen = now
	}
	return s, nil
}

// endSession deletes a session; it returns errNoSession so that callers
// can end and refuse in one line.
func (p *portal) endSession(ctx context.Context, hash []byte) error {
	if _, err := p.w.ExecContext(ctx, "DELETE FROM portal_session WHERE token_hash = ?", hash); err != nil {
		return fmt.Errorf("portal: end session: %w", err)
	}
	return errNoSession
}

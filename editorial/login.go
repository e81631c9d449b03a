package editorial

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"
)

// Login limits per login name, kept in the database so that a restart
// does not reset them, and kept for names with no account too, so that
// the answer never tells whether one exists. (Limits per client address
// belong to the HTTP face.)
const (
	// NameFreeTries is how many failures in a row lock a name.
	NameFreeTries = 5
	nameFirstLock = 30 * time.Second // doubled by each further failure
	nameMaxLock   = 15 * time.Minute
	failureMemory = 24 * time.Hour // a name's failures are forgotten after a quiet day
)

// Login checks a name and password and starts a session: it returns the
// cookie token and the session. A wrong name or password, and a disabled
// account, give ErrBadCredentials alike and count against the name; a
// locked name gives *LockedError.
func (s *Store) Login(ctx context.Context, name, password string) (string, *Session, error) {
	name = NormalizeName(name)
	if wait, err := s.lockedFor(ctx, name); err != nil {
		return "", nil, err
	} else if wait > 0 {
		return "", nil, &LockedError{Wait: wait}
	}
	a, err := s.AccountByName(ctx, name)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return "", nil, err
	}
	hash := dummyHash()
	if a != nil {
		hash = a.hash
	}
	ok, hashErr := verifyPassword(hash, password)
	if !ok || a == nil || a.Disabled {
		if err := s.recordFailure(ctx, name); err != nil {
			return "", nil, err
		}
		if hashErr != nil { // refused all the same; the caller logs why
			return "", nil, fmt.Errorf("%w (the stored password hash of %s is unreadable: %v)", ErrBadCredentials, name, hashErr)
		}
		return "", nil, ErrBadCredentials
	}
	if err := s.clearFailures(ctx, name); err != nil {
		return "", nil, err
	}
	return s.createSession(ctx, a)
}

// lockedFor says how long a login name is still locked (0: not locked).
func (s *Store) lockedFor(ctx context.Context, name string) (time.Duration, error) {
	var until string
	err := s.db.R.QueryRowContext(ctx, "SELECT locked_until FROM portal_login_failure WHERE name = ?", name).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) || until == "" {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("editorial: login failures: %w", err)
	}
	if d := parseTime(until).Sub(s.now()); d > 0 {
		return d, nil
	}
	return 0, nil
}

// lockFor is how long a name is locked after n consecutive failures.
func lockFor(n int) time.Duration {
	if n < NameFreeTries {
		return 0
	}
	d := float64(nameFirstLock) * math.Pow(2, float64(n-NameFreeTries))
	if d > float64(nameMaxLock) {
		return nameMaxLock
	}
	return time.Duration(d)
}

// recordFailure counts a failed login for name and locks it when there
// have been too many.
func (s *Store) recordFailure(ctx context.Context, name string) error {
	now := s.now()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM portal_login_failure WHERE last_at < ?", formatTime(now.Add(-failureMemory))); err != nil {
			return err
		}
		var n int
		err := tx.QueryRowContext(ctx, "SELECT failures FROM portal_login_failure WHERE name = ?", name).Scan(&n)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		n++
		until := ""
		if d := lockFor(n); d > 0 {
			until = formatTime(now.Add(d))
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO portal_login_failure(name, failures, locked_until, last_at) VALUES (?, ?, ?, ?)
			ON CONFLICT(name) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until, last_at = excluded.last_at`,
			name, n, until, formatTime(now))
		return err
	})
}

func (s *Store) clearFailures(ctx context.Context, name string) error {
	_, err := s.db.W.ExecContext(ctx, "DELETE FROM portal_login_failure WHERE name = ?", name)
	return err
}

package portal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
)

// Login limits: per client address (in memory), and per login name (in
// the database, so a restart does not reset them; kept for names with no
// account too, so the answer never tells whether one exists).
const (
	addrAttempts   = 20
	addrWindow     = 10 * time.Minute
	nameFreeTries  = 5                // failures before a name is locked
	nameFirstLock  = 30 * time.Second // doubled by each further failure
	nameMaxLock    = 15 * time.Minute
	failureMemory  = 24 * time.Hour // a name's failures are forgotten after a quiet day
	maxAddrTracked = 100000         // addresses remembered at most (then the oldest go)
)

// addrLimiter counts login attempts per client address in a sliding
// window.
type addrLimiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	seen   map[string][]time.Time
}

func newAddrLimiter(max int, window time.Duration) *addrLimiter {
	return &addrLimiter{max: max, window: window, seen: map[string][]time.Time{}}
}

// allow records an attempt from addr at now, or says how long to wait.
func (l *addrLimiter) allow(addr string, now time.Time) (bool, time.Duration) {
	// A key kept beyond the request must be a copy: behind a trusted proxy
	// c.IP() is a slice of the request's header buffer, which fasthttp
	// reuses for the next request.
	addr = strings.Clone(addr)
	l.mu.Lock()
	defer l.mu.Unlock()
	cut := now.Add(-l.window)
	ts := l.seen[addr]
	i := 0
	for i < len(ts) && !ts[i].After(cut) {
		i++
	}
	ts = ts[i:]
	if len(ts) >= l.max {
		l.seen[addr] = ts
		return false, ts[0].Sub(cut)
	}
	if len(l.seen) >= maxAddrTracked {
		l.sweep(cut)
	}
	l.seen[addr] = append(ts, now)
	return true, 0
}

// sweep forgets addresses with no attempt in the window.
func (l *addrLimiter) sweep(cut time.Time) {
	for a, ts := range l.seen {
		if len(ts) == 0 || !ts[len(ts)-1].After(cut) {
			delete(l.seen, a)
		}
	}
}

// lockedFor says how long a login name is still locked (0: not locked).
func (p *portal) lockedFor(ctx context.Context, name string) (time.Duration, error) {
	var until string
	err := p.r.QueryRowContext(ctx, "SELECT locked_until FROM portal_login_failure WHERE name = ?", name).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) || until == "" {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("portal: login failures: %w", err)
	}
	if d := parseTime(until).Sub(p.now()); d > 0 {
		return d, nil
	}
	return 0, nil
}

// lockFor is how long a name is locked after n consecutive failures.
func lockFor(n int) time.Duration {
	if n < nameFreeTries {
		return 0
	}
	d := float64(nameFirstLock) * math.Pow(2, float64(n-nameFreeTries))
	if d > float64(nameMaxLock) {
		return nameMaxLock
	}
	return time.Duration(d)
}

// recordFailure counts a failed login for name and locks it when there
// have been too many.
func (p *portal) recordFailure(ctx context.Context, name string) error {
	now := p.now()
	return p.inTx(ctx, func(tx *sql.Tx) error {
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

func (p *portal) clearFailures(ctx context.Context, name string) error {
	_, err := p.w.ExecContext(ctx, "DELETE FROM portal_login_failure WHERE name = ?", name)
	return err
}

// retrySeconds rounds a wait up to whole seconds for Retry-After.
func retrySeconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }

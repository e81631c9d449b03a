package portal

import (
	"math"
	"strings"
	"sync"
	"time"
)

// Login limits per client address, in memory (those per login name are
// editorial's, in the database).
const (
	addrAttempts   = 20
	addrWindow     = 10 * time.Minute
	maxAddrTracked = 100000 // addresses remembered at most (then the oldest go)
)

// addrLimiter counts failed login attempts per client address in a
// sliding window. An attempt counts from its start (parallel guesses
// cannot slip through while the password is checked) and is forgiven
// if it succeeds.
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

// forgive takes back the attempt allow recorded at at: a login that
// succeeded is no failure, so that one attacker's failures, not the
// editors' own sign-ins, fill an address's window.
func (l *addrLimiter) forgive(addr string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ts := l.seen[addr]
	for i := len(ts) - 1; i >= 0; i-- {
		if ts[i].Equal(at) {
			l.seen[addr] = append(ts[:i:i], ts[i+1:]...)
			return
		}
	}
}

// sweep forgets addresses with no attempt in the window.
func (l *addrLimiter) sweep(cut time.Time) {
	for a, ts := range l.seen {
		if len(ts) == 0 || !ts[len(ts)-1].After(cut) {
			delete(l.seen, a)
		}
	}
}

// retrySeconds rounds a wait up to whole seconds for Retry-After.
func retrySeconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }

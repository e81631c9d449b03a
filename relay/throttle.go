package relay

import (
	"strings"
	"sync"
	"time"
)

// Refused dials at /sync are limited per address: after syncFailures
// refusals within syncWindow an address is answered 429 without its
// token being checked, until the window slides. The log says so at most
// once per address and window, with how many it did not say.
const (
	syncFailures   = 10
	syncWindow     = time.Minute
	maxSyncTracked = 100000
)

type syncThrottle struct {
	mu    sync.Mutex
	addrs map[string]*syncAddr
}

type syncAddr struct {
	fails     []time.Time
	loggedAt  time.Time
	unlogged  int
	lastTouch time.Time
}

func newSyncThrottle() *syncThrottle { return &syncThrottle{addrs: map[string]*syncAddr{}} }

// blocked says whether addr has failed too often, and for how long more.
func (s *syncThrottle) blocked(addr string, now time.Time) (bool, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.addrs[addr]
	if a == nil {
		return false, 0
	}
	a.trim(now)
	if len(a.fails) >= syncFailures {
		return true, a.fails[0].Add(syncWindow).Sub(now)
	}
	return false, 0
}

// fail records a refusal from addr (blocked ones too) and says whether to
// log it, and how many refusals went unlogged before it.
func (s *syncThrottle) fail(addr string, now time.Time) (log bool, unlogged int) {
	addr = strings.Clone(addr)
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.addrs[addr]
	if a == nil {
		if len(s.addrs) >= maxSyncTracked {
			for k, v := range s.addrs {
				if now.Sub(v.lastTouch) > syncWindow {
					delete(s.addrs, k)
				}
			}
		}
		a = &syncAddr{}
		s.addrs[addr] = a
	}
	a.trim(now)
	a.lastTouch = now
	if len(a.fails) < 2*syncFailures {
		a.fails = append(a.fails, now)
	}
	if now.Sub(a.loggedAt) < syncWindow {
		a.unlogged++
		return false, 0
	}
	unlogged, a.unlogged, a.loggedAt = a.unlogged, 0, now
	return true, unlogged
}

func (a *syncAddr) trim(now time.Time) {
	i := 0
	for i < len(a.fails) && now.Sub(a.fails[i]) >= syncWindow {
		i++
	}
	a.fails = a.fails[i:]
}

package content

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/punto-totem/punto/internal/sqlitedb"
)

// counts keeps the catalog's Stats as of the last write, so a health
// check answers without counting a large catalog: they are recounted in
// the background after every write, several writes in a row sharing one
// recount.
type counts struct {
	cur     atomic.Pointer[Stats]
	mu      sync.Mutex
	running bool
	dirty   bool
	shrunk  bool // the first count's cached pages were given back
	closed  bool // the store is closing: no more recounts
}

// recount starts counting again, unless a count is running, which then
// runs once more when it ends.
func (s *Store) recount() {
	c := &s.counts
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	if c.running {
		c.dirty = true
		c.mu.Unlock()
		return
	}
	c.running = true
	s.bg.Add(1) // under c.mu, before Close can wait
	c.mu.Unlock()
	go func() {
		defer s.bg.Done()
		for {
			if st, err := s.Stats(s.bgCtx); err == nil {
				c.cur.Store(&st)
			}
			c.mu.Lock()
			first := !c.shrunk
			c.shrunk = true
			c.mu.Unlock()
			if first {
				// Counting a large catalog filled a reader's page
				// cache with pages nothing else reads.
				sqlitedb.ShrinkMemory(s.bgCtx, s.r)
			}
			c.mu.Lock()
			if !c.dirty || c.closed {
				c.running = false
				c.mu.Unlock()
				return
			}
			c.dirty = false
			c.mu.Unlock()
		}
	}()
}

// CachedStats returns the counts as of the last write, without counting:
// what a health check serves. Until the first count after Open ends it
// counts once, and waits for it.
func (s *Store) CachedStats(ctx context.Context) (Stats, error) {
	if st := s.counts.cur.Load(); st != nil {
		return *st, nil
	}
	st, err := s.Stats(ctx)
	if err != nil {
		return Stats{}, err
	}
	s.counts.cur.CompareAndSwap(nil, &st)
	return st, nil
}

// Info is what `punto catalog info` prints of a catalog.
type Info struct {
	Stats      Stats
	Source     string
	Categories map[string]int // services (not withdrawn) per category, the empty ones left out
}

// ReadInfo opens the catalog at path without loading its index and counts
// what it holds with SQL.
func ReadInfo(ctx context.Context, path string) (_ Info, err error) {
	s, err := open(ctx, path, false)
	if err != nil {
		return Info{}, err
	}
	defer func() {
		if cerr := s.Close(); err == nil {
			err = cerr
		}
	}()
	var in Info
	if in.Stats, err = s.Stats(ctx); err != nil {
		return Info{}, fmt.Errorf("content: count: %w", err)
	}
	if in.Source, err = s.Meta(ctx, "source"); err != nil {
		return Info{}, err
	}
	// The few withdrawn services, gathered once, rather than a look-up
	// in service for each of millions of category rows: at a million
	// services a third of the time.
	rows, err := s.r.QueryContext(ctx, `SELECT c.category_id, count(*) FROM service_category c
		WHERE c.service_id NOT IN (SELECT id FROM service WHERE status = 'withdrawn') GROUP BY c.category_id`)
	if err != nil {
		return Info{}, fmt.Errorf("content: count categories: %w", err)
	}
	defer rows.Close()
	in.Categories = map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return Info{}, err
		}
		if categoryIndex(id) >= 0 && n > 0 {
			in.Categories[id] = n
		}
	}
	return in, rows.Err()
}

// IndexState says how the in-memory index answers: "in memory: N
// services at M points".
func (s *Store) IndexState() string {
	if !s.indexed {
		return "no index"
	}
	if s.built != nil {
		select {
		case <-s.built:
			if s.buildErr != nil {
				return "failed to load: " + s.buildErr.Error()
			}
		default:
			return "building in the background: nearby and within answer from the file's R*Tree meanwhile, search waits"
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	state := fmt.Sprintf("in memory: %d services at %d points", s.idx.live, len(s.idx.entries)-len(s.idx.free))
	if f := s.fileState.Load(); f != nil {
		state += ", " + *f
	}
	return state
}

// IndexErr is why the index could not be built in the background (nil
// while it builds and once it is built).
func (s *Store) IndexErr() error {
	if s.built == nil {
		return nil
	}
	select {
	case <-s.built:
		return s.buildErr
	default:
		return nil
	}
}

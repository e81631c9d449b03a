package kiosk

import (
	"context"
	"sync"
	"time"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/internal/apierr"
)

// digestBudget bounds working out one digest (apart from any request).
const digestBudget = 2 * time.Minute

// digestCache works out the catalog's digest once per feed sequence, one
// at a time, apart from the requests that ask: a request waits for it
// within its own deadline (then 503), and the next ones get it at once.
// A public endpoint can then not be made to read the whole catalog at
// will.
type digestCache struct {
	mu    sync.Mutex
	st    feed.State // where the catalog stood while the digest was read
	value string
	err   error
	done  chan struct{} // closed when the running computation ends
}

// get returns the digest of the catalog as it stands at seq or later, and
// that state.
func (d *digestCache) get(ctx context.Context, store *content.Store, seq int64) (feed.State, string, error) {
	for {
		d.mu.Lock()
		if d.done == nil || (d.finished() && (d.err != nil || d.st.Seq < seq)) {
			done := make(chan struct{})
			d.done = done
			go d.compute(store, done)
		}
		done := d.done
		d.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return feed.State{}, "", apierr.Unavailable("the digest is being worked out: try again")
		}
		d.mu.Lock()
		st, value, err := d.st, d.value, d.err
		d.mu.Unlock()
		if err != nil || st.Seq >= seq {
			return st, value, err
		}
		// Worked out before seq was published: once more.
	}
}

// compute reads the digest between two reads of the feed's state that
// agree (a publish in between: read again, three times at most).
func (d *digestCache) compute(store *content.Store, done chan struct{}) {
	defer close(done)
	ctx, cancel := context.WithTimeout(context.Background(), digestBudget)
	defer cancel()
	var (
		st    feed.State
		value string
		err   error
	)
	for range 3 {
		if st, err = feed.ReadState(ctx, store); err != nil {
			break
		}
		if value, err = store.Digest(ctx); err != nil {
			break
		}
		var after feed.State
		if after, err = feed.ReadState(ctx, store); err != nil || (after.Seq == st.Seq && after.Hash == st.Hash) {
			break
		}
		err = apierr.Unavailable("the catalog kept changing while its digest was worked out: try again")
	}
	d.mu.Lock()
	d.st, d.value, d.err = st, value, err
	d.mu.Unlock()
}

// finished reports whether the last computation has ended (d.mu held).
func (d *digestCache) finished() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

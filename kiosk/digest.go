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
// within its own deadline (then 503), and the next gets it at once. A
// public endpoint can then not be made to read the whole catalog at will.
type digestCache struct {
	mu    sync.Mutex
	seq   int64
	value string
	err   error
	done  chan struct{} // closed when the digest of seq is worked out
}

func (d *digestCache) get(ctx context.Context, store *content.Store, seq int64) (string, error) {
	d.mu.Lock()
	if d.done == nil || (d.seq != seq && d.finished()) || (d.seq == seq && d.finished() && d.err != nil) {
		d.seq, d.value, d.err, d.done = seq, "", nil, make(chan struct{})
		done := d.done
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), digestBudget)
			defer cancel()
			v, err := store.Digest(ctx)
			if st, serr := feed.ReadState(ctx, store); err == nil && (serr != nil || st.Seq != seq) {
				// Not one moment's: worked out again when next asked.
				v, err = "", apierr.Unavailable("the catalog changed while its digest was worked out: try again")
			}
			d.mu.Lock()
			d.value, d.err = v, err
			d.mu.Unlock()
			close(done)
		}()
	}
	if d.seq != seq {
		d.mu.Unlock()
		return "", apierr.Unavailable("the digest of an earlier sequence is being worked out: try again")
	}
	done := d.done
	d.mu.Unlock()
	select {
	case <-done:
	case <-ctx.Done():
		return "", apierr.Unavailable("the digest is being worked out: try again")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.value, d.err
}

// finished reports whether the current digest is worked out (d.mu held).
func (d *digestCache) finished() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

package relay

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/feed"
)

// snapshots keeps the latest snapshot file, made again only when the
// catalog has moved on, so that many new totems share one.
type snapshots struct {
	store *content.Store
	dir   string
	temp  bool

	mu   sync.Mutex
	path string
	st   feed.State
	sum  [32]byte
	size int64
	gen  int
}

func newSnapshots(store *content.Store, dir string) (*snapshots, error) {
	temp := dir == ""
	if temp {
		var err error
		if dir, err = os.MkdirTemp("", "punto-snapshots-"); err != nil {
			return nil, fmt.Errorf("relay: %w", err)
		}
	} else {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("relay: %w", err)
		}
		// What a crashed run left behind.
		old, _ := filepath.Glob(filepath.Join(dir, "snapshot-*.db*"))
		for _, f := range old {
			os.Remove(f)
		}
	}
	return &snapshots{store: store, dir: dir, temp: temp}, nil
}

// latest returns a snapshot at the catalog's current position, and an
// open handle on its file (so a newer one can replace it meanwhile).
func (s *snapshots) latest(ctx context.Context) (*os.File, feed.State, [32]byte, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	head, err := feed.ReadState(ctx, s.store)
	if err != nil {
		return nil, head, s.sum, 0, err
	}
	if s.path == "" || s.st.Seq != head.Seq || s.st.Epoch != head.Epoch {
		s.gen++
		path := filepath.Join(s.dir, fmt.Sprintf("snapshot-%d.db", s.gen))
		st, sum, err := feed.WriteSnapshot(ctx, s.store, path)
		if err != nil {
			return nil, head, sum, 0, err
		}
		fi, err := os.Stat(path)
		if err != nil {
			return nil, head, sum, 0, err
		}
		if s.path != "" {
			os.Remove(s.path) // open handles keep reading it
		}
		s.path, s.st, s.sum, s.size = path, st, sum, fi.Size()
	}
	f, err := os.Open(s.path)
	if err != nil {
		return nil, head, s.sum, 0, err
	}
	return f, s.st, s.sum, s.size, nil
}

func (s *snapshots) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.path != "" {
		os.Remove(s.path)
	}
	if s.temp {
		os.RemoveAll(s.dir)
	}
}

// sendSnapshot sends the signed manifest of the latest snapshot, then its
// file, and returns the sequence it brings the totem to.
func (h *Hub) sendSnapshot(t *totemConn) (int64, error) {
	start := time.Now()
	f, st, sum, size, err := h.snaps.latest(h.ctx)
	if err != nil {
		return 0, err
	}
	defer func() { _ = f.Close() }() // read only
	env := feed.Envelope{
		Type:    feed.EnvelopeSnapshot,
		Expires: h.cfg.Now().Add(h.ttl(t)),
		Snapshot: &feed.SnapshotManifest{
			Epoch: st.Epoch, Seq: st.Seq, Hash: hex.EncodeToString(st.Hash[:]), Size: size, SHA256: hex.EncodeToString(sum[:]),
		},
	}
	payload, err := json.Marshal(env)
	if err != nil {
		return 0, err
	}
	t.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	if err := t.ws.WriteMessage(websocket.BinaryMessage, append([]byte{frameSigned}, feed.Sign(h.cfg.Key, payload)...)); err != nil {
		return 0, err
	}
	buf := make([]byte, 1+chunkSize)
	buf[0] = frameData
	for {
		n, err := io.ReadFull(f, buf[1:])
		if n > 0 {
			t.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
			if werr := t.ws.WriteMessage(websocket.BinaryMessage, buf[:1+n]); werr != nil {
				return 0, werr
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	h.cfg.Log.Info("snapshot sent", "totem", t.id, "seq", st.Seq, "bytes", size, "took", time.Since(start).Round(time.Millisecond))
	return st.Seq, nil
}

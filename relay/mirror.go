package relay

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/punto-totem/punto/content/feed"
)

// Mirror keeps what the portal signs for a mirror (punto mirror): the
// latest snapshot (its signed manifest and file), every batches envelope
// since, each as signed, and the portal's latest head. Its Handler serves
// them to totems as the portal would: a totem checks every signature and
// hash against the portal's key, so a mirror cannot forge or alter what
// it passes on, only withhold it (and the totem then says it is stale).
type Mirror struct {
	dir string
	log *slog.Logger

	mu    sync.Mutex
	snap  *mirrorSnap
	envs  []mirrorEnv // ascending, contiguous after snap
	head  []byte      // the latest head, framed
	conns map[*mirrorConn]struct{}

	// refused limits failed dials per address, as the portal's /sync
	// does: a dial that is no websocket, fails its handshake or says no
	// hello counts.
	refused *syncThrottle

	// up, if set, is the portal the mirror relays its totems' reports
	// and commands through (mirror_upstream.go).
	up     *MirrorUpstream
	dialer websocket.Dialer
}

type mirrorSnap struct {
	manifest []byte // framed signed envelope
	state    feed.State
	size     int64
	expires  time.Time
	received time.Time
}

type mirrorEnv struct {
	first, last int64
	hash        [feed.HashSize]byte // of the last batch
	path        string
}

// OpenMirror opens the mirror's store in dir (made if missing).
func OpenMirror(dir string, log *slog.Logger) (*Mirror, error) {
	if log == nil {
		log = slog.Default()
	}
	if err := os.MkdirAll(filepath.Join(dir, "batches"), 0o755); err != nil {
		return nil, fmt.Errorf("relay: mirror: %w", err)
	}
	m := &Mirror{dir: dir, log: log, conns: map[*mirrorConn]struct{}{}, refused: newSyncThrottle()}
	if err := m.load(); err != nil {
		log.Warn("mirror: starting again from a snapshot", "err", err)
		m.clear()
	}
	return m, nil
}

func (m *Mirror) snapshotPath() string { return filepath.Join(m.dir, "snapshot.db") }
func (m *Mirror) manifestPath() string { return filepath.Join(m.dir, "snapshot.sig") }

// load reads what an earlier run kept.
func (m *Mirror) load() error {
	manifest, err := os.ReadFile(m.manifestPath())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	fi, err := os.Stat(m.snapshotPath())
	if err != nil {
		return err
	}
	snap, err := parseManifest(manifest, fi.ModTime())
	if err != nil {
		return err
	}
	if snap.size != fi.Size() {
		return fmt.Errorf("snapshot file of %d bytes, its manifest says %d", fi.Size(), snap.size)
	}
	files, err := filepath.Glob(filepath.Join(m.dir, "batches", "*.sig"))
	if err != nil {
		return err
	}
	var envs []mirrorEnv
	for _, path := range files {
		signed, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		e, err := parseBatches(signed)
		if err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(path), err)
		}
		e.path = path
		envs = append(envs, e)
	}
	sort.Slice(envs, func(i, j int) bool { return envs[i].first < envs[j].first })
	next := snap.state.Seq + 1
	for _, e := range envs {
		if e.first != next {
			return fmt.Errorf("batches %d-%d do not follow %d", e.first, e.last, next-1)
		}
		next = e.last + 1
	}
	m.snap, m.envs = snap, envs
	return nil
}

// clear forgets everything kept.
func (m *Mirror) clear() {
	files, _ := filepath.Glob(filepath.Join(m.dir, "batches", "*.sig"))
	for _, f := range files {
		os.Remove(f)
	}
	os.Remove(m.manifestPath())
	os.Remove(m.snapshotPath())
	m.snap, m.envs = nil, nil
}

// payloadOf decodes a framed signed envelope's payload, unchecked: the
// mirror's client checked it before keeping it.
func payloadOf(framed []byte) (*feed.Envelope, error) {
	if len(framed) < 1+ed25519.SignatureSize || framed[0] != frameSigned {
		return nil, errors.New("not a signed envelope")
	}
	var env feed.Envelope
	if err := json.Unmarshal(framed[1+ed25519.SignatureSize:], &env); err != nil {
		return nil, err
	}
	return &env, nil
}

func parseManifest(framed []byte, received time.Time) (*mirrorSnap, error) {
	env, err := payloadOf(framed)
	if err != nil || env.Snapshot == nil {
		return nil, fmt.Errorf("not a snapshot manifest: %v", err)
	}
	st, _, err := env.Snapshot.State()
	if err != nil {
		return nil, err
	}
	return &mirrorSnap{manifest: framed, state: st, size: env.Snapshot.Size, expires: env.Expires, received: received}, nil
}

func parseBatches(framed []byte) (mirrorEnv, error) {
	env, err := payloadOf(framed)
	if err != nil || len(env.Batches) == 0 {
		return mirrorEnv{}, fmt.Errorf("not a batches envelope: %v", err)
	}
	var first, last struct {
		First int64 `json:"first"`
		Last  int64 `json:"last"`
	}
	if err := json.Unmarshal(env.Batches[0], &first); err != nil {
		return mirrorEnv{}, err
	}
	if err := json.Unmarshal(env.Batches[len(env.Batches)-1], &last); err != nil {
		return mirrorEnv{}, err
	}
	return mirrorEnv{first: first.First, last: last.Last, hash: sha256.Sum256(env.Batches[len(env.Batches)-1])}, nil
}

// needsSnapshot: the mirror has none to pass on, or the one it has is
// past half its life (its manifest would soon be refused).
func (m *Mirror) needsSnapshot() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.snap == nil || time.Until(m.snap.expires) < m.snap.expires.Sub(m.snap.received)/2
}

// keepSnapshot keeps a snapshot the mirror's client applied: its signed
// manifest and its file, before the client removes it. What was kept
// before goes, and the totems following the mirror dial again to catch
// up from it.
func (m *Mirror) keepSnapshot(signed []byte, path string, st feed.State) {
	framed := append([]byte{frameSigned}, signed...)
	snap, err := parseManifest(framed, time.Now())
	if err == nil {
		err = m.replaceSnapshot(framed, path)
	}
	if err != nil {
		m.log.Error("mirror: the snapshot was not kept", "err", err)
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.clearBatches()
	m.snap = snap
	for c := range m.conns {
		c.close()
	}
	m.log.Info("mirror: keeping a snapshot to pass on", "seq", st.Seq, "epoch", st.Epoch, "bytes", snap.size)
}

func (m *Mirror) replaceSnapshot(framed []byte, path string) error {
	tmp := m.snapshotPath() + ".tmp"
	os.Remove(tmp)
	if err := os.Link(path, tmp); err != nil {
		if err := copyFile(path, tmp); err != nil {
			return err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	// Open handles (a transfer under way) go on reading the old file.
	if err := os.Rename(tmp, m.snapshotPath()); err != nil {
		return err
	}
	return os.WriteFile(m.manifestPath(), framed, 0o644)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }() // read only
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		return errors.Join(err, out.Close())
	}
	return out.Close()
}

func (m *Mirror) clearBatches() {
	for _, e := range m.envs {
		os.Remove(e.path)
	}
	m.envs = nil
}

// keepBatches keeps a batches envelope the mirror's client applied, and
// passes it on to the totems following the mirror.
func (m *Mirror) keepBatches(signed []byte, bodies [][]byte, st feed.State) {
	framed := append([]byte{frameSigned}, signed...)
	e, err := parseBatches(framed)
	if err != nil {
		m.log.Error("mirror: batches not kept", "err", err)
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.snap == nil {
		return // nothing to start from: the next snapshot
	}
	next := m.snap.state.Seq + 1
	if n := len(m.envs); n > 0 {
		next = m.envs[n-1].last + 1
	}
	if e.first != next || e.last != st.Seq {
		m.log.Warn("mirror: batches out of step with what is kept: taking a snapshot at the next link", "first", e.first, "expected", next)
		m.snap.expires = time.Now() // needsSnapshot
		return
	}
	e.path = filepath.Join(m.dir, "batches", fmt.Sprintf("%020d-%020d.sig", e.first, e.last))
	if err := os.WriteFile(e.path, framed, 0o644); err != nil {
		m.log.Error("mirror: batches not kept", "err", err)
		return
	}
	m.envs = append(m.envs, e)
	for c := range m.conns {
		c.push(mirrorFrame{first: e.first, last: e.last, data: framed})
	}
}

// setHead keeps the portal's latest head and passes it on.
func (m *Mirror) setHead(signed []byte) {
	framed := append([]byte{frameSigned}, signed...)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.head = framed
	for c := range m.conns {
		c.push(mirrorFrame{data: framed})
	}
}

// MirrorState says what the mirror has to pass on.
type MirrorState struct {
	SnapshotSeq int64 `json:"snapshot_seq"`
	Epoch       int64 `json:"epoch"`
	Head        int64 `json:"head"` // the last sequence kept
	Envelopes   int   `json:"envelopes"`
	Totems      int   `json:"totems"`
}

// State reports what the mirror keeps.
func (m *Mirror) State() MirrorState {
	m.mu.Lock()
	defer m.mu.Unlock()
	var s MirrorState
	if m.snap != nil {
		s.SnapshotSeq, s.Epoch, s.Head = m.snap.state.Seq, m.snap.state.Epoch, m.snap.state.Seq
	}
	if n := len(m.envs); n > 0 {
		s.Head = m.envs[n-1].last
	}
	s.Envelopes, s.Totems = len(m.envs), len(m.conns)
	return s
}

// plan is what a totem that said hello needs: the snapshot or not, and
// the envelopes after it.
func (m *Mirror) plan(hello totemMsg) (snap *mirrorSnap, envs []mirrorEnv, head []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.snap == nil || m.head == nil {
		return nil, nil, nil
	}
	head = m.head
	// A totem at 0 may hold anything: a snapshot, as the portal does.
	if hello.Epoch == m.snap.state.Epoch && hello.Seq > 0 {
		if hello.Seq == m.snap.state.Seq && strings.EqualFold(hello.Hash, hex.EncodeToString(m.snap.state.Hash[:])) {
			return nil, append([]mirrorEnv(nil), m.envs...), head
		}
		for i, e := range m.envs {
			if hello.Seq == e.last && strings.EqualFold(hello.Hash, hex.EncodeToString(e.hash[:])) {
				return nil, append([]mirrorEnv(nil), m.envs[i+1:]...), head
			}
		}
		last := m.snap.state.Seq
		if n := len(m.envs); n > 0 {
			last = m.envs[n-1].last
		}
		if hello.Seq > last {
			return nil, nil, head // ahead of what the mirror has: the head says where the portal is
		}
	}
	return m.snap, append([]mirrorEnv(nil), m.envs...), head
}

// kept lists the envelopes kept.
func (m *Mirror) kept() []mirrorEnv {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]mirrorEnv(nil), m.envs...)
}

package main

import (
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/internal/testenv"
)

// sendHugeFrame writes the header of one binary frame of size bytes on
// the raw connection, then its payload until the peer stops reading; it
// returns how much of the payload went out.
func sendHugeFrame(ws *websocket.Conn, size int64) int64 {
	hdr := make([]byte, 10)
	hdr[0], hdr[1] = 0x82, 127 // final binary frame, 64-bit length, unmasked (from a server)
	binary.BigEndian.PutUint64(hdr[2:], uint64(size))
	conn := ws.NetConn()
	conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
	if _, err := conn.Write(hdr); err != nil {
		return 0
	}
	var sent int64
	for sent < size {
		n, err := conn.Write(zeros)
		sent += int64(n)
		if err != nil {
			break
		}
	}
	return sent
}

// TestTotemBoundsFrames puts a real totem process under a hostile portal
// that sends 1 GiB frames, before its welcome and after it, and announces
// a 1 TiB snapshot: the totem reads none of it, drops the link, and stays
// under 100 MiB.
func TestTotemBoundsFrames(t *testing.T) {
	t.Parallel()
	pub, key, _ := ed25519.GenerateKey(nil)
	fake, base, totem := startHostile(t, t.TempDir(), pub, key)
	pid := totem.Cmd.Process.Pid
	rss := testenv.WatchRSS(t, pid)
	before := rss.Before
	const gib = 1 << 30

	// Before the welcome: anyone could be in the portal's place.
	ws, _, _ := fake.acceptHello()
	if sent := sendHugeFrame(ws, gib); sent >= gib {
		t.Error("the totem read a 1 GiB frame before the welcome")
	}
	ws.Close()
	// After a valid welcome: still more than any envelope the portal signs.
	ws, _ = fake.accept()
	if sent := sendHugeFrame(ws, gib); sent >= gib {
		t.Error("the totem read a 1 GiB frame after the welcome")
	}
	ws.Close()
	// A signed manifest of a snapshot larger than the totem takes.
	ws, _ = fake.accept()
	payload, _ := json.Marshal(feed.Envelope{Type: feed.EnvelopeSnapshot, Expires: time.Now().Add(time.Minute).UTC(),
		Snapshot: &feed.SnapshotManifest{Seq: 1, Hash: strings.Repeat("ab", 32), Size: 1 << 40, SHA256: strings.Repeat("cd", 32)}})
	fake.send(ws, feed.Sign(key, payload))
	if typ, reason, _ := answer(t, ws); typ != "reject" || reason != "invalid" {
		t.Errorf("a 1 TiB snapshot: %s %s", typ, reason)
	}
	ws.Close()
	// It dials again and is still in good health.
	ws, _ = fake.accept()
	peak := rss.Stop()
	t.Logf("totem RSS %.0f MiB before, at most %.0f MiB under 1 GiB frames", before, peak)
	budget := 100.0
	if testenv.RaceBinary() {
		budget += before // the race detector's shadow memory: see TestPortalBoundsBodies
	}
	if peak > budget {
		t.Errorf("the totem reached %.0f MiB (at most %.0f)", peak, budget)
	}
	if !strings.Contains(totem.Output(), "read limit exceeded") {
		t.Error("the totem did not say why it dropped the link")
	}
	waitHealthy(t, base, totem)
	ws.Close()
}

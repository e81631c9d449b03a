package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/common/expfmt"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/fleet"
	"github.com/punto-totem/punto/internal/testenv"
)

// fakePortal is a hostile or broken portal: the test decides every frame a
// real totem process receives from it.
type fakePortal struct {
	t     *testing.T
	key   ed25519.PrivateKey
	conns chan *websocket.Conn
	url   string
}

func newFakePortal(t *testing.T, key ed25519.PrivateKey) *fakePortal {
	f := &fakePortal{t: t, key: key, conns: make(chan *websocket.Conn, 4)}
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		f.conns <- ws
	}))
	t.Cleanup(srv.Close)
	f.url = "ws" + strings.TrimPrefix(srv.URL, "http") + "/sync"
	return f
}

// accept waits for the totem to dial and say hello, and welcomes it as a
// portal at the totem's own sequence.
func (f *fakePortal) accept() (*websocket.Conn, int64) {
	f.t.Helper()
	ws, seq, nonce := f.acceptHello()
	f.welcome(ws, nonce, seq)
	return ws, seq
}

// acceptHello waits for the totem to dial and say hello, and returns the
// connection, the sequence and the nonce it said.
func (f *fakePortal) acceptHello() (*websocket.Conn, int64, string) {
	f.t.Helper()
	select {
	case ws := <-f.conns:
		f.t.Cleanup(func() { ws.Close() })
		var hello struct {
			Type  string `json:"type"`
			Seq   int64  `json:"seq"`
			Nonce string `json:"nonce"`
		}
		ws.SetReadDeadline(time.Now().Add(20 * time.Second))
		if err := ws.ReadJSON(&hello); err != nil || hello.Type != "hello" {
			f.t.Fatalf("hello: %+v %v", hello, err)
		}
		return ws, hello.Seq, hello.Nonce
	case <-time.After(30 * time.Second):
		f.t.Fatal("the totem did not dial")
		return nil, 0, ""
	}
}

// welcome sends the signed welcome to a hello's nonce, with the portal's
// head.
func (f *fakePortal) welcome(ws *websocket.Conn, nonce string, head int64) {
	f.t.Helper()
	payload, err := json.Marshal(feed.Envelope{Type: feed.EnvelopeWelcome, Nonce: nonce, Now: time.Now().UTC(), Head: head})
	if err != nil {
		f.t.Fatal(err)
	}
	f.send(ws, feed.Sign(f.key, payload))
}

func (f *fakePortal) send(ws *websocket.Conn, frame []byte) {
	f.t.Helper()
	if err := ws.WriteMessage(websocket.BinaryMessage, append([]byte{'S'}, frame...)); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fakePortal) signed(expires time.Time, bodies ...[]byte) []byte {
	return feed.Sign(f.key, feed.EncodeBatches(expires, bodies))
}

// startHostile starts a real totem process "t1" following a fake portal
// that signs with key, and returns the portal, the totem's base URL and
// its process.
func startHostile(t *testing.T, dir string, pub ed25519.PublicKey, key ed25519.PrivateKey) (*fakePortal, string, *testenv.Proc) {
	t.Helper()
	fake := newFakePortal(t, key)
	addr := testenv.FreeAddr(t)
	base := "http://" + addr
	db := filepath.Join(dir, "totem.db")
	testenv.CopyDemo(t, db) // what --demo would create on the first start
	totem := testenv.StartPunto(t, "totem", "totem", "--db", db, "--demo", "--addr", addr,
		"--portal", fake.url, "--portal-key", feed.EncodePublicKey(pub), "--token", "pt_test", "--totem-id", "t1", "--insecure-dev",
		"--retry-max", "1s") // it dials again within a second of every refusal
	waitHealthy(t, base, totem)
	return fake, base, totem
}

// answer reads the totem's answer to a frame.
func answer(t *testing.T, ws *websocket.Conn) (typ, reason string, seq int64) {
	t.Helper()
	var m struct {
		Type   string `json:"type"`
		Reason string `json:"reason"`
		Seq    int64  `json:"seq"`
	}
	for {
		ws.SetReadDeadline(time.Now().Add(20 * time.Second))
		if err := ws.ReadJSON(&m); err != nil {
			t.Fatalf("no answer from the totem: %v", err)
		}
		if m.Type != "heartbeat" { // its regular report, not an answer
			return m.Type, m.Reason, m.Seq
		}
	}
}

// TestTotemRefusesBadBatches feeds a real totem process tampered, replayed,
// reordered, expired, unsigned and foreign-signed batches over a real
// websocket: each is refused and reported, and nothing of it is applied.
func TestTotemRefusesBadBatches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	pub, key, _ := ed25519.GenerateKey(nil)
	_, otherKey, _ := ed25519.GenerateKey(nil)
	// The batches come from a real catalog's feed.
	portalDB := filepath.Join(dir, "portal.db")
	testenv.CopyDemo(t, portalDB)
	master, err := content.Open(ctx, portalDB)
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	const id = "ancona-info-0"
	for i := 1; i <= 3; i++ {
		svc, err := master.Service(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		svc.Name["it"] = fmt.Sprintf("Versione %d", i)
		doc, _ := json.Marshal(svc)
		if _, err := feed.Publish(ctx, master, "test", []content.Change{{Kind: content.KindService, ID: id, Op: content.OpPut, Doc: doc}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	batches, _, err := feed.BatchesAfter(ctx, master, 0, 100)
	if err != nil || len(batches) != 3 {
		t.Fatalf("batches: %d %v", len(batches), err)
	}
	b1, b2, b3 := batches[0].Body, batches[1].Body, batches[2].Body

	fake, base, _ := startHostile(t, dir, pub, key)
	original := serviceName(t, base, id)

	ws, seq := fake.accept()
	if seq != 0 {
		t.Fatalf("a new totem says hello with %d", seq)
	}
	fake.send(ws, fake.signed(time.Now().Add(time.Minute), b1))
	if typ, _, seq := answer(t, ws); typ != "ack" || seq != 1 {
		t.Fatalf("valid batch: %s %d", typ, seq)
	}
	if got := serviceName(t, base, id); got != "Versione 1" {
		t.Fatalf("after the valid batch: %q", got)
	}

	flipped := fake.signed(time.Now().Add(time.Minute), b2)
	i := strings.Index(string(flipped), "Versione 2")
	flipped[i+len("Versione ")] = '9'
	expired := fake.signed(time.Now().Add(-time.Second), b2)
	cases := []struct {
		name   string
		frame  []byte
		reason string
	}{
		{"tampered", flipped, "tampered"},
		{"replayed", fake.signed(time.Now().Add(time.Minute), b1), "replay"},
		{"reordered", fake.signed(time.Now().Add(time.Minute), b3, b2), "out_of_order"},
		{"gap", fake.signed(time.Now().Add(time.Minute), b3), "out_of_order"},
		{"expired", expired, "expired"},
		{"unsigned", feed.EncodeBatches(time.Now().Add(time.Minute), [][]byte{b2}), "tampered"},
		{"signed by another key", feed.Sign(otherKey, feed.EncodeBatches(time.Now().Add(time.Minute), [][]byte{b2})), "tampered"},
	}
	for _, c := range cases {
		fake.send(ws, c.frame)
		typ, reason, _ := answer(t, ws)
		if typ != "reject" || reason != c.reason {
			t.Errorf("%s: answered %s %q, want reject %q", c.name, typ, reason, c.reason)
		}
		if got := serviceName(t, base, id); got != "Versione 1" {
			t.Fatalf("%s: the totem applied a refused batch: %q", c.name, got)
		}
		if f := feedOf(t, base, false); f.Seq != 1 {
			t.Fatalf("%s: the totem's sequence moved to %d", c.name, f.Seq)
		}
		if c.reason != "replay" {
			// The totem drops the link and dials again from what it holds.
			ws.Close()
			if ws, seq = fake.accept(); seq != 1 {
				t.Fatalf("%s: redialled with %d", c.name, seq)
			}
		}
	}
	if original == "Versione 1" {
		t.Fatal("the demo already had the test's name")
	}
	// The real thing still goes through.
	fake.send(ws, fake.signed(time.Now().Add(time.Minute), b2, b3))
	if typ, _, seq := answer(t, ws); typ != "ack" || seq != 3 {
		t.Fatalf("valid batches after the refusals: %s %d", typ, seq)
	}
	want, _ := master.Digest(ctx)
	if got := feedOf(t, base, true).Digest; got != want {
		t.Fatal("the totem differs from the feed's source")
	}
	// Its metrics count every refusal, by reason.
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var parser expfmt.TextParser
	mfs, err := parser.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var refused float64
	for _, m := range mfs["punto_feed_envelopes_rejected_total"].GetMetric() {
		refused += m.GetCounter().GetValue()
	}
	if refused != float64(len(cases)) {
		t.Errorf("metrics count %v refusals, want %d", refused, len(cases))
	}
	if applied := mfs["punto_feed_envelopes_applied_total"].GetMetric(); len(applied) != 1 || applied[0].GetCounter().GetValue() != 2 {
		t.Errorf("applied envelopes: %v", applied)
	}
}

// TestTotemRefusesBadCommands sends a real totem process commands from a
// hostile portal: tampered, expired, signed by another key, unsigned, and
// one for another totem. Each is refused and reported and does nothing
// (no message shows, the process does not restart); a valid command for
// it is carried out once, however often it comes.
func TestTotemRefusesBadCommands(t *testing.T) {
	t.Parallel()
	pub, key, _ := ed25519.GenerateKey(nil)
	_, otherKey, _ := ed25519.GenerateKey(nil)
	fake, base, totem := startHostile(t, t.TempDir(), pub, key)
	ws, _ := fake.accept()

	command := func(signer ed25519.PrivateKey, expires time.Time, c fleet.Command) []byte {
		c.Issued = time.Now()
		payload, err := feed.EncodeCommand(expires, &c)
		if err != nil {
			t.Fatal(err)
		}
		return feed.Sign(signer, payload)
	}
	msg := func(id, text string, totems ...string) fleet.Command {
		return fleet.Command{ID: id, Action: fleet.CommandMessage, Totems: totems, Text: content.Text{"it": text}, Minutes: 5}
	}
	soon := time.Now().Add(time.Minute)
	tampered := command(key, soon, msg("cmd-1", "Messaggio vero", "t1"))
	i := strings.Index(string(tampered), "vero")
	copy(tampered[i:], "FALS")
	messages := func() []string {
		var out struct {
			Alerts []struct {
				Kind string `json:"kind"`
				Text struct {
					Text string `json:"text"`
				} `json:"text"`
			} `json:"alerts"`
		}
		testenv.GetJSON(t, base+"/api/v1/alerts?lang=it", &out)
		var got []string
		for _, a := range out.Alerts {
			if a.Kind == "message" {
				got = append(got, a.Text.Text)
			}
		}
		return got
	}
	cases := []struct {
		name   string
		frame  []byte
		reason string
		drops  bool // the totem drops the link and dials again
	}{
		{"tampered", tampered, "tampered", true},
		{"expired", command(key, time.Now().Add(-time.Second), msg("cmd-2", "Scaduto", "t1")), "expired", true},
		{"signed by another key", command(otherKey, soon, fleet.Command{ID: "cmd-3", Action: fleet.CommandRestart, Totems: []string{"t1"}}), "tampered", true},
		{"unsigned", []byte(`{"type":"command","expires":"2099-01-01T00:00:00Z","command":{"id":"cmd-4","action":"restart","totems":["t1"]}}`), "tampered", true},
		{"for another totem", command(key, soon, fleet.Command{ID: "cmd-5", Action: fleet.CommandRestart, Totems: []string{"t2"}}), "not_addressed", false},
		{"nonsense action", command(key, soon, fleet.Command{ID: "cmd-6", Action: "format", Totems: []string{"t1"}}), "invalid", true},
	}
	for _, c := range cases {
		fake.send(ws, c.frame)
		typ, reason, _ := answer(t, ws)
		if typ != "reject" || reason != c.reason {
			t.Errorf("%s: answered %s %q, want reject %q", c.name, typ, reason, c.reason)
		}
		if got := messages(); len(got) != 0 {
			t.Fatalf("%s: a message shows: %v", c.name, got)
		}
		if totem.Exited() {
			t.Fatalf("%s: the totem exited", c.name)
		}
		if c.drops {
			ws.Close()
			ws, _ = fake.accept()
		}
	}
	// A valid one is carried out, once, however often it comes.
	good := command(key, soon, msg("cmd-7", "Messaggio vero", "t1", "t2"))
	for range 2 {
		fake.send(ws, good)
		if typ, _, _ := answer(t, ws); typ != "done" {
			t.Fatalf("valid command: %s", typ)
		}
	}
	if got := messages(); len(got) != 1 || got[0] != "Messaggio vero" {
		t.Fatalf("messages: %v", got)
	}
	if n := strings.Count(totem.Output(), `msg="command from the portal" id=cmd-7`); n != 1 {
		t.Errorf("carried out %d times", n)
	}
}

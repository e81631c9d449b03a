package relay

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/fleet"
)

// TestHubRelayedLinks dials the portal's hub as a mirror relaying totems:
// a mirror must prove who it is; a wrong totem token counts against the
// totem's address behind the mirror, not the mirror's (which keeps its own
// link and relays other totems); and a relayed link gets the totem's
// commands but none of the feed, which is the mirror's to send.
func TestHubRelayedLinks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	master := openCatalog(t, tempDB(t, "portal.db"), true)
	pub, key, _ := ed25519.GenerateKey(nil)
	p := startPortal(t, master, key)
	reg := fleetOf(t, master)
	mirrorTok, _ := reg.AddTotem(ctx, "mirror-1", "mirror", content.DemoTotem)
	totemTok, _ := reg.AddTotem(ctx, "t1", "t1", content.DemoTotem)
	dial := func(id, token, mirror, mirrorToken, from string) (*websocket.Conn, int) {
		t.Helper()
		hdr := http.Header{headerTotem: {id}, headerAuth: {"Bearer " + token}}
		if mirror != "" {
			hdr.Set(headerMirror, mirror)
			hdr.Set(headerMirrorToken, mirrorToken)
			hdr.Set(headerMirrorFor, from)
		}
		ws, res, err := websocket.DefaultDialer.Dial(p.url, hdr)
		if err != nil {
			if res == nil {
				t.Fatal(err)
			}
			return nil, res.StatusCode
		}
		return ws, res.StatusCode
	}
	if _, code := dial("t1", totemTok, "mirror-1", "pt_wrong", "10.0.0.1"); code != http.StatusUnauthorized {
		t.Fatalf("a relay with a wrong mirror token: %d", code)
	}
	for i := range syncFailures {
		if _, code := dial("t1", "pt_wrong", "mirror-1", mirrorTok, "10.0.0.1"); code != http.StatusUnauthorized {
			t.Fatalf("a wrong totem token through the mirror (%d): %d", i, code)
		}
	}
	if _, code := dial("t1", totemTok, "mirror-1", mirrorTok, "10.0.0.1"); code != http.StatusTooManyRequests {
		t.Fatalf("the guessing address behind the mirror, after %d refusals: %d", syncFailures, code)
	}
	own, code := dial("mirror-1", mirrorTok, "", "", "")
	if code != http.StatusSwitchingProtocols {
		t.Fatalf("the mirror's own link after its totems' refusals: %d", code)
	}
	own.Close()
	ws, code := dial("t1", totemTok, "mirror-1", mirrorTok, "10.0.0.2")
	if code != http.StatusSwitchingProtocols {
		t.Fatalf("another totem's address behind the mirror: %d", code)
	}
	defer ws.Close()
	if err := ws.WriteJSON(totemMsg{Type: "hello", Seq: 0, Nonce: "n1"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the relayed totem is connected", func() bool { _, ok := p.hub.Connected()["t1"]; return ok })
	// A publish goes to the mirror's totems through the mirror, not here;
	// the command does come, and is the first frame: no welcome, no
	// snapshot before it.
	rename(t, p.hub, master, "ancona-info-0", "Not for the relayed link")
	cmd := &fleet.Command{Action: fleet.CommandMessage, Totems: []string{"t1"}, Text: content.Text{"it": "ciao"}, Minutes: 5}
	if err := p.hub.Command(ctx, "admin", cmd, time.Minute); err != nil {
		t.Fatal(err)
	}
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	typ, data, err := ws.ReadMessage()
	if err != nil || typ != websocket.BinaryMessage || len(data) < 2 || data[0] != frameSigned {
		t.Fatalf("the first frame down the relayed link: %d %q %v", typ, data, err)
	}
	env, err := feed.OpenEnvelope(pub, data[1:], time.Now())
	var got fleet.Command
	if err != nil || env.Type != feed.EnvelopeCommand || json.Unmarshal(env.Command, &got) != nil || got.ID == "" || got.ID != cmd.ID {
		t.Fatalf("the first frame down the relayed link is not the command %q: %+v %v", cmd.ID, env, err)
	}
	// The totem's acknowledgement, passed up by the mirror, is its
	// state on the fleet.
	if err := ws.WriteJSON(totemMsg{Type: "ack", Seq: 7}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the portal has the relayed totem's ack", func() bool { return p.hub.Connected()["t1"] == 7 })
}

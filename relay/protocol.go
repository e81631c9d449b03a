// Package relay carries the change feed from the portal to its totems over
// websockets: the portal's hub (Hub) pushes signed batches and snapshots,
// each totem's client (Client) applies them to its replica and acknowledges
// what it has committed. Both stand on content/feed, and carry the fleet's
// traffic too: heartbeats, commands and needs figures.
//
// It must not import kiosk, portal or editorial: the wiring (cmd/punto)
// gives the hub to the editor and tells the screens what the client
// applied.
//
// The protocol, on one websocket per totem at the portal's /sync:
//
//   - The totem dials with "Authorization: Bearer TOKEN" and
//     "X-Punto-Totem: ID", then says hello: {"type":"hello","seq":N,"hash":H,
//     "nonce":R}. The portal answers with a signed welcome carrying R back,
//     its clock (expiries are checked against it, so a totem with a wrong
//     clock still syncs) and its sequence.
//   - The portal answers with binary frames. A frame starting with 'S' is a
//     signed envelope (feed.Sign): batches of changes, or the manifest of
//     a snapshot whose file follows in frames starting with 'D'.
//   - The totem applies each envelope in one transaction and only then
//     acknowledges, {"type":"ack","seq":N}; a refused envelope is reported,
//     {"type":"reject","reason":…}, and nothing of it is applied.
//   - A command envelope names the totems it is for; a totem carries out
//     one that names it, once, and says {"type":"done","id":…} (with a
//     detail if it failed), or refuses it with a reject carrying its id.
//   - Every heartbeat interval the totem reports its state
//     ({"type":"heartbeat"}) and the needs figures that changed
//     ({"type":"needs","counts":[…]}, absolute counts per hour).
//   - A totem behind a mirror (punto mirror) gets the feed from the
//     mirror, and is on the portal's fleet all the same: the mirror dials
//     the portal once per totem with the totem's credentials and its own
//     (headerMirror), passes the totem's hello and every text frame up,
//     and the portal's commands and answers down. On that relayed link
//     the portal sends no feed: the mirror does.
//   - A totem asks the portal on behalf of a visitor ({"type":"ask",
//     "id":…,"ask":{"kind":"reach"|"callback",…}}): who is reachable in
//     its territory, or a call-back to queue. The portal answers in a
//     binary frame starting with 'A', signed (its own signing context)
//     and bound to the connection's nonce and the ask's ID. Nothing of an
//     ask is written on the totem (see client_callback.go).
package relay

import (
	"encoding/json"
	"time"

	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/fleet"
)

// Frame tags: the first byte of every binary frame from the portal.
const (
	frameSigned byte = 'S'
	frameData   byte = 'D'
	frameAnswer byte = 'A' // the portal's answer to an ask (hub_callback.go)
)

// Headers the totem identifies itself with. A mirror that relays a
// totem's reports and commands (mirror_upstream.go) dials the portal with
// the totem's own two, and its own identity beside them: its ID, its token
// and the address the totem dialled it from (which the portal limits
// refusals by, in place of the mirror's own).
const (
	headerTotem       = "X-Punto-Totem"
	headerAuth        = "Authorization"
	headerMirror      = "X-Punto-Mirror"
	headerMirrorToken = "X-Punto-Mirror-Token"
	headerMirrorFor   = "X-Punto-Mirror-For"
)

// Path is where the portal serves totems.
const Path = "/sync"

// totemMsg is a text frame from a totem.
type totemMsg struct {
	Type    string          `json:"type"` // hello, ack, reject, heartbeat, done (a command) or needs
	Seq     int64           `json:"seq"`
	Hash    string          `json:"hash,omitempty"`
	Version string          `json:"version,omitempty"`
	Nonce   string          `json:"nonce,omitempty"` // hello: the welcome must carry it back
	State   json.RawMessage `json:"state,omitempty"` // heartbeat: the totem's report
	Reason  string          `json:"reason,omitempty"`
	Detail  string          `json:"detail,omitempty"`
	// ID names the command a reject or done is about.
	ID string `json:"id,omitempty"`
	// Counts are needs figures (type needs).
	Counts []fleet.NeedsCount `json:"counts,omitempty"`
	// Ask is a visitor's question to the portal (type ask, named by ID).
	Ask *Ask `json:"ask,omitempty"`

	// BeatMS (hello): the longest the totem wants the portal to stay
	// silent, in milliseconds (a third of its --max-staleness).
	BeatMS int64 `json:"beat_ms,omitempty"`
	// Epoch (hello): the feed epoch the totem's catalog is of.
	Epoch int64 `json:"epoch,omitempty"`
	// Mirror (hello): the node is a mirror (punto mirror), which keeps
	// what it is sent to pass it on.
	Mirror bool `json:"mirror,omitempty"`
}

const (
	pingEvery    = 20 * time.Second
	deadAfter    = 3 * pingEvery   // nothing heard for this long: the link is dead
	messageTime  = 2 * time.Minute // a message begun must arrive whole within this
	writeTimeout = 30 * time.Second
	chunkSize    = 1 << 20 // snapshot data frame
	maxTotemMsg  = 64 << 10
	// catchUpChanges and catchUpBytes bound one catch-up envelope (it
	// holds at least one batch, however large).
	catchUpChanges = 20000
	catchUpBytes   = 16 << 20
	// maxBeforeWelcome bounds a message from the portal until its signed
	// welcome has been checked: anyone can be in the portal's place until
	// then. After it, maxEnvelope: the largest envelope the portal signs
	// (one batch of the largest publish); while a snapshot's data comes,
	// one data frame.
	maxBeforeWelcome = 64 << 10
	maxEnvelope      = feed.MaxEnvelopeBytes
	maxDataFrame     = 1 + chunkSize
	// maxSnapshot is the largest snapshot a totem takes by default; it
	// also needs twice its size free on disk.
	maxSnapshot = 4 << 30
)

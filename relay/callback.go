package relay

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"time"

	"github.com/punto-totem/punto/internal/apierr"
)

// The kinds of ask a totem puts to the portal.
const (
	AskReach    = "reach"    // who is reachable from the totem's territory
	AskCallback = "callback" // queue a visitor's call-back
)

// Ask is a totem's question to the portal, on behalf of a visitor.
type Ask struct {
	Kind     string       `json:"kind"`
	Callback *CallbackAsk `json:"callback,omitempty"`
}

// CallbackAsk is a visitor's call-back as the totem forwards it. The
// portal attributes it to the totem's territory.
type CallbackAsk struct {
	Number   string `json:"number"`
	Language string `json:"language"`
	Topic    string `json:"topic"`
}

// Reach is who can be reached from a territory: per language, the weekly
// hours of the mediators on call by phone (Italian time), and whether one
// is on call now.
type Reach struct {
	Territory string      `json:"territory"`
	Languages []ReachLang `json:"languages"`
}

// ReachLang is one language's on-call hours.
type ReachLang struct {
	Language string       `json:"language"`
	Now      bool         `json:"now"`
	Hours    []ReachHours `json:"hours"`
}

// ReachHours is a weekly window: Weekday 1 (Monday) to 7, From–To as
// "HH:MM".
type ReachHours struct {
	Weekday int    `json:"weekday"`
	From    string `json:"from"`
	To      string `json:"to"`
}

// Desk is the portal's side of the asks: the call-back queue and the
// mediators' availability (cmd/punto wires them). A refusal is an
// *apierr.Error (400 naming the field, 429); it reaches the totem as it is.
type Desk interface {
	Reach(ctx context.Context, territory string) (*Reach, error)
	Callback(ctx context.Context, territory, totem string, ask CallbackAsk) error
}

// ErrOffline: the portal cannot be asked now (no link, or no answer in
// time).
var ErrOffline = errors.New("relay: the portal cannot be reached now")

// answerContext is prefixed to every signed answer, so that an answer's
// signature can never pass for a feed envelope's, nor one's for an answer.
const answerContext = "punto/relay/answer/v1\x00"

// answerTTL bounds how long an answer may be held back.
const answerTTL = time.Minute

// maxAnswer bounds an answer frame.
const maxAnswer = 64 << 10

// answerMsg is the signed payload of an answer frame.
type answerMsg struct {
	Nonce   string        `json:"nonce"` // the connection's, from its hello
	ID      string        `json:"id"`    // the ask's
	Expires time.Time     `json:"expires"`
	Status  int           `json:"status"` // 202 (queued), 200 (reach) or the refusal's
	Error   *apierr.Error `json:"error,omitempty"`
	Reach   *Reach        `json:"reach,omitempty"`
}

func signAnswer(key ed25519.PrivateKey, a answerMsg) ([]byte, error) {
	payload, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	sig := ed25519.Sign(key, append([]byte(answerContext), payload...))
	return append(append([]byte{frameAnswer}, sig...), payload...), nil
}

// openAnswer checks an answer frame (without its tag) against the
// portal's key, the connection's nonce and now.
func openAnswer(pub ed25519.PublicKey, nonce string, frame []byte, now time.Time) (*answerMsg, error) {
	if len(frame) < ed25519.SignatureSize || len(frame) > maxAnswer {
		return nil, errors.New("relay: an answer of the wrong size")
	}
	sig, payload := frame[:ed25519.SignatureSize], frame[ed25519.SignatureSize:]
	if !ed25519.Verify(pub, append([]byte(answerContext), payload...), sig) {
		return nil, errors.New("relay: an answer not signed by the portal")
	}
	var a answerMsg
	if err := json.Unmarshal(payload, &a); err != nil {
		return nil, err
	}
	if a.Nonce != nonce {
		return nil, errors.New("relay: an answer for another connection")
	}
	if now.After(a.Expires) {
		return nil, errors.New("relay: an expired answer")
	}
	return &a, nil
}

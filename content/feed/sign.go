package feed

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// signingContext is prefixed to every signed payload, so that a signature
// made for the feed can never be passed off as one for anything else.
const signingContext = "punto/feed/v1\x00"

// Envelope is a signed message from the portal to its totems: batches of
// changes, a snapshot manifest, or a command. Expires bounds how
// long it may be held back and delivered.
type Envelope struct {
	Type    string    `json:"type"` // welcome, heartbeat, batches, snapshot or command
	Expires time.Time `json:"expires,omitzero"`
	// A welcome answers the totem's hello: its nonce (so it cannot be
	// replayed), the portal's clock (a totem whose own clock is wrong
	// checks expiries against the portal's) and the portal's sequence.
	Nonce    string            `json:"nonce,omitempty"`
	Now      time.Time         `json:"now,omitzero"`
	Head     int64             `json:"head,omitempty"`
	Batches  []json.RawMessage `json:"batches,omitempty"`
	Snapshot *SnapshotManifest `json:"snapshot,omitempty"`
	// Command is the order a command envelope carries, as JSON: the feed
	// signs it and checks that it is there; what it says, and whether it
	// is a valid order, is for the fleet to read (see EncodeCommand).
	Command json.RawMessage `json:"command,omitempty"`
	// Keys (welcome) are the root-signed records of the portal's key
	// rotations and revocations: a totem learns them before it checks
	// the welcome's signature, which may be by a key they introduce.
	Keys []SignedKeyRecord `json:"keys,omitempty"`
	// Epoch (welcome, heartbeat) is the portal's feed epoch.
	Epoch int64 `json:"epoch,omitempty"`
}

// SnapshotManifest describes a snapshot file that follows in data frames.
type SnapshotManifest struct {
	Epoch  int64  `json:"epoch,omitempty"`
	Seq    int64  `json:"seq"`
	Hash   string `json:"hash"`   // hex: the batch hash at Seq
	Size   int64  `json:"size"`   // bytes
	SHA256 string `json:"sha256"` // hex, of the whole file
}

// The envelope types.
const (
	EnvelopeWelcome  = "welcome"
	EnvelopeBatches  = "batches"
	EnvelopeSnapshot = "snapshot"
	EnvelopeCommand  = "command"
	// EnvelopeHeartbeat is the portal's periodic word on a live link: its
	// clock and head, bound to the connection's nonce like the welcome.
	// A totem that hears none for too long says its data is stale.
	EnvelopeHeartbeat = "heartbeat"
	// EnvelopeHead is the portal's periodic word to mirrors, which pass
	// it on to the totems that follow them: its clock, head and epoch,
	// bound to no connection (a totem cannot reach the portal's nonce
	// through a mirror) but short-lived. A totem takes it in place of a
	// welcome and of heartbeats.
	EnvelopeHead = "head"
)

// EncodeHead builds the payload of a head envelope.
func EncodeHead(expires, now time.Time, head, epoch int64, keys []SignedKeyRecord) []byte {
	b, _ := json.Marshal(Envelope{Type: EnvelopeHead, Expires: expires.UTC(), Now: now.UTC(), Head: head, Epoch: epoch, Keys: keys})
	return b
}

// EncodeBatches builds the payload of a batches envelope. The batch bodies
// are spliced in byte for byte: their hashes chain the feed.
func EncodeBatches(expires time.Time, bodies [][]byte) []byte {
	var b bytes.Buffer
	exp, _ := json.Marshal(expires.UTC())
	b.WriteString(`{"type":"batches","expires":`)
	b.Write(exp)
	b.WriteString(`,"batches":[`)
	for i, body := range bodies {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(body)
	}
	b.WriteString("]}")
	return b.Bytes()
}

// EncodeHeartbeat builds the payload of a heartbeat for the connection
// whose hello carried nonce: the portal's clock and head.
func EncodeHeartbeat(expires, now time.Time, nonce string, head int64) []byte {
	b, _ := json.Marshal(Envelope{Type: EnvelopeHeartbeat, Expires: expires.UTC(), Nonce: nonce, Now: now.UTC(), Head: head})
	return b
}

// EncodeCommand builds the payload of a command envelope carrying cmd,
// encoded as JSON.
func EncodeCommand(expires time.Time, cmd any) ([]byte, error) {
	raw, err := json.Marshal(cmd)
	if err != nil {
		return nil, err
	}
	return json.Marshal(Envelope{Type: EnvelopeCommand, Expires: expires.UTC(), Command: raw})
}

// Sign returns the signature of payload followed by payload.
func Sign(key ed25519.PrivateKey, payload []byte) []byte {
	msg := make([]byte, 0, len(signingContext)+len(payload))
	msg = append(append(msg, signingContext...), payload...)
	sig := ed25519.Sign(key, msg)
	return append(sig, payload...)
}

// Verifier tells whether a signature over msg is by a portal key believed
// at now: one key (Key), or a totem's Keyring.
type Verifier interface {
	Verify(msg, sig []byte, now time.Time) bool
}

// Key is a Verifier of one public key.
type Key ed25519.PublicKey

// Verify checks sig with the key.
func (k Key) Verify(msg, sig []byte, _ time.Time) bool {
	return len(k) == ed25519.PublicKeySize && ed25519.Verify(ed25519.PublicKey(k), msg, sig)
}

// OpenEnvelope checks a signed message against the portal's public key and
// its expiry, and decodes it. Any failure is a *RejectError.
func OpenEnvelope(pub ed25519.PublicKey, signed []byte, now time.Time) (*Envelope, error) {
	return OpenEnvelopeWith(Key(pub), signed, now)
}

// PeekKeys reads the key records of a signed welcome (or head) before its signature
// is checked: they carry their own, by the root key.
func PeekKeys(signed []byte) []SignedKeyRecord {
	if len(signed) < ed25519.SignatureSize {
		return nil
	}
	var env struct {
		Type string            `json:"type"`
		Keys []SignedKeyRecord `json:"keys"`
	}
	if json.Unmarshal(signed[ed25519.SignatureSize:], &env) != nil || (env.Type != EnvelopeWelcome && env.Type != EnvelopeHead) {
		return nil
	}
	return env.Keys
}

// OpenEnvelopeWith is OpenEnvelope with the keys believed at now.
func OpenEnvelopeWith(keys Verifier, signed []byte, now time.Time) (*Envelope, error) {
	if len(signed) < ed25519.SignatureSize {
		return nil, reject("unsigned", "message too short to carry a signature")
	}
	sig, payload := signed[:ed25519.SignatureSize], signed[ed25519.SignatureSize:]
	msg := make([]byte, 0, len(signingContext)+len(payload))
	msg = append(append(msg, signingContext...), payload...)
	if !keys.Verify(msg, sig, now) {
		return nil, reject("tampered", "signature does not match the portal's key")
	}
	var env Envelope
	if err := json.Unmarshal(payload, &env); err != nil {
		return nil, reject("invalid", "signed payload: %v", err)
	}
	if env.Type == EnvelopeWelcome {
		// Fresh by its nonce, which the caller checks; it has no expiry.
		if env.Nonce == "" || env.Now.IsZero() {
			return nil, reject("invalid", "a welcome without nonce or time")
		}
		return &env, nil
	}
	if env.Expires.IsZero() || now.After(env.Expires) {
		return nil, reject("expired", "expired at %s", env.Expires.Format(time.RFC3339))
	}
	switch env.Type {
	case EnvelopeBatches:
		if len(env.Batches) == 0 {
			return nil, reject("invalid", "no batches")
		}
	case EnvelopeSnapshot:
		if env.Snapshot == nil || env.Snapshot.Size <= 0 {
			return nil, reject("invalid", "no snapshot manifest")
		}
	case EnvelopeCommand:
		if len(env.Command) == 0 || string(env.Command) == "null" {
			return nil, reject("invalid", "no command")
		}
	case EnvelopeHeartbeat:
		if env.Nonce == "" || env.Now.IsZero() || env.Head < 0 {
			return nil, reject("invalid", "a heartbeat without nonce or time")
		}
	case EnvelopeHead:
		if env.Now.IsZero() || env.Head < 0 {
			return nil, reject("invalid", "a head without time")
		}
	default:
		return nil, reject("invalid", "unknown envelope type %q", env.Type)
	}
	return &env, nil
}

// Bodies returns the envelope's batch bodies as bytes.
func (e *Envelope) Bodies() [][]byte {
	out := make([][]byte, len(e.Batches))
	for i, b := range e.Batches {
		out[i] = b
	}
	return out
}

// State returns the manifest's feed position and file checksum.
func (m *SnapshotManifest) State() (State, [32]byte, error) {
	var st State
	var sum [32]byte
	h, err := hex.DecodeString(m.Hash)
	if err != nil || len(h) != HashSize {
		return st, sum, reject("invalid", "snapshot hash %q", m.Hash)
	}
	s, err := hex.DecodeString(m.SHA256)
	if err != nil || len(s) != len(sum) {
		return st, sum, reject("invalid", "snapshot checksum %q", m.SHA256)
	}
	st.Seq, st.Epoch = m.Seq, m.Epoch
	copy(st.Hash[:], h)
	copy(sum[:], s)
	return st, sum, nil
}

// LoadOrCreateKey reads the portal's ed25519 private key (PEM, PKCS #8)
// from path, creating it (mode 0600) if the file does not exist.
func LoadOrCreateKey(path string) (ed25519.PrivateKey, bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		_, key, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, false, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, false, err
		}
		out := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, false, fmt.Errorf("feed: create key: %w", err)
		}
		if _, err := f.Write(out); err != nil {
			err = errors.Join(err, f.Close())
			os.Remove(path)
			return nil, false, fmt.Errorf("feed: write key: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, false, err
		}
		return key, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("feed: read key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, false, fmt.Errorf("feed: %s is not a PEM private key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, false, fmt.Errorf("feed: %s: %w", path, err)
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, false, fmt.Errorf("feed: %s is not an ed25519 key", path)
	}
	return key, false, nil
}

// EncodePublicKey writes a public key as totems are given it: base64.
func EncodePublicKey(pub ed25519.PublicKey) string {
	return base64.StdEncoding.EncodeToString(pub)
}

// ParsePublicKey reads a portal public key: base64 of its 32 bytes, or a
// file holding that (or a PEM "PUBLIC KEY").
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	s = strings.TrimSpace(s)
	if data, err := os.ReadFile(s); err == nil {
		if block, _ := pem.Decode(data); block != nil {
			k, err := x509.ParsePKIXPublicKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("feed: %s: %w", s, err)
			}
			pub, ok := k.(ed25519.PublicKey)
			if !ok {
				return nil, fmt.Errorf("feed: %s is not an ed25519 public key", s)
			}
			return pub, nil
		}
		s = strings.TrimSpace(string(data))
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, errors.New("feed: a portal key is the base64 of 32 bytes (as `punto portal` prints it), or a file holding it")
	}
	return ed25519.PublicKey(raw), nil
}

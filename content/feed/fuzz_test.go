package feed

import (
	"crypto/ed25519"
	"encoding/json"
	"testing"
	"time"
)

// FuzzOpenEnvelope signs any payload with the portal's key and opens it,
// as a totem does: whatever a compromised or buggy portal signs, opening
// it never panics, and what opens is an envelope of a known type whose
// parts a totem reads (batches, a manifest's position, a command) are
// there. Unsigned bytes are refused before any of them is parsed.
func FuzzOpenEnvelope(f *testing.F) {
	seed := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	pub := seed.Public().(ed25519.PublicKey)
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	later := now.Add(time.Minute)
	f.Add(EncodeBatches(later, [][]byte{[]byte(`{"first":1,"last":1,"prev":"00","changes":[]}`)}), false)
	f.Add(EncodeHeartbeat(later, now, "nonce", 7), false)
	cmd, _ := EncodeCommand(later, map[string]any{"id": "c1", "action": "reload", "totems": []string{"t1"}})
	f.Add(cmd, false)
	for _, env := range []Envelope{
		{Type: EnvelopeWelcome, Nonce: "n", Now: now, Head: 3},
		{Type: EnvelopeSnapshot, Expires: later, Snapshot: &SnapshotManifest{Seq: 2, Hash: "ab", Size: 10, SHA256: "cd"}},
	} {
		b, _ := json.Marshal(env)
		f.Add(b, false)
	}
	f.Add([]byte("not even JSON"), true)
	f.Fuzz(func(t *testing.T, payload []byte, raw bool) {
		signed := Sign(seed, payload)
		if raw {
			signed = payload // as it comes off the wire, unsigned
		}
		env, err := OpenEnvelope(pub, signed, now)
		if err != nil {
			if _, ok := err.(*RejectError); !ok {
				t.Fatalf("not a RejectError: %T %v", err, err)
			}
			return
		}
		switch env.Type {
		case EnvelopeWelcome:
			if env.Nonce == "" || env.Now.IsZero() {
				t.Fatal("a welcome without nonce or time opened")
			}
		case EnvelopeHeartbeat, EnvelopeBatches, EnvelopeCommand, EnvelopeSnapshot:
			if env.Expires.IsZero() || now.After(env.Expires) {
				t.Fatalf("an expired %s opened", env.Type)
			}
		default:
			t.Fatalf("an envelope of type %q opened", env.Type)
		}
		if env.Type == EnvelopeBatches && len(env.Bodies()) == 0 {
			t.Fatal("batches without a batch opened")
		}
		if env.Type == EnvelopeSnapshot {
			if env.Snapshot == nil || env.Snapshot.Size <= 0 {
				t.Fatal("a snapshot without a size opened")
			}
			if st, _, err := env.Snapshot.State(); err == nil && st.Seq != env.Snapshot.Seq {
				t.Fatal("the manifest's position changed")
			}
		}
	})
}

package feed

import (
	"crypto/ed25519"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"
)

func newKey(t *testing.T) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return pub, key
}

func signedBy(t *testing.T, key ed25519.PrivateKey, now time.Time) []byte {
	t.Helper()
	return Sign(key, EncodeHeartbeat(now.Add(time.Minute), now, "n", 1))
}

// TestKeyringRotation follows a totem's keyring through a rotation with
// an overlap, a replayed older rotation, a compromise (root-only
// rotation that revokes the stolen key), a revocation, a restart, and
// records it must refuse.
func TestKeyringRotation(t *testing.T) {
	t.Parallel()
	rootPub, root := newKey(t)
	_, otherRoot := newKey(t)
	k0pub, k0 := newKey(t)
	k1pub, k1 := newKey(t)
	k2pub, k2 := newKey(t)
	now := time.Now()
	path := filepath.Join(t.TempDir(), "keys.json")
	ring, err := OpenKeyring(path, k0pub, rootPub)
	if err != nil {
		t.Fatal(err)
	}
	believes := func(ring *Keyring, key ed25519.PrivateKey, at time.Time) bool {
		t.Helper()
		_, err := OpenEnvelopeWith(ring, signedBy(t, key, at), at)
		return err == nil
	}
	// sign signs as given, checking nothing (SignKeyRecord refuses what
	// would not open).
	sign := func(rec KeyRecord, root, prev ed25519.PrivateKey) SignedKeyRecord {
		t.Helper()
		raw, _ := json.Marshal(rec)
		s := SignedKeyRecord{Record: raw, RootSig: ed25519.Sign(root, keysMessage(raw))}
		if prev != nil {
			s.PrevSig = ed25519.Sign(prev, keysMessage(raw))
		}
		return s
	}
	rot1 := sign(KeyRecord{Type: KeyRotate, Serial: 1, Key: EncodePublicKey(k1pub), Prev: EncodePublicKey(k0pub), At: now, OverlapUntil: now.Add(time.Hour)}, root, k0)

	// Records that must not be believed.
	for _, tc := range []struct {
		name   string
		rec    SignedKeyRecord
		reason string
	}{
		{"signed by another root", sign(KeyRecord{Type: KeyRotate, Serial: 1, Key: EncodePublicKey(k1pub), Prev: EncodePublicKey(k0pub), At: now}, otherRoot, k0), "tampered"},
		{"a rotation without the old key's signature", sign(KeyRecord{Type: KeyRotate, Serial: 1, Key: EncodePublicKey(k1pub), Prev: EncodePublicKey(k0pub), At: now}, root, nil), "tampered"},
		{"a rotation signed by another old key", sign(KeyRecord{Type: KeyRotate, Serial: 1, Key: EncodePublicKey(k1pub), Prev: EncodePublicKey(k0pub), At: now}, root, k2), "tampered"},
		{"a record edited after signing", func() SignedKeyRecord {
			s := rot1
			s.Record = json.RawMessage(`{"type":"rotate","serial":1,"key":"` + EncodePublicKey(k2pub) + `","prev":"` + EncodePublicKey(k0pub) + `"}`)
			return s
		}(), "tampered"},
	} {
		if _, err := ring.Learn([]SignedKeyRecord{tc.rec}); rejectReason(err) != tc.reason {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.reason)
		}
	}
	if !believes(ring, k0, now) || believes(ring, k1, now) {
		t.Fatal("a refused record changed the keyring")
	}
	if _, err := SignKeyRecord(KeyRecord{Type: KeyRotate, Serial: 1, Key: EncodePublicKey(k1pub), Prev: EncodePublicKey(k0pub), At: now}, root, nil); err == nil {
		t.Error("SignKeyRecord signed a rotation without the old key")
	}

	// A rotation: both keys during the overlap, then only the new one.
	if n, err := ring.Learn([]SignedKeyRecord{rot1}); err != nil || n != 1 {
		t.Fatalf("rotation: %d %v", n, err)
	}
	if n, _ := ring.Learn([]SignedKeyRecord{rot1}); n != 0 {
		t.Error("the same rotation applied twice")
	}
	if !believes(ring, k0, now.Add(30*time.Minute)) || !believes(ring, k1, now.Add(30*time.Minute)) {
		t.Error("during the overlap both keys are believed")
	}
	if believes(ring, k0, now.Add(2*time.Hour)) || !believes(ring, k1, now.Add(2*time.Hour)) {
		t.Error("after the overlap only the new key is believed")
	}

	// A compromise: k1 stolen. The root alone rotates to k2 and revokes k1.
	rot2 := sign(KeyRecord{Type: KeyRotate, Serial: 2, Key: EncodePublicKey(k2pub), Prev: EncodePublicKey(k1pub), At: now, RevokePrev: true}, root, nil)
	if _, err := ring.Learn([]SignedKeyRecord{rot2, rot1}); err != nil {
		t.Fatal(err)
	}
	if believes(ring, k1, now) || believes(ring, k0, now) || !believes(ring, k2, now) {
		t.Errorf("after a compromise only k2 is believed: %v", ring.Believed(now))
	}
	// The thief replays the first rotation: k1 stays revoked.
	if _, err := ring.Learn([]SignedKeyRecord{rot1}); err != nil {
		t.Fatal(err)
	}
	if believes(ring, k1, now) {
		t.Error("a replayed older rotation brought a revoked key back")
	}

	// After a restart, with the first key still in the config, the
	// keyring remembers.
	again, err := OpenKeyring(path, k0pub, rootPub)
	if err != nil {
		t.Fatal(err)
	}
	if believes(again, k0, now.Add(2*time.Hour)) || believes(again, k1, now) || !believes(again, k2, now) {
		t.Errorf("after a restart: %v", again.Believed(now))
	}
	// A revocation by the root alone.
	rev := sign(KeyRecord{Type: KeyRevoke, Key: EncodePublicKey(k2pub), At: now}, root, nil)
	if _, err := again.Learn([]SignedKeyRecord{rev}); err != nil {
		t.Fatal(err)
	}
	if believes(again, k2, now) {
		t.Error("a revoked key is believed")
	}
	// A revoked key installed again by hand stays revoked.
	if third, err := OpenKeyring(path, k2pub, rootPub); err != nil || believes(third, k2, now) {
		t.Errorf("a revoked key came back from the config: %v", err)
	}

	// Without a pinned root, no record is believed.
	bare, err := OpenKeyring(filepath.Join(t.TempDir(), "bare.json"), k0pub, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bare.Learn([]SignedKeyRecord{rot1}); rejectReason(err) != "untrusted" {
		t.Errorf("no root pinned: %v", err)
	}
}

package feed

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// keysContext is prefixed to every signed key record, so that a
// signature over a record can never pass for one over an envelope.
const keysContext = "punto/keys/v1\x00"

// Key record types.
const (
	// KeyRotate introduces the portal's next signing key. It is signed by
	// the offline root key and by the key it follows (Prev), which totems
	// go on believing until OverlapUntil. After a compromise, with
	// RevokePrev, the root's signature alone suffices and Prev is revoked
	// at once.
	KeyRotate = "rotate"
	// KeyRevoke revokes a signing key, signed by the root key alone:
	// totems believe nothing it signs from then on.
	KeyRevoke = "revoke"
)

// MaxKeyRecords bounds the records a welcome carries (and a keyring
// takes at once).
const MaxKeyRecords = 64

// KeyRecord is a statement about the portal's signing keys.
type KeyRecord struct {
	Type   string    `json:"type"`
	Serial int64     `json:"serial"` // rotations count up from 1: an older one is never applied again
	Key    string    `json:"key"`    // rotate: the new key; revoke: the revoked one (base64)
	Prev   string    `json:"prev,omitempty"`
	At     time.Time `json:"at"`
	// OverlapUntil: Prev is still believed until then (rotate).
	OverlapUntil time.Time `json:"overlap_until,omitzero"`
	RevokePrev   bool      `json:"revoke_prev,omitempty"`
}

// SignedKeyRecord is a key record with its signatures: the root key's,
// and for a rotation the previous key's.
type SignedKeyRecord struct {
	Record  json.RawMessage `json:"record"`
	RootSig []byte          `json:"root_sig"`
	PrevSig []byte          `json:"prev_sig,omitempty"`
}

func keysMessage(record []byte) []byte {
	return append([]byte(keysContext), record...)
}

// SignKeyRecord signs rec with the root key and, if prev is not nil, the
// previous portal key.
func SignKeyRecord(rec KeyRecord, root, prev ed25519.PrivateKey) (SignedKeyRecord, error) {
	raw, err := json.Marshal(rec)
	if err != nil {
		return SignedKeyRecord{}, err
	}
	s := SignedKeyRecord{Record: raw, RootSig: ed25519.Sign(root, keysMessage(raw))}
	if prev != nil {
		s.PrevSig = ed25519.Sign(prev, keysMessage(raw))
	}
	if _, err := s.Open(root.Public().(ed25519.PublicKey)); err != nil {
		return SignedKeyRecord{}, err
	}
	return s, nil
}

// Open checks a signed key record against the root key and decodes it.
// A rotation must carry its previous key's signature too, unless it
// revokes that key. Any failure is a *RejectError.
func (s SignedKeyRecord) Open(root ed25519.PublicKey) (*KeyRecord, error) {
	if len(root) != ed25519.PublicKeySize {
		return nil, reject("untrusted", "no root key pinned: key records cannot be checked")
	}
	if !ed25519.Verify(root, keysMessage(s.Record), s.RootSig) {
		return nil, reject("tampered", "key record not signed by the pinned root key")
	}
	var rec KeyRecord
	if err := json.Unmarshal(s.Record, &rec); err != nil {
		return nil, reject("invalid", "key record: %v", err)
	}
	key, err := decodeKey(rec.Key)
	if err != nil {
		return nil, reject("invalid", "key record: key: %v", err)
	}
	switch rec.Type {
	case KeyRevoke:
	case KeyRotate:
		if rec.Serial < 1 {
			return nil, reject("invalid", "a rotation without serial")
		}
		prev, err := decodeKey(rec.Prev)
		if err != nil {
			return nil, reject("invalid", "key record: prev: %v", err)
		}
		if prev.Equal(key) {
			return nil, reject("invalid", "a rotation to the same key")
		}
		if !rec.RevokePrev && !ed25519.Verify(prev, keysMessage(s.Record), s.PrevSig) {
			return nil, reject("tampered", "rotation not signed by the key it follows")
		}
	default:
		return nil, reject("invalid", "unknown key record type %q", rec.Type)
	}
	return &rec, nil
}

func decodeKey(s string) (ed25519.PublicKey, error) {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, errors.New("not the base64 of 32 bytes")
	}
	return ed25519.PublicKey(raw), nil
}

// ReadKeyRecords reads the records a portal sends its totems, a JSON list
// in path; a missing file is no records.
func ReadKeyRecords(path string) ([]SignedKeyRecord, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("feed: key records: %w", err)
	}
	var recs []SignedKeyRecord
	if err := json.Unmarshal(data, &recs); err != nil {
		return nil, fmt.Errorf("feed: key records %s: %w", path, err)
	}
	if len(recs) > MaxKeyRecords {
		return nil, fmt.Errorf("feed: key records %s: %d records, more than %d", path, len(recs), MaxKeyRecords)
	}
	return recs, nil
}

// WriteKeyRecords replaces the list in path, atomically.
func WriteKeyRecords(path string, recs []SignedKeyRecord) error {
	if len(recs) > MaxKeyRecords {
		return fmt.Errorf("feed: %d key records, more than %d: drop the oldest revocations", len(recs), MaxKeyRecords)
	}
	// One record a line, each as signed: indenting would change the
	// signed bytes.
	var b []byte
	b = append(b, "[\n"...)
	for i, r := range recs {
		line, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if i > 0 {
			b = append(b, ",\n"...)
		}
		b = append(b, line...)
	}
	b = append(b, "\n]\n"...)
	return writeAtomic(path, b, 0o644)
}

// writeAtomic writes data to path through a synced temporary file.
func writeAtomic(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("feed: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		return errors.Join(fmt.Errorf("feed: %w", err), f.Close())
	}
	if err := f.Chmod(mode); err != nil {
		return errors.Join(fmt.Errorf("feed: %w", err), f.Close())
	}
	if err := f.Sync(); err != nil {
		return errors.Join(fmt.Errorf("feed: %w", err), f.Close())
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("feed: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("feed: %w", err)
	}
	return nil
}

// Keyring is what a totem believes of the portal's signing keys: the key
// it was installed with, then the keys root-signed rotations introduced,
// less the revoked ones and those whose overlap has passed. It is kept in
// a file beside the catalog, so that a revoked or retired key stays
// refused after a restart.
type Keyring struct {
	root ed25519.PublicKey // nil: rotations cannot be checked, the installed key is all
	path string

	mu    sync.Mutex
	state keyringState
	pubs  map[string]ed25519.PublicKey
}

type keyringState struct {
	Keys    []trustedKey `json:"keys"`
	Revoked []string     `json:"revoked,omitempty"`
	Serial  int64        `json:"serial"` // of the last rotation applied
}

type trustedKey struct {
	Key   string    `json:"key"`
	Until time.Time `json:"until,omitzero"` // believed before then; zero: until a rotation
}

// OpenKeyring reads the keyring at path, or starts one that believes
// installed. root, if set, is the pinned root key rotations and
// revocations are checked with. The installed key is added if the file
// does not know it (the operator installed it) and it is not revoked.
func OpenKeyring(path string, installed, root ed25519.PublicKey) (*Keyring, error) {
	if len(installed) != ed25519.PublicKeySize {
		return nil, errors.New("feed: a keyring needs the installed portal key")
	}
	k := &Keyring{root: root, path: path}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("feed: keyring: %w", err)
	default:
		if err := json.Unmarshal(data, &k.state); err != nil {
			return nil, fmt.Errorf("feed: keyring %s: %w (remove it to start again from --portal-key)", path, err)
		}
	}
	enc := EncodePublicKey(installed)
	if !k.knows(enc) && !k.revoked(enc) {
		k.state.Keys = append(k.state.Keys, trustedKey{Key: enc})
	}
	if err := k.index(); err != nil {
		return nil, err
	}
	return k, k.save()
}

func (k *Keyring) knows(enc string) bool {
	for _, tk := range k.state.Keys {
		if tk.Key == enc {
			return true
		}
	}
	return false
}

func (k *Keyring) revoked(enc string) bool {
	for _, r := range k.state.Revoked {
		if r == enc {
			return true
		}
	}
	return false
}

func (k *Keyring) index() error {
	k.pubs = map[string]ed25519.PublicKey{}
	for _, tk := range k.state.Keys {
		pub, err := decodeKey(tk.Key)
		if err != nil {
			return fmt.Errorf("feed: keyring %s: %w", k.path, err)
		}
		k.pubs[tk.Key] = pub
	}
	return nil
}

func (k *Keyring) save() error {
	data, err := json.MarshalIndent(k.state, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(k.path, data, 0o644)
}

// Verify reports whether a key believed at now made sig over msg.
func (k *Keyring) Verify(msg, sig []byte, now time.Time) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, tk := range k.state.Keys {
		if k.revoked(tk.Key) || (!tk.Until.IsZero() && !now.Before(tk.Until)) {
			continue
		}
		if ed25519.Verify(k.pubs[tk.Key], msg, sig) {
			return true
		}
	}
	return false
}

// Believed lists the keys believed at now (base64).
func (k *Keyring) Believed(now time.Time) []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []string
	for _, tk := range k.state.Keys {
		if !k.revoked(tk.Key) && (tk.Until.IsZero() || now.Before(tk.Until)) {
			out = append(out, tk.Key)
		}
	}
	return out
}

// Learn applies the root-signed records it has not applied yet:
// revocations, then rotations newer than the last one applied, in
// order. It returns how many changed the keyring; a record that does not
// check is an error (*RejectError) and nothing of the list is applied.
func (k *Keyring) Learn(recs []SignedKeyRecord) (int, error) {
	if len(recs) == 0 {
		return 0, nil
	}
	opened, err := k.openRecords(recs)
	if err != nil {
		return 0, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	before, err := json.Marshal(k.state)
	if err != nil {
		return 0, err
	}
	old := k.state
	old.Keys = append([]trustedKey(nil), k.state.Keys...)
	old.Revoked = append([]string(nil), k.state.Revoked...)
	changed := 0
	for _, rec := range opened {
		if k.apply(rec) {
			changed++
		}
	}
	after, err := json.Marshal(k.state)
	if err != nil {
		return 0, err
	}
	if string(after) == string(before) {
		return 0, nil
	}
	if err := k.index(); err != nil {
		k.state = old
		_ = k.index()
		return 0, err
	}
	if err := k.save(); err != nil {
		k.state = old
		_ = k.index()
		return 0, err
	}
	return changed, nil
}

// openRecords checks the records against the root key and returns them opened,
// by serial.
func (k *Keyring) openRecords(recs []SignedKeyRecord) ([]*KeyRecord, error) {
	if len(recs) > MaxKeyRecords {
		return nil, reject("invalid", "%d key records, more than %d", len(recs), MaxKeyRecords)
	}
	opened := make([]*KeyRecord, 0, len(recs))
	for _, s := range recs {
		rec, err := s.Open(k.root)
		if err != nil {
			return nil, err
		}
		opened = append(opened, rec)
	}
	sort.SliceStable(opened, func(i, j int) bool { return opened[i].Serial < opened[j].Serial })
	return opened, nil
}

// apply applies one record (k.mu held) and says whether it changed the
// keyring.
func (k *Keyring) apply(rec *KeyRecord) bool {
	switch rec.Type {
	case KeyRevoke:
		if !k.revoked(rec.Key) {
			k.state.Revoked = append(k.state.Revoked, rec.Key)
			return true
		}
	case KeyRotate:
		if rec.Serial <= k.state.Serial {
			return false // applied already, or older than one applied
		}
		if k.revoked(rec.Key) {
			return false // revoked later: never believed again
		}
		k.rotate(rec)
		return true
	}
	return false
}

// rotate makes rec's key the believed one (k.mu held).
func (k *Keyring) rotate(rec *KeyRecord) {
	k.state.Serial = rec.Serial
	if rec.RevokePrev {
		if !k.revoked(rec.Prev) {
			k.state.Revoked = append(k.state.Revoked, rec.Prev)
		}
	}
	// Prev is believed until the overlap ends; any older key, no
	// longer: at most two keys at a time.
	for i := range k.state.Keys {
		tk := &k.state.Keys[i]
		end := rec.At
		if tk.Key == rec.Prev && rec.OverlapUntil.After(rec.At) {
			end = rec.OverlapUntil
		}
		if tk.Key != rec.Key && (tk.Until.IsZero() || end.Before(tk.Until)) {
			tk.Until = end
		}
	}
	found := false
	for i := range k.state.Keys {
		if k.state.Keys[i].Key == rec.Key {
			k.state.Keys[i].Until, found = time.Time{}, true
		}
	}
	if !found {
		k.state.Keys = append(k.state.Keys, trustedKey{Key: rec.Key})
	}
}

package callback

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Key protects the numbers: one secret (kept in a file outside the
// database) from which an encryption key and a hashing key are derived.
type Key struct {
	aead cipher.AEAD
	mac  []byte
}

// LoadOrCreateKey reads the key file at path (base64 of 32 random bytes),
// writing a new one (mode 0600) if there is none.
func LoadOrCreateKey(path string) (*Key, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		secret := make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		enc := base64.StdEncoding.EncodeToString(secret) + "\n"
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("callback: key %s: %w", path, err)
		}
		if _, err := f.WriteString(enc); err != nil {
			return nil, errors.Join(err, f.Close())
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
		return NewKey(secret)
	}
	if err != nil {
		return nil, fmt.Errorf("callback: key %s: %w", path, err)
	}
	secret, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(secret) != 32 {
		return nil, fmt.Errorf("callback: key %s: not base64 of 32 bytes", path)
	}
	return NewKey(secret)
}

// NewKey derives the keys from a 32-byte secret.
func NewKey(secret []byte) (*Key, error) {
	enc, err := hkdf.Key(sha256.New, secret, nil, "punto callback number encryption", 32)
	if err != nil {
		return nil, err
	}
	mac, err := hkdf.Key(sha256.New, secret, nil, "punto callback number tag", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(enc)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Key{aead: aead, mac: mac}, nil
}

func (k *Key) seal(number string) ([]byte, error) {
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return k.aead.Seal(nonce, nonce, []byte(number), []byte("callback")), nil
}

func (k *Key) open(sealed []byte) (string, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("callback: sealed number too short")
	}
	plain, err := k.aead.Open(nil, sealed[:n], sealed[n:], []byte("callback"))
	if err != nil {
		return "", errors.New("callback: the number does not open with this key")
	}
	return string(plain), nil
}

func (k *Key) tag(number string) []byte {
	m := hmac.New(sha256.New, k.mac)
	m.Write([]byte(number))
	return m.Sum(nil)
}

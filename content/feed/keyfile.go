package feed

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// DemoHeader marks a key made for a demonstration in its PEM file: the
// commands that use one say so, every time.
const DemoHeader = "Punto-Demo"

// NewKeyFile makes an ed25519 key and writes it to path (PEM, PKCS #8,
// mode 0600), which must not exist. headers go into the PEM block.
func NewKeyFile(path string, headers map[string]string) (ed25519.PrivateKey, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Headers: headers, Bytes: der})
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("feed: create key: %w", err)
	}
	if _, err := f.Write(out); err != nil {
		err = errors.Join(err, f.Close())
		os.Remove(path)
		return nil, fmt.Errorf("feed: write key: %w", err)
	}
	if err := f.Sync(); err != nil {
		err = errors.Join(err, f.Close())
		os.Remove(path)
		return nil, fmt.Errorf("feed: write key: %w", err)
	}
	return key, f.Close()
}

// ReadKeyFile reads an ed25519 private key (PEM, PKCS #8) and the
// headers of its PEM block.
func ReadKeyFile(path string) (ed25519.PrivateKey, map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("feed: read key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, nil, fmt.Errorf("feed: %s is not a PEM private key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("feed: %s: %w", path, err)
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, nil, fmt.Errorf("feed: %s is not an ed25519 key", path)
	}
	return key, block.Headers, nil
}

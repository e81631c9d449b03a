package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzConfigFile reads any file as a totem's and as a portal's config:
// it never panics, and anything it refuses is a usage error (exit status
// 2, naming the file), never something else.
func FuzzConfigFile(f *testing.F) {
	for _, name := range []string{"totem.toml", "portal.toml"} {
		if data, err := os.ReadFile(filepath.Join("..", "..", "deploy", name)); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("idle = 60\ndemo = true\nbatch-ttl = \"5m\"\ntrusted-proxy = [\"127.0.0.1\"]\n"))
	f.Add([]byte("lat = \"north\"\n[table]\nx = 1\n"))
	f.Add([]byte("config = \"other.toml\"\nidle = 1e400\n"))
	path := filepath.Join(f.TempDir(), "punto.toml")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		var ue usageError
		if _, err := parseTotemConfig([]string{"--config", path}, io.Discard); err != nil && !errors.As(err, &ue) {
			t.Fatalf("totem: %T %v", err, err)
		}
		if _, err := parsePortalConfig([]string{"--config", path}, io.Discard); err != nil && !errors.As(err, &ue) {
			t.Fatalf("portal: %T %v", err, err)
		}
	})
}

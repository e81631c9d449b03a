package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/punto-totem/punto/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestCommandLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	demo := filepath.Join(dir, "demo.db")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
		stdout string
	}{
		{"no command", nil, 2, "Usage", ""},
		{"unknown command", []string{"fly"}, 2, `unknown command "fly"`, ""},
		{"version", []string{"version"}, 0, "", "punto"},
		{"catalog without command", []string{"catalog"}, 2, "which command", ""},
		{"unknown catalog command", []string{"catalog", "bake"}, 2, `unknown command "bake"`, ""},
		{"generate needs --out", []string{"catalog", "generate", "--services", "10"}, 2, "--out is required", ""},
		{"generate too many", []string{"catalog", "generate", "--services", "1000001", "--out", filepath.Join(dir, "x.db")}, 2, "between 1 and 1000000", ""},
		{"generate zero", []string{"catalog", "generate", "--services", "0", "--out", filepath.Join(dir, "x.db")}, 2, "between 1 and 1000000", ""},
		{"generate not a number", []string{"catalog", "generate", "--services", "many", "--out", filepath.Join(dir, "x.db")}, 2, "invalid value", ""},
		{"generate stray argument", []string{"catalog", "generate", "--out", filepath.Join(dir, "x.db"), "extra"}, 2, `unexpected argument "extra"`, ""},
		{"demo", []string{"catalog", "demo", "--out", demo}, 0, "", ""},
		{"demo again refuses to overwrite", []string{"catalog", "demo", "--out", demo}, 1, "already exists", ""},
		{"info", []string{"catalog", "info", "--db", demo}, 0, "", `"services": 330`},
		{"info on a missing file", []string{"catalog", "info", "--db", filepath.Join(dir, "none.db")}, 1, "does not exist", ""},
		{"info on a folder", []string{"catalog", "info", "--db", dir}, 1, "is a folder", ""},
		{"generate", []string{"catalog", "generate", "--services", "500", "--seed", "3", "--out", filepath.Join(dir, "g.db")}, 0, "", "wrote 500 services"},
		{"totem with a missing catalog", []string{"totem", "--db", filepath.Join(dir, "none.db")}, 1, "pass --demo", ""},
		{"totem with a bad latitude", []string{"totem", "--db", demo, "--lat", "123"}, 2, "latitude", ""},
		{"totem with a bad flag", []string{"totem", "--nope"}, 2, "flag provided but not defined", ""},
		{"totem following a plain ws portal", []string{"totem", "--db", demo, "--portal", "ws://portal.example/sync", "--portal-key", "x", "--token", "t"}, 2, "--insecure-dev", ""},
		{"totem following a portal without its key", []string{"totem", "--db", demo, "--portal", "wss://portal.example/sync", "--token", "t"}, 2, "--portal-key", ""},
		{"totem with a bad portal key", []string{"totem", "--db", demo, "--portal", "wss://portal.example/sync", "--portal-key", "bm90IGEga2V5", "--token", "t"}, 2, "base64 of 32 bytes", ""},
		{"totem following a portal without a token", []string{"totem", "--db", demo, "--portal", "wss://portal.example/sync", "--portal-key", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "--totem-id", "t1"}, 2, "token", ""},
		{"totem with a token but no portal", []string{"totem", "--db", demo, "--token", "t"}, 2, "need --portal", ""},
		{"totem with a silly retry wait", []string{"totem", "--db", demo, "--retry-max", "10ms"}, 2, "--retry-max must be between", ""},
		{"totem with a bad printer queue", []string{"totem", "--db", demo, "--printer", "a b"}, 2, "not a CUPS queue name", ""},
		{"totem with an unknown paper", []string{"totem", "--db", demo, "--printer", "receipt", "--printer-paper", "a4"}, 2, "--printer-paper must be 80mm or a6", ""},
		{"portal totem without a command", []string{"portal", "totem"}, 2, "add, list or revoke", ""},
		{"portal totem add without an id", []string{"portal", "totem", "add", "--db", demo}, 2, "--id is required", ""},
		{"portal totem add with a bad position", []string{"portal", "totem", "add", "--db", demo, "--id", "t1", "--lat", "99"}, 2, "lat", ""},
		{"portal with a missing catalog", []string{"portal", "--db", filepath.Join(dir, "none.db")}, 1, "pass --demo", ""},
		{"portal with a silly batch ttl", []string{"portal", "--db", demo, "--batch-ttl", "1s"}, 2, "--batch-ttl", ""},
		{"mirror without a portal", []string{"mirror", "--db", demo}, 2, "--portal is required", ""},
		{"mirror of a plain ws portal", []string{"mirror", "--portal", "ws://p.example/sync", "--portal-key", "x", "--token", "t"}, 2, "--insecure-dev", ""},
		{"mirror without the portal's key", []string{"mirror", "--portal", "wss://p.example/sync", "--token", "t"}, 2, "--portal-key", ""},
		{"mirror with a bad root key", []string{"mirror", "--portal", "wss://p.example/sync", "--portal-key", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "--token", "t", "--root-pubkey", "eA=="}, 2, "--root-pubkey", ""},
		{"backup without --out", []string{"backup", "--db", demo}, 2, "--out is required", ""},
		{"backup of a missing file", []string{"backup", "--db", filepath.Join(dir, "none.db"), "--out", filepath.Join(dir, "b.db")}, 1, "does not exist", ""},
		{"restore without --from", []string{"restore", "--db", demo}, 2, "--from is required", ""},
		{"restore onto itself", []string{"restore", "--from", demo, "--db", demo}, 2, "the same file", ""},
		{"portal epoch of a missing file", []string{"portal", "epoch", "--db", filepath.Join(dir, "none.db")}, 1, "does not exist", ""},
		{"portal key of a missing file", []string{"portal", "key", "--key", filepath.Join(dir, "none.key")}, 1, "does not exist", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errb)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out.String(), errb.String())
			}
			if !strings.Contains(errb.String(), tt.stderr) {
				t.Errorf("stderr %q lacks %q", errb.String(), tt.stderr)
			}
			if !strings.Contains(out.String(), tt.stdout) {
				t.Errorf("stdout %q lacks %q", out.String(), tt.stdout)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "x.db")); !os.IsNotExist(err) {
		t.Error("a refused generate left a file")
	}
	var info map[string]any
	var out bytes.Buffer
	run(context.Background(), []string{"catalog", "info", "--db", demo}, &out, &out)
	if err := json.Unmarshal(out.Bytes(), &info); err != nil {
		t.Errorf("info is not JSON: %s", out.String())
	}
}

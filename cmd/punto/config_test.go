package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/punto-totem/punto/internal/testenv"
	"github.com/punto-totem/punto/printing"
)

// settings is a flag set with one flag of every kind a role uses.
type settings struct {
	fs       *flag.FlagSet
	addr     *string
	idle     *int
	lat      *float64
	demo     *bool
	ttl      *time.Duration
	proxies  *[]string
	tokenFil *string
}

func newSettings() *settings {
	fs := flag.NewFlagSet("totem", flag.ContinueOnError)
	return &settings{
		fs:       fs,
		addr:     fs.String("addr", ":8080", "listen address"),
		idle:     fs.Int("idle", 60, "seconds"),
		lat:      fs.Float64("lat", 43.6, "latitude"),
		demo:     fs.Bool("demo", false, "demo"),
		ttl:      fs.Duration("batch-ttl", 5*time.Minute, "ttl"),
		proxies:  newListFlag(fs, "trusted-proxy", "proxies"),
		tokenFil: fs.String("token-file", "", "file"),
	}
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "punto.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestConfigPrecedence checks that a flag beats its environment variable,
// which beats the config file, which beats the default, for every kind of
// flag.
func TestConfigPrecedence(t *testing.T) {
	file := writeConfig(t, `
# a comment
addr = "127.0.0.1:9000"
idle = 120
lat = 45
demo = true
batch-ttl = "1m"
trusted-proxy = ["127.0.0.1", "10.0.0.0/8"]
token-file = "/etc/punto/totem.token"
`)
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, s *settings)
	}{
		{"defaults without a file", nil, nil, func(t *testing.T, s *settings) {
			if *s.addr != ":8080" || *s.idle != 60 || *s.lat != 43.6 || *s.demo || *s.ttl != 5*time.Minute || len(*s.proxies) != 0 {
				t.Errorf("defaults changed: %+v", s)
			}
		}},
		{"the file over the defaults", []string{"--config", file}, nil, func(t *testing.T, s *settings) {
			if *s.addr != "127.0.0.1:9000" || *s.idle != 120 || *s.lat != 45 || !*s.demo || *s.ttl != time.Minute ||
				!reflect.DeepEqual(*s.proxies, []string{"127.0.0.1", "10.0.0.0/8"}) || *s.tokenFil != "/etc/punto/totem.token" {
				t.Errorf("file not applied: addr %q idle %d lat %v demo %v ttl %v proxies %v", *s.addr, *s.idle, *s.lat, *s.demo, *s.ttl, *s.proxies)
			}
		}},
		{"the environment over the file", []string{"--config", file},
			map[string]string{"PUNTO_ADDR": ":7000", "PUNTO_IDLE": "30", "PUNTO_DEMO": "false", "PUNTO_BATCH_TTL": "2h", "PUNTO_TRUSTED_PROXY": "192.0.2.1,192.0.2.2"},
			func(t *testing.T, s *settings) {
				if *s.addr != ":7000" || *s.idle != 30 || *s.demo || *s.ttl != 2*time.Hour || !reflect.DeepEqual(*s.proxies, []string{"192.0.2.1", "192.0.2.2"}) {
					t.Errorf("environment not applied: addr %q idle %d demo %v ttl %v proxies %v", *s.addr, *s.idle, *s.demo, *s.ttl, *s.proxies)
				}
				if *s.lat != 45 {
					t.Errorf("a key without a variable lost its file value: lat %v", *s.lat)
				}
			}},
		{"the command line over the environment", []string{"--config", file, "--addr", ":6000", "--idle=15", "--demo=false", "--trusted-proxy", "198.51.100.1"},
			map[string]string{"PUNTO_ADDR": ":7000", "PUNTO_IDLE": "30", "PUNTO_TRUSTED_PROXY": "192.0.2.1"},
			func(t *testing.T, s *settings) {
				if *s.addr != ":6000" || *s.idle != 15 || *s.demo || !reflect.DeepEqual(*s.proxies, []string{"198.51.100.1"}) {
					t.Errorf("command line not first: addr %q idle %d demo %v proxies %v", *s.addr, *s.idle, *s.demo, *s.proxies)
				}
				if *s.ttl != time.Minute {
					t.Errorf("batch-ttl from the file lost: %v", *s.ttl)
				}
			}},
		{"the config file named by the environment", nil, map[string]string{"PUNTO_CONFIG": file}, func(t *testing.T, s *settings) {
			if *s.addr != "127.0.0.1:9000" {
				t.Errorf("PUNTO_CONFIG not read: addr %q", *s.addr)
			}
		}},
		{"an empty variable is no setting", []string{"--config", file}, map[string]string{"PUNTO_ADDR": ""}, func(t *testing.T, s *settings) {
			if *s.addr != "127.0.0.1:9000" {
				t.Errorf("addr %q", *s.addr)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			s := newSettings()
			if err := parseConfig(s.fs, tt.args, io.Discard); err != nil {
				t.Fatal(err)
			}
			tt.check(t, s)
		})
	}
}

// TestConfigErrors checks that every mistake in a config file or a
// variable is a usage error naming the key and, in a file, its line.
func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  map[string]string
		want []string
	}{
		{"an unknown key", "addr = \":1\"\n\nnope = 3\n", nil, []string{":3:", `unknown key "nope"`, "no flag --nope"}},
		{"a misspelt key", "# settings\nadr = \":1\"\n", nil, []string{":2:", `unknown key "adr"`}},
		{"a string for a number", "idle = \"sixty\"\n", nil, []string{":1:", "idle", "whole number"}},
		{"a value the flag refuses", "\n\nbatch-ttl = \"soon\"\n", nil, []string{":3:", "batch-ttl", `invalid value "soon"`}},
		{"a number for a duration", "batch-ttl = 30\n", nil, []string{":1:", "batch-ttl", `such as "30s"`}},
		{"a number for a switch", "demo = 1\n", nil, []string{":1:", "demo", "true or false"}},
		{"a list for a single value", "addr = [\"a\", \"b\"]\n", nil, []string{":1:", "addr", "not a list"}},
		{"a table", "[addr]\nport = 1\n", nil, []string{"addr", "not a table"}},
		{"a config naming a config", "config = \"other.toml\"\n", nil, []string{":1:", "config", "cannot name another"}},
		{"broken TOML", "addr = \":1\"\nidle = \n", nil, []string{":2:"}},
		{"a bad variable", "", map[string]string{"PUNTO_IDLE": "many"}, []string{"PUNTO_IDLE", `invalid value "many"`, "--idle"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			path := writeConfig(t, tt.file)
			err := parseConfig(newSettings().fs, []string{"--config", path}, io.Discard)
			var uerr usageError
			if !errors.As(err, &uerr) {
				t.Fatalf("got %v, want a usage error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q lacks %q", err, w)
				}
			}
			if strings.Contains(tt.name, "key") && !strings.Contains(err.Error(), path) {
				t.Errorf("%q does not name the file", err)
			}
		})
	}
	t.Run("a missing file", func(t *testing.T) {
		err := parseConfig(newSettings().fs, []string{"--config", filepath.Join(t.TempDir(), "none.toml")}, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "--config") || !strings.Contains(err.Error(), "no such file") {
			t.Fatalf("got %v", err)
		}
	})
}

// TestConfigCommandLine runs the real commands with config files: a bad
// key exits 2 with a message, and a file's settings reach the server.
func TestConfigCommandLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	demo := filepath.Join(dir, "demo.db")
	for _, tt := range []struct {
		name, role, file, want string
	}{
		{"totem with an unknown key", "totem", "db = \"x.db\"\nportal-keyy = \"k\"\n", `:2: unknown key "portal-keyy"`},
		{"portal with a bad duration", "portal", "batch-ttl = \"5 minutes\"\n", `batch-ttl`},
		{"portal with a bad trusted proxy", "portal", "db = \"" + demo + "\"\ntrusted-proxy = [\"not-an-address\"]\n", `--trusted-proxy "not-an-address"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.role+".toml")
			os.WriteFile(path, []byte(tt.file), 0o600)
			var stderr bytes.Buffer
			if code := run(context.Background(), []string{tt.role, "--config", path}, io.Discard, &stderr); code != 2 || !strings.Contains(stderr.String(), tt.want) {
				t.Fatalf("exit %d, stderr %q, want 2 and %q", code, stderr.String(), tt.want)
			}
		})
	}
	// A totem configured by file alone serves where the file says.
	addr := testenv.FreeAddr(t)
	path := filepath.Join(dir, "totem.toml")
	db := filepath.Join(dir, "punto.db")
	testenv.CopyDemo(t, db) // what demo = true would create on the first start
	os.WriteFile(path, []byte("db = \""+db+"\"\naddr = \""+addr+"\"\ndemo = true\nlat = 43.1107\nlon = 12.3908\n"), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var stderr bytes.Buffer
	go func() { done <- run(ctx, []string{"totem", "--config", path}, io.Discard, &stderr) }()
	waitUp(t, "http://"+addr, &stderr)
	var health struct {
		Position struct{ Lat, Lon float64 }
	}
	testenv.GetJSON(t, "http://"+addr+"/api/v1/healthz", &health)
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if health.Position.Lat != 43.1107 || health.Position.Lon != 12.3908 {
		t.Fatalf("the totem stands at %+v, not where its config file says", health.Position)
	}
}

// TestTotemPrinterFlags: --printer gives the totem a printer on its queue
// and paper; without it there is none.
func TestTotemPrinterFlags(t *testing.T) {
	cfg, err := parseTotemConfig([]string{"--printer", "receipt", "--printer-paper", "A6"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.printer == nil || cfg.printer.Queue != "receipt" || cfg.printer.Paper != printing.A6 {
		t.Errorf("printer %+v", cfg.printer)
	}
	if cfg, err = parseTotemConfig(nil, io.Discard); err != nil || cfg.printer != nil {
		t.Errorf("without --printer: %+v, %v", cfg.printer, err)
	}
}

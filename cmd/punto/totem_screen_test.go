package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTotemScreenFlags: --reach-top, --reach-bottom and --facing take
// numbers in range, from the command line or the config file; anything
// else stops the totem with status 2 and a message naming the flag.
func TestTotemScreenFlags(t *testing.T) {
	t.Parallel()
	bad := []struct {
		name string
		args []string
		want string
	}{
		{"top below 0", []string{"--reach-top", "-0.1"}, "--reach-top"},
		{"top at 1", []string{"--reach-top", "1"}, "--reach-top"},
		{"bottom at 0", []string{"--reach-bottom", "0"}, "--reach-bottom"},
		{"bottom above 1", []string{"--reach-bottom", "1.2"}, "--reach-bottom"},
		{"top below bottom", []string{"--reach-top", "0.7", "--reach-bottom", "0.6"}, "must be above --reach-bottom"},
		{"top equal to bottom", []string{"--reach-top", "0.5", "--reach-bottom", "0.5"}, "must be above --reach-bottom"},
		{"bottom above the default top", []string{"--reach-bottom", "0.3"}, "must be above --reach-bottom"},
		{"not a number", []string{"--reach-top", "low"}, "must be a number"},
		{"NaN", []string{"--reach-top", "NaN"}, "--reach-top"},
		{"facing 360", []string{"--facing", "360"}, "--facing"},
		{"facing negative", []string{"--facing", "-90"}, "--facing"},
		{"facing not a number", []string{"--facing", "north"}, "must be a number"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			var errb bytes.Buffer
			if code := run(context.Background(), append([]string{"totem", "--db", "none.db"}, tt.args...), io.Discard, &errb); code != 2 || !strings.Contains(errb.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errb.String(), tt.want)
			}
		})
	}

	cfg, err := parseTotemConfig([]string{"--reach-top", "0.25", "--reach-bottom", "0.95", "--facing", "90"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if s := cfg.screenConfig(); *s.ReachTop != 0.25 || *s.ReachBottom != 0.95 || *s.Facing != 90 {
		t.Errorf("screen %v %v %v", *s.ReachTop, *s.ReachBottom, *s.Facing)
	}
	cfg, err = parseTotemConfig(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if s := cfg.screenConfig(); s.ReachTop != nil || s.ReachBottom != nil || s.Facing != nil {
		t.Errorf("unset flags give %+v: the screen picks its defaults", s)
	}

	// The config file takes numbers, and refuses a string.
	dir := t.TempDir()
	file := filepath.Join(dir, "totem.toml")
	os.WriteFile(file, []byte("reach-top = 0.3\nfacing = 180\n"), 0o600)
	if cfg, err = parseTotemConfig([]string{"--config", file}, io.Discard); err != nil || *cfg.ReachTop != 0.3 || *cfg.Facing != 180 || cfg.ReachBottom != nil {
		t.Errorf("from the file: %+v, %v", cfg, err)
	}
	os.WriteFile(file, []byte("\nreach-top = \"high\"\n"), 0o600)
	if _, err = parseTotemConfig([]string{"--config", file}, io.Discard); err == nil || !strings.Contains(err.Error(), ":2:") || !strings.Contains(err.Error(), "reach-top") {
		t.Errorf("a string for reach-top: %v", err)
	}
}

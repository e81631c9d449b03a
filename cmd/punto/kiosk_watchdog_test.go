package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/punto-totem/punto/internal/testenv"
)

// TestKioskWatchdogCommandLine checks the watchdog's refusals and that it
// leaves the screen alone while the totem does not answer. Its work on a
// real chromium is tested in deploy/ (TestKioskSession).
func TestKioskWatchdogCommandLine(t *testing.T) {
	t.Parallel()
	down := "http://" + testenv.FreeAddr(t) + "/?kiosk=1" // nothing listens there
	tests := []struct {
		name   string
		args   []string
		code   int
		output string
	}{
		{"a page that is no URL", []string{"--kiosk-url", "localhost:8080"}, 2, "--kiosk-url must be an http or https URL"},
		{"a port out of range", []string{"--kiosk-devtools-port", "70000"}, 2, "--kiosk-devtools-port"},
		{"a silly timeout", []string{"--kiosk-timeout", "1ms"}, 2, "--kiosk-timeout"},
		{"a stray argument", []string{"now"}, 2, `unexpected argument "now"`},
		{"the totem down", []string{"--kiosk-url", down, "--kiosk-restart", "exit 1"}, 0, "does not answer; leaving the screen alone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			code := run(context.Background(), append([]string{"kiosk-watchdog"}, tt.args...), &out, &out)
			if code != tt.code || !strings.Contains(out.String(), tt.output) {
				t.Fatalf("exit %d, output %q; want %d and %q", code, out.String(), tt.code, tt.output)
			}
		})
	}
}

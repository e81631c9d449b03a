package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/punto-totem/punto/internal/testenv"
)

// TestTotemServes starts the totem as make run does — a fresh data folder,
// the demo catalog created on first start — and queries it over loopback.
func TestTotemServes(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "data", "punto.db")
	addr := testenv.FreeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var stderr bytes.Buffer
	go func() {
		done <- run(ctx, []string{"totem", "--db", db, "--addr", addr, "--demo"}, &bytes.Buffer{}, &stderr)
	}()

	base := "http://" + addr
	waitUp(t, base, &stderr)
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("demo catalog not created: %v", err)
	}
	res, err := http.Get(base + "/api/v1/services/nearby?category=legal&lang=ar&limit=3")
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Results []struct {
			ID        string  `json:"id"`
			DistanceM float64 `json:"distance_m"`
		} `json:"results"`
	}
	json.NewDecoder(res.Body).Decode(&body)
	res.Body.Close()
	if res.StatusCode != 200 || len(body.Results) != 3 {
		t.Fatalf("nearby: %d %+v", res.StatusCode, body)
	}
	res, _ = http.Get(base + "/")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") == "" {
		t.Errorf("GET /: %d", res.StatusCode)
	}
	res.Body.Close()

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("totem did not stop on cancel")
	}
	// A second start reuses the catalog.
	ctx2, cancel2 := context.WithCancel(context.Background())
	go func() { done <- run(ctx2, []string{"totem", "--db", db, "--addr", addr}, &bytes.Buffer{}, &stderr) }()
	waitUp(t, base, &stderr)
	cancel2()
	if code := <-done; code != 0 {
		t.Fatalf("restart: exit %d: %s", code, stderr.String())
	}
}

// waitUp polls healthz until the totem answers.
func waitUp(t *testing.T, base string, stderr *bytes.Buffer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(base + "/api/v1/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("totem did not come up: %v\n%s", err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

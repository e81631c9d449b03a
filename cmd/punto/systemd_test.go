package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/internal/testenv"
)

// notifySocket listens where systemd would and points $NOTIFY_SOCKET there.
func notifySocket(t *testing.T) *net.UnixConn {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	t.Setenv("NOTIFY_SOCKET", path)
	return conn
}

// nextNotice reads the next message to systemd, or "" when none comes
// within wait.
func nextNotice(t *testing.T, conn *net.UnixConn, wait time.Duration) string {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(wait))
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:n])
}

// TestWatchdogFollowsCatalog feeds systemd's watchdog from a real catalog
// and checks that the pings stop when the catalog stops answering.
func TestWatchdogFollowsCatalog(t *testing.T) {
	conn := notifySocket(t)
	t.Setenv("WATCHDOG_USEC", "200000") // a ping every 100 ms
	t.Setenv("WATCHDOG_PID", "")
	path := testenv.DemoCatalog(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store, err := content.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	var logs testenv.SyncBuffer
	done := make(chan struct{})
	go func() {
		notifySystemd(ctx, slog.New(slog.NewTextHandler(&logs, nil)), catalogAnswers(store))
		close(done)
	}()
	if got := nextNotice(t, conn, 10*time.Second); got != "READY=1" {
		t.Fatalf("first message %q, want READY=1", got)
	}
	for range 3 {
		if got := nextNotice(t, conn, 10*time.Second); got != "WATCHDOG=1" {
			t.Fatalf("got %q, want WATCHDOG=1 while the catalog answers", got)
		}
	}
	store.Close()
	testenv.Eventually(t, 10*time.Second, "the loop sees the catalog fail", func() bool {
		return strings.Contains(logs.String(), "the catalog does not answer")
	})
	// Pings sent before the failure may still be queued; after it, none.
	for nextNotice(t, conn, 50*time.Millisecond) == "WATCHDOG=1" {
	}
	if got := nextNotice(t, conn, time.Second); got != "" {
		t.Fatalf("with the catalog closed systemd still got %q", got)
	}
	cancel()
	<-done
	if got := nextNotice(t, conn, 10*time.Second); got != "STOPPING=1" {
		t.Fatalf("on shutdown got %q, want STOPPING=1", got)
	}
}

// TestTotemNotifiesSystemd runs a real totem as systemd would run it with
// Type=notify and WatchdogSec: it says READY=1 once it answers, pings the
// watchdog, and says STOPPING=1 on SIGTERM.
func TestTotemNotifiesSystemd(t *testing.T) {
	conn := notifySocket(t)
	t.Setenv("WATCHDOG_USEC", "2000000")
	t.Setenv("WATCHDOG_PID", "")
	addr := testenv.FreeAddr(t)
	p := testenv.StartPunto(t, "totem (systemd)", "totem", "--db", testenv.DemoCatalog(t), "--demo", "--addr", addr)
	if got := nextNotice(t, conn, 60*time.Second); got != "READY=1" {
		t.Fatalf("first message %q, want READY=1\n%s", got, p.Output())
	}
	// Ready means serving: no retry needed.
	res, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("READY=1 before the totem serves: %v", err)
	}
	res.Body.Close()
	if got := nextNotice(t, conn, 10*time.Second); got != "WATCHDOG=1" {
		t.Fatalf("got %q, want WATCHDOG=1", got)
	}
	p.Stop()
	var last string
	for msg := nextNotice(t, conn, 5*time.Second); msg != ""; msg = nextNotice(t, conn, time.Second) {
		last = msg
	}
	if last != "STOPPING=1" {
		t.Fatalf("last message %q, want STOPPING=1\n%s", last, p.Output())
	}
}

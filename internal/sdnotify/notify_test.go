package sdnotify

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// listen makes a socket as systemd does for a notify service and points
// $NOTIFY_SOCKET at it.
func listen(t *testing.T, name string) *net.UnixConn {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func receive(t *testing.T, conn *net.UnixConn) string {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:n])
}

func TestNotify(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notify.sock")
	tests := []struct {
		name   string
		socket string // NOTIFY_SOCKET
		listen string // where the test listens ("" none)
		sent   bool
		fails  bool
	}{
		{"outside systemd", "", "", false, false},
		{"a socket by path", path, path, true, false},
		{"an abstract socket", "@punto-test-" + strconv.Itoa(os.Getpid()), "\x00punto-test-" + strconv.Itoa(os.Getpid()), true, false},
		{"a socket nobody listens on", filepath.Join(t.TempDir(), "gone.sock"), "", false, true},
		{"a relative path", "notify.sock", "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("NOTIFY_SOCKET", tt.socket)
			var conn *net.UnixConn
			if tt.listen != "" {
				conn = listen(t, tt.listen)
			}
			sent, err := Notify(Ready)
			if sent != tt.sent || (err != nil) != tt.fails {
				t.Fatalf("sent %v, err %v", sent, err)
			}
			if conn != nil {
				if got := receive(t, conn); got != Ready {
					t.Fatalf("systemd got %q", got)
				}
			}
		})
	}
}

func TestWatchdogInterval(t *testing.T) {
	me := strconv.Itoa(os.Getpid())
	tests := []struct {
		name, usec, pid string
		want            time.Duration
		err             error
	}{
		{"no watchdog", "", "", 0, ErrNoWatchdog},
		{"for this process", "30000000", me, 30 * time.Second, nil},
		{"without a pid", "500000", "", 500 * time.Millisecond, nil},
		{"for another process", "30000000", "1", 0, ErrNoWatchdog},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("WATCHDOG_USEC", tt.usec)
			t.Setenv("WATCHDOG_PID", tt.pid)
			got, err := WatchdogInterval()
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Fatalf("got %v, %v; want %v, %v", got, err, tt.want, tt.err)
			}
		})
	}
	t.Setenv("WATCHDOG_USEC", "soon")
	if _, err := WatchdogInterval(); err == nil || errors.Is(err, ErrNoWatchdog) {
		t.Fatalf("a bad WATCHDOG_USEC: %v", err)
	}
}

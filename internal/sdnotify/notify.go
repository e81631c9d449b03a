// Package sdnotify tells systemd how a service is doing, over the socket
// systemd names in $NOTIFY_SOCKET (the sd_notify protocol): READY=1 once it
// serves, WATCHDOG=1 while it is healthy. Outside systemd it does nothing.
package sdnotify

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"
)

// Messages a service sends.
const (
	Ready    = "READY=1"
	Stopping = "STOPPING=1"
	Watchdog = "WATCHDOG=1"
)

// Notify sends state (one or more NAME=VALUE lines) to systemd. It reports
// false, and no error, when the process was not started with a notify
// socket.
func Notify(state string) (bool, error) {
	path := os.Getenv("NOTIFY_SOCKET")
	if path == "" {
		return false, nil
	}
	// "@name" is a socket in the abstract namespace.
	if path[0] == '@' {
		path = "\x00" + path[1:]
	} else if path[0] != '/' {
		return false, fmt.Errorf("sdnotify: NOTIFY_SOCKET %q is neither a path nor an abstract socket", path)
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return false, fmt.Errorf("sdnotify: %w", err)
	}
	if _, err := conn.Write([]byte(state)); err != nil {
		return false, errors.Join(fmt.Errorf("sdnotify: %w", err), conn.Close())
	}
	return true, conn.Close()
}

// ErrNoWatchdog says systemd expects no watchdog pings from this process.
var ErrNoWatchdog = errors.New("sdnotify: no watchdog for this process")

// WatchdogInterval is how often systemd wants WATCHDOG=1 at the latest
// ($WATCHDOG_USEC, for this process if $WATCHDOG_PID names one), or
// ErrNoWatchdog.
func WatchdogInterval() (time.Duration, error) {
	usec := os.Getenv("WATCHDOG_USEC")
	if usec == "" {
		return 0, ErrNoWatchdog
	}
	if pid := os.Getenv("WATCHDOG_PID"); pid != "" && pid != strconv.Itoa(os.Getpid()) {
		return 0, ErrNoWatchdog
	}
	n, err := strconv.ParseInt(usec, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("sdnotify: WATCHDOG_USEC %q is not a positive number", usec)
	}
	return time.Duration(n) * time.Microsecond, nil
}

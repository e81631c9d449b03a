package testenv

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// RSS reads a process's resident memory from /proc/PID/status, in MiB.
func RSS(t testing.TB, pid int) float64 {
	t.Helper()
	mib, err := rss(pid)
	if err != nil {
		t.Fatal(err)
	}
	return mib
}

func rss(pid int) (float64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/%d/status: %q: %w", pid, line, err)
			}
			return kb / 1024, nil
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// RSSWatch samples a process's resident memory every 20 ms from
// WatchRSS until Stop.
type RSSWatch struct {
	// Before is the figure when the watch began, in MiB.
	Before float64
	stop   chan struct{}
	peak   chan float64
}

// WatchRSS starts sampling pid's resident memory.
func WatchRSS(t testing.TB, pid int) *RSSWatch {
	t.Helper()
	w := &RSSWatch{Before: RSS(t, pid), stop: make(chan struct{}), peak: make(chan float64)}
	go func() {
		peak := w.Before
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-w.stop:
				w.peak <- peak
				return
			case <-tick.C:
				// A process that is gone has no more memory to add.
				if mib, err := rss(pid); err == nil {
					peak = max(peak, mib)
				}
			}
		}
	}()
	return w
}

// Stop ends the sampling and returns the highest figure seen, in MiB.
func (w *RSSWatch) Stop() float64 {
	close(w.stop)
	return <-w.peak
}

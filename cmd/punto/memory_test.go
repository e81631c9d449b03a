package main

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestParseBytes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"768MiB", 768 << 20, true}, {"2GiB", 2 << 30, true}, {"512 MiB", 512 << 20, true}, {"1000000", 1e6, true},
		{"1GB", 1e9, true}, {"64KiB", 64 << 10, true}, {"off", math.MaxInt64, true}, {"OFF", math.MaxInt64, true},
		{"", 0, false}, {"-1MiB", 0, false}, {"lots", 0, false}, {"1.5GiB", 0, false}, {"99999999999GiB", 0, false},
	} {
		got, err := parseBytes(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("parseBytes(%q) = %d, %v", tc.in, got, err)
		}
	}
}

// TestMemoryLimitFlag: the flag sets the runtime's limit; a bad one is a
// usage error before anything starts.
func TestMemoryLimitFlag(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(old)
	if n, err := setMemoryLimit("300MiB"); err != nil || n != 300<<20 || debug.SetMemoryLimit(-1) != 300<<20 {
		t.Fatalf("setMemoryLimit: %d %v, runtime has %d", n, err, debug.SetMemoryLimit(-1))
	}
	t.Setenv("GOMEMLIMIT", "")
	if n, _ := setMemoryLimit(""); n != defaultTotemMemory || debug.SetMemoryLimit(-1) != defaultTotemMemory {
		t.Fatalf("default: %d", n)
	}
	oldGC := debug.SetGCPercent(100)
	defer debug.SetGCPercent(oldGC)
	t.Setenv("GOGC", "")
	if n := setTotemGC(); n < minGCPercent || n > 100 || debug.SetGCPercent(100) != n {
		t.Fatalf("GOGC: %d", n)
	}
	// A small heap keeps the default; larger ones get 8 MiB of headroom,
	// and at least a twentieth.
	for live, want := range map[uint64]int{0: 100, 6 << 20: 100, 16 << 20: 50, 40 << 20: 20, 80 << 20: 10, 160 << 20: 5, 480 << 20: 5, 2 << 30: 5} {
		if got := totemGCPercent(live); got != want {
			t.Errorf("totemGCPercent(%d MiB) = %d, want %d", live>>20, got, want)
		}
	}
	t.Setenv("GOGC", "60")
	debug.SetGCPercent(60)
	if n := setTotemGC(); n != 60 || debug.SetGCPercent(60) != 60 {
		t.Fatalf("GOGC=60: %d", n)
	}
	if _, err := parseTotemConfig([]string{"--memory-limit", "huge"}, nil); err == nil {
		t.Fatal("--memory-limit huge accepted")
	}
}

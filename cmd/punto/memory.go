package main

import (
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
)

// defaultTotemMemory is a totem's Go memory limit when neither
// --memory-limit nor GOMEMLIMIT sets one: a totem is a small PC that runs
// a browser beside punto, and the largest catalog's index (1M services)
// lives in about half of it.
const defaultTotemMemory = 1 << 30

// parseBytes reads a size: a whole number of bytes with an optional unit
// (KiB, MiB, GiB, KB, MB, GB, B), or "off" for no limit (returned as
// math.MaxInt64, the runtime's own "no limit").
func parseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "off") {
		return math.MaxInt64, nil
	}
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(n), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("%q is not a size such as 768MiB, 2GiB or off", s)
	}
	return n * mult, nil
}

// gcHeadroom is how far a totem's heap may grow past what is live before
// a collection. The in-memory index is most of the heap and holds almost
// no pointers (content/index_pack.go), so a collection costs little,
// while the runtime's default GOGC (100) lets the heap grow to twice the
// index under load: at 1M services from 590 MiB to over 1 GiB within
// seconds. With httpbench -soak at 1M (about 480 MiB live): GOGC 25, +27%
// RSS after a minute; 15, +23% after five; 10, +18% after two, for the
// same CPU per request within the noise. At 100k (about 80 MiB live) 48
// MiB of headroom let RSS grow from 115 to 172 MiB under load. Once the
// index shrank (about 50 MiB live at 100k, RSS 91 MiB after start), 16
// MiB let RSS grow by 24% under load; 8 MiB keeps the growth within a
// fifth. A small catalog keeps the default: a tight GOGC on a small heap
// would collect every few requests.
const gcHeadroom = 8 << 20

// minGCPercent is the least GOGC a totem sets: at 1M services (about 400
// MiB live) 5% is 20 MiB of headroom.
const minGCPercent = 5

// totemGCPercent is a totem's GOGC for live bytes in the heap: the
// percentage that gives gcHeadroom, between minGCPercent and the default
// 100.
func totemGCPercent(live uint64) int {
	if live == 0 {
		return 100
	}
	return int(min(100, max(minGCPercent, 100*gcHeadroom/live)))
}

// setTotemGC applies totemGCPercent for the heap live now, unless GOGC is
// set, and returns the percentage in force.
func setTotemGC() int {
	if os.Getenv("GOGC") != "" {
		old := debug.SetGCPercent(100)
		debug.SetGCPercent(old)
		return old
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	var live uint64
	if sample[0].Value.Kind() == metrics.KindUint64 {
		live = sample[0].Value.Uint64()
	}
	p := totemGCPercent(live)
	debug.SetGCPercent(p)
	return p
}

// setMemoryLimit applies --memory-limit: the flag's value, else
// GOMEMLIMIT's (which the runtime read already), else the totem's
// default. Under the limit the collector runs harder rather than let the
// heap keep freed memory (at 1M services it held 2.3 GB for 425 MB live).
func setMemoryLimit(flagValue string) (int64, error) {
	if flagValue == "" {
		if os.Getenv("GOMEMLIMIT") != "" {
			return debug.SetMemoryLimit(-1), nil
		}
		debug.SetMemoryLimit(defaultTotemMemory)
		return defaultTotemMemory, nil
	}
	n, err := parseBytes(flagValue)
	if err != nil {
		return 0, err
	}
	debug.SetMemoryLimit(n)
	return n, nil
}

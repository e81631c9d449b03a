// Command httpbench measures a totem over HTTP on loopback, as `make
// bench` runs it: for each catalog size it starts `punto totem` on a
// cached synthetic catalog and reports the time from start to ready, RSS,
// /healthz latency, `catalog info`'s time, and nearby under wrk (20
// nearest within 10 km, with and without a category filter): requests/s,
// p50/p99 and the server's CPU per request, read from /proc. With
// -tile38 (TILE38=PATH in make bench) it also starts that tile38-server,
// loads the same points over RESP (one collection for all, one per
// category) and runs the same queries against its HTTP NEARBY,
// alternating the two in one run, and prints the ratio.
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/andybalholm/brotli"
	_ "github.com/mattn/go-sqlite3"
	"github.com/punto-totem/punto/content"
)

func main() {
	sizes := flag.String("sizes", "10000,100000,1000000", "catalog sizes (services), comma-separated")
	dir := flag.String("dir", ".bench", "folder of the cached catalogs")
	punto := flag.String("punto", "bin/punto", "the punto binary")
	tile38 := flag.String("tile38", os.Getenv("TILE38"), "a tile38-server binary to compare with (optional)")
	duration := flag.Duration("duration", 10*time.Second, "length of each wrk run")
	rounds := flag.Int("rounds", 2, "alternated rounds per size")
	conns := flag.Int("connections", 32, "wrk connections")
	soak := flag.Duration("soak", 0, "after the runs, keep nearby under wrk this long (the issue's 5m) and report how RSS grows; 0: no soak")
	flag.Parse()
	if _, err := exec.LookPath("wrk"); err != nil {
		fail("wrk is missing: apt-get install wrk (make deps installs it)")
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fail("-sizes: %q is not a number of services", s)
		}
		if err := benchSize(n, *dir, *punto, *tile38, *duration, *rounds, *conns, *soak); err != nil {
			fail("%d services: %v", n, err)
		}
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "httpbench: "+format+"\n", args...)
	os.Exit(1)
}

// catalog returns the cached catalog of n services, generating it once
// (the same files the content benchmarks use).
func catalog(dir string, n int) (string, error) {
	path, err := filepath.Abs(filepath.Join(dir, fmt.Sprintf("generated-%d-seed1-schema%d.db", n, content.SchemaVersion())))
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	start := time.Now()
	if err := content.Generate(context.Background(), path, content.GenerateOptions{Services: n, Seed: 1}); err != nil {
		return "", err
	}
	fmt.Printf("generated %d services in %s\n", n, time.Since(start).Round(time.Millisecond))
	return path, nil
}

// compressedSize fetches one nearby answer and compresses it as the
// totem does for a client off loopback (brotli 5, gzip 6).
func compressedSize(url string) (plain, br, gz int) {
	res, err := http.Get(url)
	if err != nil {
		return
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var b, g bytes.Buffer
	bw := brotli.NewWriterLevel(&b, 5)
	gw, _ := gzip.NewWriterLevel(&g, 6)
	_, err1 := bw.Write(body)
	_, err2 := gw.Write(body)
	if err := errors.Join(err1, err2, bw.Close(), gw.Close()); err != nil {
		return len(body), 0, 0 // bytes.Buffer does not fail
	}
	return len(body), b.Len(), g.Len()
}

// catalogInfo times `punto catalog info` and its peak RSS.
func catalogInfo(bin, db string) (time.Duration, float64, error) {
	cmd := exec.Command(bin, "catalog", "info", "--db", db)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, 0, fmt.Errorf("catalog info: %v: %s", err, out)
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var peak float64
	if ru != nil {
		peak = float64(ru.Maxrss) / 1024
	}
	return time.Since(start), peak, nil
}

// engineRun names the runs of one engine, with or without a category.
type engineRun struct {
	engine string
	cat    bool
}

// loadRounds runs wrk against punto (and tile38 when t is not nil),
// alternating which goes first, with and without a category, rounds
// times.
func loadRounds(p, t *proc, qs []query, d time.Duration, rounds, conns int) (map[engineRun][]run, error) {
	results := map[engineRun][]run{}
	for r := range rounds {
		for _, cat := range []bool{false, true} {
			engines := []string{"punto"}
			if t != nil {
				engines = append(engines, "tile38")
				if r%2 == 1 {
					engines[0], engines[1] = engines[1], engines[0]
				}
			}
			for _, e := range engines {
				paths := make([]string, len(qs))
				target := p
				for i, q := range qs {
					paths[i] = puntoPath(q, cat)
					if e == "tile38" {
						paths[i], target = tile38Path(q, cat), t
					}
				}
				script, err := wrkScript(paths)
				if err != nil {
					return nil, err
				}
				res, err := runWrk(target, script, d, conns)
				os.Remove(script)
				if err != nil {
					return nil, err
				}
				results[engineRun{e, cat}] = append(results[engineRun{e, cat}], res)
			}
		}
	}
	return results, nil
}

// report prints each engine's sums, and the ratio when tile38 ran.
func report(results map[engineRun][]run, withTile38 bool) {
	fmt.Printf("%-8s %-9s %10s %9s %9s %12s %7s\n", "engine", "category", "req/s", "p50", "p99", "CPU/req", "errors")
	rate := map[engineRun]float64{}
	for _, cat := range []bool{false, true} {
		for _, e := range []string{"punto", "tile38"} {
			rs := results[engineRun{e, cat}]
			if len(rs) == 0 {
				continue
			}
			var sum run
			var p50, p99 time.Duration
			for _, r := range rs {
				sum.reqs += r.reqs
				sum.secs += r.secs
				sum.cpu += r.cpu
				sum.errors += r.errors
				p50, p99 = max(p50, r.p50), max(p99, r.p99)
			}
			rate[engineRun{e, cat}] = sum.rate()
			fmt.Printf("%-8s %-9v %10.0f %9s %9s %12s %7d\n", e, cat, sum.rate(), p50, p99, sum.cpuPerReq(), sum.errors)
		}
		if withTile38 {
			fmt.Printf("punto ÷ tile38 req/s (category %v): %.2f\n", cat, rate[engineRun{"punto", cat}]/rate[engineRun{"tile38", cat}])
		}
	}
}

func benchSize(n int, dir, puntoBin, tile38Bin string, d time.Duration, rounds, conns int, soak time.Duration) error {
	db, err := catalog(dir, n)
	if err != nil {
		return err
	}
	qs, err := queries(db)
	if err != nil {
		return err
	}
	info, infoRSS, err := catalogInfo(puntoBin, db)
	if err != nil {
		return err
	}
	p, ready, err := startPunto(puntoBin, db)
	if err != nil {
		return err
	}
	defer p.stop()
	rssReady := p.rss()
	fmt.Printf("\n== %d services ==\n", n)
	fmt.Printf("punto: start to ready %s (RSS %.0f MiB), catalog info %s (peak RSS %.0f MiB)\n",
		ready.Round(time.Millisecond), rssReady, info.Round(time.Millisecond), infoRSS)
	// The load runs on the in-memory index: wait until /readyz says it is.
	built, err := waitIndex(p.base)
	if err != nil {
		return err
	}
	rssStart, cpuBuilt := p.rss(), p.cpu()
	fmt.Printf("punto: index in memory %s after start (%s of CPU: what load on the machine does not inflate), RSS then %.0f MiB, /healthz median %s\n",
		(ready + built).Round(time.Millisecond), cpuBuilt, rssStart, healthz(p.base).Round(time.Microsecond))
	plain, br, gz := compressedSize(p.base + puntoPath(qs[0], false))
	fmt.Printf("nearby answer, 20 results: %d bytes, %d brotli, %d gzip\n", plain, br, gz)
	var t *proc
	if tile38Bin != "" {
		var points int
		var load time.Duration
		if t, points, load, err = startTile38(tile38Bin, db); err != nil {
			return err
		}
		defer t.stop()
		fmt.Printf("tile38: %d points loaded over RESP in %s, RSS %.0f MiB\n", points, load.Round(time.Millisecond), t.rss())
	}
	results, err := loadRounds(p, t, qs, d, rounds, conns)
	if err != nil {
		return err
	}
	report(results, t != nil)
	fmt.Printf("punto: RSS after load %.0f MiB (%.0f with the index built)\n", p.rss(), rssStart)
	if soak > 0 {
		return soakRun(p, qs, soak, conns, rssStart)
	}
	return nil
}

// soakStep is how often a soak reports.
const soakStep = 30 * time.Second

// soakRun keeps nearby (with and without a category, interleaved) under
// wrk for d, in steps of soakStep, printing RSS and the rate after each,
// then how RSS grew over the whole run from rssStart, the RSS once the
// index was built.
func soakRun(p *proc, qs []query, d time.Duration, conns int, rssStart float64) error {
	paths := make([]string, 0, 2*len(qs))
	for _, q := range qs {
		paths = append(paths, puntoPath(q, false), puntoPath(q, true))
	}
	script, err := wrkScript(paths)
	if err != nil {
		return err
	}
	defer os.Remove(script)
	fmt.Printf("soak: %s of nearby under wrk, %d connections (RSS %.0f MiB with the index built, %.0f now)\n", d, conns, rssStart, p.rss())
	peak := p.rss()
	var total run
	for done := time.Duration(0); done < d; {
		step := min(soakStep, d-done)
		if step < time.Second {
			break
		}
		r, err := runWrk(p, script, step, conns)
		if err != nil {
			return err
		}
		done += step
		total.reqs, total.secs, total.cpu, total.errors = total.reqs+r.reqs, total.secs+r.secs, total.cpu+r.cpu, total.errors+r.errors
		rss := p.rss()
		peak = max(peak, rss)
		fmt.Printf("soak: %6s  RSS %5.0f MiB  %6.0f req/s  CPU/req %s  errors %d\n", done, rss, r.rate(), r.cpuPerReq(), r.errors)
	}
	end := p.rss()
	fmt.Printf("soak: RSS %.0f → %.0f MiB over %s (%+.1f%%, peak %.0f MiB); %.0f req/s, CPU/req %s, %d errors\n",
		rssStart, end, d, 100*(end-rssStart)/rssStart, peak, total.rate(), total.cpuPerReq(), total.errors)
	return nil
}

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
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
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

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	return port, l.Close()
}

// proc is a server the benchmark started.
type proc struct {
	cmd  *exec.Cmd
	base string
}

func (p *proc) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

// cpu is the process's user+system CPU time so far, from /proc.
func (p *proc) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

// rss is the process's resident memory in MiB, from /proc.
func (p *proc) rss() float64 {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

// startPunto starts a totem on db and waits for /readyz: it returns the
// time from start to ready.
func startPunto(bin, db string) (*proc, time.Duration, error) {
	port, err := freePort()
	if err != nil {
		return nil, 0, err
	}
	cmd := exec.Command(bin, "totem", "--db", db, "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--lat", "43.6169", "--lon", "13.5167")
	cmd.Stderr = io.Discard
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	p := &proc{cmd: cmd, base: fmt.Sprintf("http://127.0.0.1:%d", port)}
	if err := waitReady(p.base+"/readyz", 5*time.Minute); err != nil {
		p.stop()
		return nil, 0, err
	}
	return p, time.Since(start), nil
}

// waitReady polls url every 2 ms until it answers 200.
func waitReady(url string, within time.Duration) error {
	deadline := time.Now().Add(within)
	c := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		if res, err := c.Get(url); err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after %s", url, within)
}

// query is one nearby query: a point and perhaps a category.
type query struct {
	lat, lon float64
	category string
}

// queries picks 1,000 points near the catalog's locations (deterministic),
// each with a category, and the same points without.
func queries(db string) ([]query, error) {
	d, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer func() { _ = d.Close() }()
	rows, err := d.Query("SELECT (xmin + xmax) / 2, (ymin + ymax) / 2 FROM idx_location_geom ORDER BY pkid LIMIT 20000")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var pts [][2]float64
	for rows.Next() {
		var x, y float64
		if err := rows.Scan(&x, &y); err != nil {
			return nil, err
		}
		pts = append(pts, [2]float64{x, y})
	}
	if len(pts) == 0 {
		return nil, fmt.Errorf("no locations in %s", db)
	}
	r := rand.New(rand.NewPCG(42, 42))
	qs := make([]query, 1000)
	for i := range qs {
		p := pts[r.IntN(len(pts))]
		qs[i] = query{lon: p[0] + (r.Float64()-0.5)*0.04, lat: p[1] + (r.Float64()-0.5)*0.03, category: content.Categories[i%len(content.Categories)].ID}
	}
	return qs, nil
}

func puntoPath(q query, withCategory bool) string {
	p := fmt.Sprintf("/api/v1/services/nearby?lat=%.6f&lon=%.6f&radius_m=10000&limit=20", q.lat, q.lon)
	if withCategory {
		p += "&category=" + q.category
	}
	return p
}

func tile38Path(q query, withCategory bool) string {
	key := "all"
	if withCategory {
		key = "cat:" + q.category
	}
	return fmt.Sprintf("/NEARBY+%s+LIMIT+20+POINT+%.6f+%.6f+10000", key, q.lat, q.lon)
}

// wrkScript writes a wrk script that cycles through paths and prints
// requests, seconds and latency percentiles (µs) as one line.
func wrkScript(paths []string) (string, error) {
	f, err := os.CreateTemp("", "httpbench-*.lua")
	if err != nil {
		return "", err
	}
	fmt.Fprintln(f, "local paths = {")
	for _, p := range paths {
		fmt.Fprintf(f, "  %q,\n", p)
	}
	_, err = io.WriteString(f, `}
local i = 0
request = function()
  i = i + 1
  if i > #paths then i = 1 end
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.bytes))
end
`)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return f.Name(), err
}

// run is one wrk run's figures.
type run struct {
	reqs     int64
	secs     float64
	p50, p99 time.Duration
	errors   int64
	cpu      time.Duration // the server's, over the run
}

func (r run) rate() float64            { return float64(r.reqs) / r.secs }
func (r run) cpuPerReq() time.Duration { return r.cpu / time.Duration(max(r.reqs, 1)) }

var resultLine = regexp.MustCompile(`RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)`)

func runWrk(p *proc, script string, d time.Duration, conns int) (run, error) {
	before := p.cpu()
	out, err := exec.Command("wrk", "-t2", fmt.Sprintf("-c%d", conns), fmt.Sprintf("-d%ds", int(d.Seconds())), "-s", script, p.base).CombinedOutput()
	if err != nil {
		return run{}, fmt.Errorf("wrk: %v: %s", err, out)
	}
	m := resultLine.FindStringSubmatch(string(out))
	if m == nil {
		return run{}, fmt.Errorf("wrk said: %s", out)
	}
	n := func(i int) int64 { v, _ := strconv.ParseInt(m[i], 10, 64); return v }
	return run{reqs: n(1), secs: float64(n(2)) / 1e6, p50: time.Duration(n(3)) * time.Microsecond, p99: time.Duration(n(4)) * time.Microsecond,
		errors: n(5), cpu: p.cpu() - before}, nil
}

// startTile38 starts tile38-server and loads the catalog's points over
// RESP: every service at a location in "all", and in "cat:CATEGORY" for
// each of its categories.
func startTile38(bin, db string) (*proc, int, time.Duration, error) {
	port, err := freePort()
	if err != nil {
		return nil, 0, 0, err
	}
	data, err := os.MkdirTemp("", "httpbench-tile38-")
	if err != nil {
		return nil, 0, 0, err
	}
	cmd := exec.Command(bin, "-q", "-h", "127.0.0.1", "-p", strconv.Itoa(port), "-d", data, "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		return nil, 0, 0, err
	}
	p := &proc{cmd: cmd, base: fmt.Sprintf("http://127.0.0.1:%d", port)}
	if err := waitReady(p.base+"/PING", time.Minute); err != nil {
		p.stop()
		return nil, 0, 0, err
	}
	start := time.Now()
	n, err := loadTile38(port, db)
	if err != nil {
		p.stop()
		return nil, 0, 0, err
	}
	return p, n, time.Since(start), nil
}

func loadTile38(port int, db string) (int, error) {
	conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	d, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	if err != nil {
		return 0, err
	}
	defer func() { _ = d.Close() }()
	rows, err := d.Query(`SELECT sal.service_id || '@' || l.id, (r.ymin + r.ymax) / 2, (r.xmin + r.xmax) / 2,
			(SELECT group_concat(c.category_id) FROM service_category c WHERE c.service_id = sal.service_id)
		FROM service_at_location sal JOIN location l ON l.id = sal.location_id JOIN service sv ON sv.id = sal.service_id
		JOIN idx_location_geom r ON r.pkid = l.pk WHERE sv.status != 'withdrawn'`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	w := bufio.NewWriterSize(conn, 1<<20)
	rd := bufio.NewReaderSize(conn, 1<<20)
	pending, total := 0, 0
	drain := func() error {
		if err := w.Flush(); err != nil {
			return err
		}
		for ; pending > 0; pending-- {
			line, err := rd.ReadString('\n')
			if err != nil {
				return err
			}
			if !strings.HasPrefix(line, "+") {
				return fmt.Errorf("tile38: %s", strings.TrimSpace(line))
			}
		}
		return nil
	}
	send := func(args ...string) {
		fmt.Fprintf(w, "*%d\r\n", len(args))
		for _, a := range args {
			fmt.Fprintf(w, "$%d\r\n%s\r\n", len(a), a)
		}
		pending++
		total++
	}
	for rows.Next() {
		var id, cats string
		var lat, lon float64
		if err := rows.Scan(&id, &lat, &lon, &cats); err != nil {
			return 0, err
		}
		la, lo := strconv.FormatFloat(lat, 'f', -1, 64), strconv.FormatFloat(lon, 'f', -1, 64)
		send("SET", "all", id, "POINT", la, lo)
		for _, c := range strings.Split(cats, ",") {
			send("SET", "cat:"+c, id, "POINT", la, lo)
		}
		if pending >= 10000 {
			if err := drain(); err != nil {
				return 0, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return total, drain()
}

// waitIndex polls /readyz until its index check says "in memory", and
// returns how long that took.
func waitIndex(base string) (time.Duration, error) {
	start := time.Now()
	for time.Since(start) < 10*time.Minute {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			// A totem from before background builds has no checks: it
			// is ready only once its index is built.
			if bytes.Contains(body, []byte(`"detail":"in memory`)) || (res.StatusCode == 200 && !bytes.Contains(body, []byte(`"checks"`))) {
				return time.Since(start), nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	return 0, fmt.Errorf("%s: the index is not in memory after 10 minutes", base)
}

// healthz is the median time of 50 /healthz answers.
func healthz(base string) time.Duration {
	var ts []time.Duration
	c := &http.Client{}
	for range 50 {
		start := time.Now()
		res, err := c.Get(base + "/healthz")
		if err != nil {
			continue
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		ts = append(ts, time.Since(start))
	}
	if len(ts) == 0 {
		return 0
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	return ts[len(ts)/2]
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

package main

import (
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"time"

	"github.com/punto-totem/punto/content"
)

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

func (r run) rate() float64 { return float64(r.reqs) / r.secs }

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

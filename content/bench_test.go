package content

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"
	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/geo"
)

// The nearby benchmark: the 20 nearest services of one category within
// 10 km, at 10k, 100k and 1M services, answered by Punto's in-memory index
// and by SpatiaLite 5 (mod_spatialite: the R*Tree spatial index plus
// ST_Distance) on the same catalog file. `make bench` prints both side by
// side; TestMain prints the table.

var benchSizes = []int{10_000, 100_000, 1_000_000}

const (
	benchRadius = 10_000
	benchLimit  = 20
)

type latency struct{ p50, p99 time.Duration }

var (
	benchMu      sync.Mutex
	benchResults = map[int]map[string]latency{}
	benchStores  = map[int]*Store{}
)

func TestMain(m *testing.M) {
	code := m.Run()
	printBenchTable()
	closeQualityStore()
	for _, s := range benchStores {
		s.Close()
	}
	os.Exit(code)
}

func printBenchTable() {
	if len(benchResults) == 0 {
		return
	}
	fmt.Printf("\nNearby: %d nearest with a category filter, radius %d m (per query)\n", benchLimit, benchRadius)
	fmt.Printf("%-10s %12s %12s %14s %14s %10s %10s\n", "services", "punto p50", "punto p99", "spatialite p50", "spatialite p99", "ratio p50", "ratio p99")
	sizes := make([]int, 0, len(benchResults))
	for n := range benchResults {
		sizes = append(sizes, n)
	}
	sort.Ints(sizes)
	for _, n := range sizes {
		p, s := benchResults[n]["punto"], benchResults[n]["spatialite"]
		ratio := func(a, b time.Duration) string {
			if a == 0 || b == 0 {
				return "-"
			}
			return fmt.Sprintf("%.0f×", float64(b)/float64(a))
		}
		fmt.Printf("%-10d %12s %12s %14s %14s %10s %10s\n", n, p.p50, p.p99, s.p50, s.p99, ratio(p.p50, s.p50), ratio(p.p99, s.p99))
	}
}

// benchStore opens (generating it once, then caching it on disk) the
// synthetic catalog of n services.
func benchStore(b *testing.B, n int) *Store {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	if s, ok := benchStores[n]; ok {
		return s
	}
	dir := os.Getenv("PUNTO_BENCH_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "punto-bench")
	}
	path := filepath.Join(dir, fmt.Sprintf("generated-%d-seed1-schema%d.db", n, SchemaVersion()))
	ctx := context.Background()
	if _, err := os.Stat(path); os.IsNotExist(err) {
		start := time.Now()
		if err := Generate(ctx, path, GenerateOptions{Services: n, Seed: 1}); err != nil {
			b.Fatal(err)
		}
		b.Logf("generated %d services in %s", n, time.Since(start).Round(time.Millisecond))
	}
	start := time.Now()
	s, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("opened %d services (index built) in %s", n, time.Since(start).Round(time.Millisecond))
	benchStores[n] = s
	return s
}

// benchQueries is a fixed workload: points around the demo comuni, each
// with a category.
func benchQueries() []NearbyQuery {
	var d demoData
	if err := json.Unmarshal(demoJSON, &d); err != nil {
		panic(err)
	}
	r := rand.New(rand.NewPCG(42, 42))
	qs := make([]NearbyQuery, 1024)
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, Rome)
	for i := range qs {
		c := d.Comuni[r.IntN(len(d.Comuni))]
		qs[i] = NearbyQuery{
			Center:   orb.Point{c.Lon + (r.Float64()-0.5)*0.04, c.Lat + (r.Float64()-0.5)*0.03},
			RadiusM:  benchRadius,
			Limit:    benchLimit,
			Category: Categories[i%len(Categories)].ID,
			At:       at,
		}
	}
	return qs
}

func record(b *testing.B, n int, engine string, lat []time.Duration) {
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(float64(len(lat))*p))] }
	l := latency{p50: pct(0.50), p99: pct(0.99)}
	b.ReportMetric(float64(l.p50.Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(l.p99.Nanoseconds())/1e3, "p99-µs")
	benchMu.Lock()
	defer benchMu.Unlock()
	if benchResults[n] == nil {
		benchResults[n] = map[string]latency{}
	}
	benchResults[n][engine] = l
}

var registerSpatialite sync.Once

// spatialiteQuery is the same query for SpatiaLite: candidates from the
// R*Tree, exact distance with ST_Distance (on SpatiaLite's sphere, scaled
// to Punto's radius for the cut-off), the category, and the order.
const spatialiteQuery = `SELECT sal.service_id, l.id, ST_Distance(l.geom, MakePoint(?1, ?2, 4326), 0) AS d
	FROM location l JOIN service_at_location sal ON sal.location_id = l.id
	JOIN service sv ON sv.id = sal.service_id
	WHERE l.pk IN (SELECT pkid FROM idx_location_geom WHERE xmax >= ?3 AND xmin <= ?4 AND ymax >= ?5 AND ymin <= ?6)
	AND sv.status != 'withdrawn'
	AND EXISTS (SELECT 1 FROM service_category c WHERE c.service_id = sal.service_id AND c.category_id = ?7)
	AND d * ?8 <= ?9
	ORDER BY d, sal.service_id, l.id LIMIT ?10`

func runSpatialite(st *sql.Stmt, q NearbyQuery) ([]string, error) {
	b := geo.BoundAround(q.Center, q.RadiusM)
	rows, err := st.Query(q.Center[0], q.Center[1], b.Min[0], b.Max[0], b.Min[1], b.Max[1], q.Category,
		orb.EarthRadius/spatialiteRadius, q.RadiusM, q.Limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var s, l string
		var d float64
		if err := rows.Scan(&s, &l, &d); err != nil {
			return nil, err
		}
		ids = append(ids, s+"@"+l)
	}
	return ids, rows.Err()
}

func BenchmarkNearby(b *testing.B) {
	qs := benchQueries()
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			s := benchStore(b, n)
			b.Run("engine=punto", func(b *testing.B) {
				lat := make([]time.Duration, 0, b.N)
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					start := time.Now()
					if _, err := s.NearbyHits(context.Background(), qs[i%len(qs)]); err != nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(start))
				}
				b.StopTimer()
				record(b, n, "punto", lat)
			})
			b.Run("engine=spatialite", func(b *testing.B) {
				registerSpatialite.Do(func() {
					sql.Register("sqlite3_spatialite", &sqlite3.SQLiteDriver{Extensions: []string{"mod_spatialite"}})
				})
				db, err := sql.Open("sqlite3_spatialite", "file:"+s.Path()+"?mode=ro")
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				db.SetMaxOpenConns(1)
				st, err := db.Prepare(spatialiteQuery)
				if err != nil {
					b.Fatalf("mod_spatialite (Debian libsqlite3-mod-spatialite; make bench installs it): %v", err)
				}
				defer st.Close()
				// The same queries give the same answers.
				for _, q := range qs[:50] {
					got, err := runSpatialite(st, q)
					if err != nil {
						b.Fatal(err)
					}
					hits, _ := s.NearbyHits(context.Background(), q)
					var want []string
					for _, h := range hits {
						want = append(want, h.ServiceID+"@"+h.LocationID)
					}
					if !slices.Equal(got, want) {
						b.Fatalf("spatialite and Punto disagree at %v %s:\n%v\n%v", q.Center, q.Category, got, want)
					}
				}
				lat := make([]time.Duration, 0, b.N)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					start := time.Now()
					if _, err := runSpatialite(st, qs[i%len(qs)]); err != nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(start))
				}
				b.StopTimer()
				record(b, n, "spatialite", lat)
			})
		})
	}
}

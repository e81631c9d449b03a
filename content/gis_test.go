package content

import (
	"context"
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/geo"
)

// spatialiteRadius is the sphere SpatiaLite's ST_Distance(a, b, 0) uses:
// (2a+b)/3 of the WGS84 ellipsoid. Punto uses orb.EarthRadius.
const spatialiteRadius = 6371008.7714

func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed: install the Debian package %s (make test does this)", name, pkg)
	}
	return path
}

func runTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestSpatialiteReadsCatalog: the SpatiaLite CLI sees Punto's metadata and
// spatial index, and a nearest-services query it runs with the R*Tree and
// ST_Distance gives Punto's answer.
func TestSpatialiteReadsCatalog(t *testing.T) {
	bin := needTool(t, "spatialite", "spatialite-bin")
	s := openDemo(t) // stays open, in WAL mode, as on a running totem
	if out := runTool(t, bin, s.Path(), "SELECT CheckSpatialMetadata();"); !strings.Contains(out, "3") {
		t.Fatalf("CheckSpatialMetadata: %s", out)
	}
	k := orb.EarthRadius / spatialiteRadius
	for _, q := range []NearbyQuery{
		{Center: DemoTotem, RadiusM: 30000, Limit: 20, Category: "health"},
		{Center: orb.Point{12.3908, 43.1107}, RadiusM: 50000, Limit: 15}, // Perugia
		{Center: orb.Point{12.6427, 42.5636}, RadiusM: 20000, Limit: 10, Category: "language"},
	} {
		t.Run(fmt.Sprintf("%v %s", q.Center, q.Category), func(t *testing.T) {
			want, err := s.NearbyHits(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 {
				t.Fatal("Punto finds nothing: the query proves nothing")
			}
			b := geo.BoundAround(q.Center, q.RadiusM)
			catFilter := ""
			if q.Category != "" {
				catFilter = fmt.Sprintf("AND EXISTS (SELECT 1 FROM service_category c WHERE c.service_id = sal.service_id AND c.category_id = '%s')", q.Category)
			}
			d := fmt.Sprintf("ST_Distance(l.geom, MakePoint(%.10f, %.10f, 4326), 0)", q.Center[0], q.Center[1])
			sql := fmt.Sprintf(`SELECT sal.service_id, l.id, %[1]s AS d
				FROM location l JOIN service_at_location sal ON sal.location_id = l.id
				JOIN service sv ON sv.id = sal.service_id
				WHERE l.pk IN (SELECT pkid FROM idx_location_geom WHERE xmax >= %.10[2]f AND xmin <= %.10[3]f AND ymax >= %.10[4]f AND ymin <= %.10[5]f)
				AND sv.status != 'withdrawn' %[6]s AND %[1]s * %.12[7]f <= %[8]f
				ORDER BY d, sal.service_id, l.id LIMIT %[9]d;`,
				d, b.Min[0], b.Max[0], b.Min[1], b.Max[1], catFilter, k, q.RadiusM, q.Limit)
			out := runTool(t, bin, s.Path(), sql)
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
				f := strings.Split(line, "|")
				if len(f) != 3 {
					continue // banner lines
				}
				dist, err := strconv.ParseFloat(f[2], 64)
				if err != nil {
					t.Fatalf("spatialite line %q", line)
				}
				got = append(got, f[0]+"@"+f[1])
				i := len(got) - 1
				if i < len(want) && math.Abs(dist*k-want[i].DistanceM) > 1e-6*want[i].DistanceM+1e-6 {
					t.Errorf("row %d: spatialite %.3f m (×%.6f = %.3f), Punto %.3f m", i, dist, k, dist*k, want[i].DistanceM)
				}
			}
			var wantIDs []string
			for _, h := range want {
				wantIDs = append(wantIDs, h.ServiceID+"@"+h.LocationID)
			}
			if !slices.Equal(got, wantIDs) {
				t.Errorf("spatialite:\n %v\nPunto:\n %v", got, wantIDs)
			}
		})
	}
}

var featureRE = regexp.MustCompile(`OGRFeature\((\w+)\):(\d+)`)

// TestOgrinfoReadsCatalog: GDAL lists the geometry layers with their SRS,
// and its spatial filter (which uses the R*Tree) selects what Punto's
// box query selects.
func TestOgrinfoReadsCatalog(t *testing.T) {
	bin := needTool(t, "ogrinfo", "gdal-bin")
	s := openDemo(t)
	out := runTool(t, bin, "-ro", s.Path())
	for _, want := range []string{"location (Point)", "territory (Multi Polygon)"} {
		if !strings.Contains(out, want) {
			t.Errorf("ogrinfo lists no %q:\n%s", want, out)
		}
	}
	summary := runTool(t, bin, "-ro", "-so", s.Path(), "location")
	st, _ := s.Stats(context.Background())
	for _, want := range []string{"Geometry: Point", `ID["EPSG",4326]`, fmt.Sprintf("Feature Count: %d", st.Locations), "FID Column = pk"} {
		if !strings.Contains(summary, want) {
			t.Errorf("ogrinfo -so location lacks %q:\n%s", want, summary)
		}
	}
	box := orb.Bound{Min: orb.Point{13.40, 43.50}, Max: orb.Point{13.60, 43.70}} // Ancona and Falconara
	hits, err := s.InBoundSQL(context.Background(), box, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, h := range hits {
		var pk int
		s.r.QueryRow("SELECT pk FROM location WHERE id = ?", h.LocationID).Scan(&pk)
		want[strconv.Itoa(pk)] = true
	}
	out = runTool(t, bin, "-ro", "-q", s.Path(), "location", "-spat", "13.40", "43.50", "13.60", "43.70")
	got := map[string]bool{}
	for _, m := range featureRE.FindAllStringSubmatch(out, -1) {
		got[m[2]] = true
	}
	if len(want) == 0 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ogrinfo -spat found %d locations, Punto %d", len(got), len(want))
	}
	// Which territory holds the demo totem: GDAL and Punto agree.
	out = runTool(t, bin, "-ro", "-q", "-dialect", "SQLite", "-sql",
		fmt.Sprintf("SELECT id FROM territory WHERE ST_Within(MakePoint(%f, %f, 4326), geom)", DemoTotem[0], DemoTotem[1]), s.Path())
	if !strings.Contains(out, "ats-11-ancona") {
		t.Errorf("GDAL puts the demo totem in:\n%s", out)
	}
	if matches, _ := filepath.Glob(s.Path() + "*"); len(matches) == 0 {
		t.Fatal("catalog file vanished")
	}
}

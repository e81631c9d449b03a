package kiosk

import (
	"bytes"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// scrape reads /metrics through the Prometheus text parser.
func scrape(t *testing.T, srv *Server) map[string]*dto.MetricFamily {
	t.Helper()
	res, err := srv.App().Test(httptest.NewRequest("GET", "/metrics", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("/metrics: %d %s", res.StatusCode, body)
	}
	var p expfmt.TextParser
	mfs, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v\n%s", err, body)
	}
	return mfs
}

// requestCount is how many requests /metrics has counted for a route and
// status.
func requestCount(mfs map[string]*dto.MetricFamily, route, code string) uint64 {
	var n uint64
	for _, m := range mfs["punto_http_request_duration_seconds"].GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["route"] == route && labels["code"] == code {
			n += m.GetHistogram().GetSampleCount()
		}
	}
	return n
}

func TestMetricsMove(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	before := scrape(t, srv)
	for range 3 {
		get(t, srv, "/api/v1/services/nearby?limit=5")
	}
	get(t, srv, "/api/v1/services/nearby?limit=-1")
	get(t, srv, "/api/v1/services/no-such-service")
	after := scrape(t, srv)
	if got := requestCount(after, "/api/v1/services/nearby", "200") - requestCount(before, "/api/v1/services/nearby", "200"); got != 3 {
		t.Errorf("nearby 200s counted %d, want 3", got)
	}
	if requestCount(after, "/api/v1/services/nearby", "400") != 1 || requestCount(after, "/api/v1/services/:id", "404") != 1 {
		t.Error("refused requests are not counted by route and status")
	}
	if n := after["punto_nearby_query_duration_seconds"].GetMetric()[0].GetHistogram().GetSampleCount(); n != 3 {
		t.Errorf("nearby queries timed: %d, want 3", n)
	}
	for _, name := range []string{"punto_screens_connected", "go_goroutines", "process_resident_memory_bytes"} {
		if after[name] == nil {
			t.Errorf("%s missing", name)
		}
	}
}

func TestReadiness(t *testing.T) {
	t.Parallel()
	synced, stale := false, false
	srv := newTestServerWith(t, func(c *Config) {
		c.Status = func() string {
			if stale {
				return "stale"
			}
			return "ok"
		}
		c.Ready = func() error {
			if !synced {
				return errors.New("not yet in step with the portal")
			}
			return nil
		}
	})
	if code, body := get(t, srv, "/readyz"); code != 503 || body["ready"] != false || body["error"] != "not yet in step with the portal" {
		t.Fatalf("before sync: %d %v", code, body)
	}
	if code, _ := get(t, srv, "/healthz"); code != 200 {
		t.Fatalf("healthz while not ready: %d", code)
	}
	synced = true
	code, body := get(t, srv, "/readyz")
	if code != 200 || body["ready"] != true {
		t.Fatalf("after sync: %d %v", code, body)
	}
	// It says what it checked: the catalog, the index, the portal.
	var names []string
	for _, ch := range body["checks"].([]any) {
		m := ch.(map[string]any)
		names = append(names, m["name"].(string))
		if m["ok"] != true || m["detail"] == "" {
			t.Errorf("check %v", m)
		}
	}
	if strings.Join(names, ",") != "catalog,index,portal" {
		t.Errorf("checked %v", names)
	}
	if body["status"] != "ok" {
		t.Errorf("fresh: status %v", body["status"])
	}
	stale = true
	if code, body := get(t, srv, "/readyz"); code != 200 || body["ready"] != true || body["status"] != "stale" {
		t.Fatalf("stale: %d %v", code, body)
	}
}

package kiosk

import (
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/fleet"
	"github.com/punto-totem/punto/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func newTestServer(t *testing.T) *Server {
	t.Helper()
	return newTestServerWith(t, nil)
}

// newTestServerWith is newTestServer with its configuration adjusted.
func newTestServerWith(t *testing.T, adjust func(*Config)) *Server {
	t.Helper()
	st := testenv.DemoStore(t)
	// Searched at once by most tests: the words load here, without the
	// requests' deadline.
	if err := st.LoadSearchWords(context.Background()); err != nil {
		t.Fatal(err)
	}
	fl, err := fleet.Open(context.Background(), st.Path())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fl.Close() })
	cfg := Config{Position: content.DemoTotem, Version: "test", Needs: fl}
	if adjust != nil {
		adjust(&cfg)
	}
	srv, err := New(st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func get(t *testing.T, srv *Server, target string) (int, map[string]any) {
	t.Helper()
	res, err := srv.App().Test(httptest.NewRequest("GET", target, nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("%s: not JSON (%d): %s", target, res.StatusCode, body)
	}
	return res.StatusCode, m
}

func TestAPI(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	tests := []struct {
		name   string
		url    string
		status int
		check  func(t *testing.T, body map[string]any)
	}{
		{"health", "/api/v1/healthz", 200, func(t *testing.T, b map[string]any) {
			if b["status"] != "ok" || b["source"] != "demo" {
				t.Errorf("%v", b)
			}
		}},
		{"categories in arabic", "/api/v1/categories?lang=ar", 200, func(t *testing.T, b map[string]any) {
			cats := b["categories"].([]any)
			if len(cats) != len(content.Categories) {
				t.Fatalf("%d categories", len(cats))
			}
			first := cats[0].(map[string]any)
			if first["id"] != "info" || first["icon"] == "" || first["services"].(float64) == 0 {
				t.Errorf("%v", first)
			}
		}},
		{"nearby sorted by distance", "/api/v1/services/nearby?limit=25&lang=fr", 200, func(t *testing.T, b map[string]any) {
			res := b["results"].([]any)
			if len(res) != 25 {
				t.Fatalf("%d results", len(res))
			}
			prev := -1.0
			for _, r := range res {
				r := r.(map[string]any)
				d := r["distance_m"].(float64)
				if d < prev {
					t.Fatalf("not sorted: %v after %v", d, prev)
				}
				prev = d
				name := r["name"].(map[string]any)
				if name["lang"] != "fr" || name["text"] == "" || r["walking_minutes"].(float64) < 1 || r["direction"] == "" {
					t.Errorf("row %v", r)
				}
			}
		}},
		{"nearby with every filter", "/api/v1/services/nearby?lat=43.1107&lon=12.3908&radius_m=40000&limit=5&category=language&speaks=ar&open_now=true&at=2026-11-23T18:30:00%2B01:00&lang=ar", 200, func(t *testing.T, b map[string]any) {
			res := b["results"].([]any)
			if len(res) == 0 {
				t.Fatal("no evening class in Arabic around Perugia")
			}
			for _, r := range res {
				r := r.(map[string]any)
				if !r["open"].(map[string]any)["open"].(bool) || !strings.Contains(toJSON(r["categories"]), "language") || !strings.Contains(toJSON(r["languages"]), `"ar"`) {
					t.Errorf("row fails a filter: %v", r)
				}
			}
		}},
		{"service detail", "/api/v1/services/ancona-info-0?lang=ar", 200, func(t *testing.T, b map[string]any) {
			svc := b["service"].(map[string]any)
			if svc["name"].(map[string]any)["lang"] != "ar" || len(svc["hours"].(map[string]any)["days"].([]any)) != 7 {
				t.Errorf("%v", svc)
			}
		}},
		{"service in a language the catalog lacks falls back", "/api/v1/services/ancona-info-0?lang=de", 200, func(t *testing.T, b map[string]any) {
			if l := b["service"].(map[string]any)["name"].(map[string]any)["lang"]; l != "en" {
				t.Errorf("served %v", l)
			}
		}},
		{"a second language comes before the fixed fallback", "/api/v1/services/ancona-info-0?lang=de&second=fr", 200, func(t *testing.T, b map[string]any) {
			svc := b["service"].(map[string]any)
			if l := svc["name"].(map[string]any)["lang"]; l != "fr" || b["lang"] != "de" {
				t.Errorf("served %v, answer lang %v", l, b["lang"])
			}
			if l := svc["description"].(map[string]any)["lang"]; l != "fr" {
				t.Errorf("description served in %v", l)
			}
		}},
		{"the second language by its other name, in the alerts", "/api/v1/alerts?lang=de&fallback=ar", 200, func(t *testing.T, b map[string]any) {
			if a := b["alerts"].([]any); len(a) == 0 || a[0].(map[string]any)["text"].(map[string]any)["lang"] != "ar" {
				t.Errorf("%v", b)
			}
		}},
		{"territory at the totem", "/api/v1/territories/at?lat=43.6169&lon=13.5153", 200, func(t *testing.T, b map[string]any) {
			if !strings.Contains(toJSON(b), "ats-11-ancona") {
				t.Errorf("%v", b)
			}
		}},
		{"territory at sea", "/api/v1/territories/at?lat=43.9&lon=14.5", 200, func(t *testing.T, b map[string]any) {
			if len(b["territories"].([]any)) != 0 {
				t.Errorf("%v", b)
			}
		}},
		{"search", "/api/v1/search?q=mediaz&lang=it", 200, func(t *testing.T, b map[string]any) {
			if len(b["results"].([]any)) == 0 {
				t.Error("nothing found")
			}
		}},
		{"within a box", "/api/v1/services/within?bbox=13.4,43.5,13.6,43.7", 200, func(t *testing.T, b map[string]any) {
			if len(b["results"].([]any)) == 0 {
				t.Error("nothing in Ancona's box")
			}
		}},
		{"alerts for the Ancona totem", "/api/v1/alerts?lang=fr", 200, func(t *testing.T, b map[string]any) {
			if !strings.Contains(toJSON(b), "demo-ancona-phone") || !strings.Contains(toJSON(b), `"lang":"fr"`) {
				t.Errorf("%v", b)
			}
		}},
		{"pages", "/api/v1/pages?lang=ar", 200, func(t *testing.T, b map[string]any) {
			if len(b["pages"].([]any)) != 2 {
				t.Errorf("%v", b)
			}
		}},
		{"unknown service", "/api/v1/services/no-such-service", 404, nil},
		{"website of a service without one", "/api/v1/services/ancona-health-14/website.svg", 404, nil},
		{"unknown endpoint", "/api/v1/nope", 404, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, body := get(t, srv, tt.url)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %v", status, tt.status, body)
			}
			if status >= 400 && body["error"] == "" {
				t.Errorf("error body without a message: %v", body)
			}
			if tt.check != nil {
				tt.check(t, body)
			}
		})
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Every bad parameter gets a 400 that names it.
func TestAPIBadParameters(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	tests := []struct {
		url   string
		field string
	}{
		{"/api/v1/services/nearby?lat=abc&lon=13", "lat"},
		{"/api/v1/services/nearby?lat=91&lon=13", "lat"},
		{"/api/v1/services/nearby?lat=43&lon=-181", "lon"},
		{"/api/v1/services/nearby?lat=43", "lon"},
		{"/api/v1/services/nearby?lon=13", "lat"},
		{"/api/v1/services/nearby?lat=NaN&lon=13", "lat"},
		{"/api/v1/services/nearby?lat=Inf&lon=13", "lat"},
		{"/api/v1/services/nearby?lat=1e400&lon=13", "lat"},
		{"/api/v1/services/nearby?radius_m=0", "radius_m"},
		{"/api/v1/services/nearby?radius_m=-5", "radius_m"},
		{"/api/v1/services/nearby?radius_m=1e9", "radius_m"},
		{"/api/v1/services/nearby?radius_m=far", "radius_m"},
		{"/api/v1/services/nearby?limit=0", "limit"},
		{"/api/v1/services/nearby?limit=1000", "limit"},
		{"/api/v1/services/nearby?limit=2.5", "limit"},
		{"/api/v1/services/nearby?limit=99999999999999999999", "limit"},
		{"/api/v1/services/nearby?category=pizza", "category"},
		{"/api/v1/services/nearby?speaks=arabic", "speaks"},
		{"/api/v1/services/nearby?open_now=maybe", "open_now"},
		{"/api/v1/services/nearby?lang=%3Cscript%3E", "lang"},
		{"/api/v1/services/nearby?lang=english-please-123456789", "lang"},
		{"/api/v1/services/nearby?lang=ti&second=%3Cscript%3E", "second"},
		{"/api/v1/alerts?lang=ti&fallback=%2A%2A", "fallback"},
		{"/api/v1/services/nearby?at=tomorrow", "at"},
		{"/api/v1/services/nearby?at=9999-01-01T00:00:00Z", "at"},
		{"/api/v1/services/nearby?limit=1&limit=2", "limit"},
		{"/api/v1/services/" + url.PathEscape("a b"), "id"},
		{"/api/v1/services/" + strings.Repeat("x", 200), "id"},
		{"/api/v1/services/ancona-info-0?lat=x&lon=1", "lat"},
		{"/api/v1/territories/at?lat=43", "lon"},
		{"/api/v1/territories/at?lat=43&lon=500", "lon"},
		{"/api/v1/search", "q"},
		{"/api/v1/search?q=", "q"},
		{"/api/v1/search?q=%21%21%21", "q"},
		{"/api/v1/search?q=" + strings.Repeat("a", 300), "q"},
		{"/api/v1/search?q=casa&limit=0", "limit"},
		{"/api/v1/services/within", "bbox"},
		{"/api/v1/services/within?bbox=1,2,3", "bbox"},
		{"/api/v1/services/within?bbox=a,b,c,d", "bbox"},
		{"/api/v1/services/within?bbox=14,43,13,44", "bbox"},
		{"/api/v1/services/within?bbox=13,43,14,95", "bbox"},
		{"/api/v1/categories?lang=%%%", ""},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			t.Parallel()
			res, err := srv.App().Test(httptest.NewRequest("GET", "http://totem"+tt.url, nil), -1)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != 400 {
				t.Fatalf("status %d, want 400: %s", res.StatusCode, body)
			}
			var e struct{ Error, Field string }
			if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
				t.Fatalf("body %s", body)
			}
			if tt.field != "" && e.Field != tt.field {
				t.Errorf("field %q, want %q (%s)", e.Field, tt.field, e.Error)
			}
		})
	}
}

// Random junk in every parameter of every endpoint never gets a 5xx.
func TestAPINeverFails(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	r := rand.New(rand.NewPCG(1, 2))
	junk := []string{"", "0", "-1", "1e308", "NaN", "43.6", "13.5", "%00", "true", "ar", "zz-ZZ", "health", "'; DROP TABLE service; --",
		`"`, "*", "NEAR(", "😀", "ﷺ", strings.Repeat("9", 400), "2026-11-22T10:00:00Z", "13,43,14,44", "..", "%2F"}
	endpoints := []string{"/api/v1/services/nearby", "/api/v1/search", "/api/v1/territories/at", "/api/v1/categories", "/api/v1/services/within", "/api/v1/services/x", "/api/v1/healthz"}
	params := []string{"lat", "lon", "radius_m", "limit", "category", "lang", "open_now", "speaks", "q", "at", "bbox"}
	for i := range 1500 {
		v := url.Values{}
		for range 1 + r.IntN(5) {
			v.Add(params[r.IntN(len(params))], junk[r.IntN(len(junk))])
		}
		target := endpoints[r.IntN(len(endpoints))] + "?" + v.Encode()
		if i%10 == 0 {
			target = "/api/v1/services/" + url.PathEscape(junk[r.IntN(len(junk))])
		}
		res, err := srv.App().Test(httptest.NewRequest("GET", "http://totem"+target, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode >= 500 {
			body, _ := io.ReadAll(res.Body)
			t.Fatalf("%s: %d %s", target, res.StatusCode, body)
		}
	}
}

func TestUIServed(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	res, err := srv.App().Test(httptest.NewRequest("GET", "/", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.Contains(string(body), "<title>Punto</title>") {
		t.Errorf("GET / = %d %s", res.StatusCode, body)
	}
	res, _ = srv.App().Test(httptest.NewRequest("GET", "/assets/app.js", nil), -1)
	if res.StatusCode != 200 {
		t.Errorf("app.js: %d", res.StatusCode)
	}
	res, _ = srv.App().Test(httptest.NewRequest("GET", "/api/v1/services/ancona-info-0/website.svg", nil), -1)
	if body, _ := io.ReadAll(res.Body); res.StatusCode != 200 || !strings.HasPrefix(string(body), "<svg") {
		t.Errorf("website QR: %d", res.StatusCode)
	}
	for _, c := range content.Categories {
		res, _ := srv.App().Test(httptest.NewRequest("GET", iconURL(c.Icon), nil), -1)
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 || !strings.Contains(string(body), "<svg") {
			t.Errorf("icon of %s (%s): %d", c.ID, iconURL(c.Icon), res.StatusCode)
		}
	}
}

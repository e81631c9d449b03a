package kiosk

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/punto-totem/punto/internal/testenv"
)

// listen serves srv on a loopback port until the test ends and returns
// its base URL.
func listen(t *testing.T, srv *Server) string {
	t.Helper()
	return testenv.Listen(t, srv.App().Listener, srv.Shutdown)
}

var registerDecoders sync.Once

// servedOpenAPI fetches the document the node serves and loads it with
// kin-openapi, checking it is a valid OpenAPI 3 document.
func servedOpenAPI(t *testing.T, base string) (*openapi3.T, routers.Router) {
	t.Helper()
	// The API's answers that are not JSON are text to the validator.
	registerDecoders.Do(func() {
		for _, ct := range []string{"image/svg+xml", "text/calendar", "text/event-stream"} {
			openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
		}
	})
	res, err := http.Get(base + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(body)
	if err != nil {
		t.Fatalf("openapi.json does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI 3 document: %v", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return doc, router
}

// TestOpenAPIValidatesRealAnswers makes real requests to every endpoint of
// a real node, good ones and bad ones, and validates each request and each
// answer against the document the node serves. A request the document
// calls invalid must be one the node refuses.
func TestOpenAPIValidatesRealAnswers(t *testing.T) {
	t.Parallel()
	srv := newTestServerWith(t, func(c *Config) { c.PublicURL = "https://punto.example" })
	putRemote(t, srv)
	base := listen(t, srv)
	_, router := servedOpenAPI(t, base)
	const event = "falconara-marittima-events-27"
	tests := []struct {
		name   string
		target string
		status int
		// docRejects: the document already says the request is wrong (a
		// range, a pattern, a required parameter); otherwise only the node
		// can tell (a box upside down, a query with no letters).
		docRejects bool
	}{
		{"health", "/api/v1/healthz", 200, false},
		{"categories", "/api/v1/categories?lang=ar", 200, false},
		{"nearby", "/api/v1/services/nearby", 200, false},
		{"nearby with every filter", "/api/v1/services/nearby?lat=43.1107&lon=12.3908&radius_m=40000&limit=5&category=language&speaks=ar&open_now=true&at=2026-11-23T18:30:00%2B01:00&lang=ar", 200, false},
		{"nearby closed now", "/api/v1/services/nearby?limit=200&at=2026-11-22T23:30:00Z&lang=fr", 200, false},
		{"nearby in Chinese falls back", "/api/v1/services/nearby?lang=zh&limit=3", 200, false},
		{"nearby bad radius", "/api/v1/services/nearby?radius_m=0", 400, true},
		{"nearby huge limit", "/api/v1/services/nearby?limit=1000", 400, true},
		{"nearby fractional limit", "/api/v1/services/nearby?limit=2.5", 400, true},
		{"nearby unknown category", "/api/v1/services/nearby?category=pizza", 400, true},
		{"nearby bad speaks", "/api/v1/services/nearby?speaks=arabic", 400, true},
		{"nearby bad lang", "/api/v1/services/nearby?lang=%3Cscript%3E", 400, true},
		{"nearby bad at", "/api/v1/services/nearby?at=tomorrow", 400, true},
		{"nearby lat out of range", "/api/v1/services/nearby?lat=91&lon=13", 400, true},
		{"nearby lat without lon", "/api/v1/services/nearby?lat=43", 400, false},
		{"nearby at far future", "/api/v1/services/nearby?at=2999-01-01T00:00:00Z", 400, true},
		{"talk, offline", "/api/v1/talk?lang=ar", 200, false},
		{"talk where a phone stands", "/api/v1/talk?lang=ur&lat=43.1107&lon=12.3908", 200, false},
		{"talk bad lang", "/api/v1/talk?lang=%3Cscript%3E", 400, true},
		{"within", "/api/v1/services/within?bbox=13.4,43.5,13.6,43.7&lang=en", 200, false},
		{"nearby with remote", "/api/v1/services/nearby?category=legal&lang=en", 200, false},
		{"search remote", "/api/v1/search?q=zebrafono", 200, false},
		{"remote service", "/api/v1/services/linea-zebrafono?lang=fr", 200, false},
		{"within with a limit", "/api/v1/services/within?bbox=12,42,14,44&limit=3", 200, false},
		{"within without a box", "/api/v1/services/within", 400, true},
		{"within three numbers", "/api/v1/services/within?bbox=1,2,3", 400, true},
		{"within upside down", "/api/v1/services/within?bbox=14,43,13,44", 400, false},
		{"service", "/api/v1/services/ancona-info-0?lang=ar", 200, false},
		{"service falls back", "/api/v1/services/ancona-info-0?lang=ti&lat=43.6&lon=13.5&at=2026-12-24T10:00:00%2B01:00", 200, false},
		{"service on a holiday week", "/api/v1/services/ancona-info-0?at=2026-12-22T10:00:00%2B01:00", 200, false},
		{"event", "/api/v1/services/" + event + "?lang=fr", 200, false},
		{"service unknown", "/api/v1/services/no-such-service", 404, false},
		{"service bad id", "/api/v1/services/" + url.PathEscape("a b"), 400, true},
		{"website QR", "/api/v1/services/ancona-info-0/website.svg", 200, false},
		{"website QR of a service without one", "/api/v1/services/ancona-health-14/website.svg", 404, false},
		{"calendar", "/api/v1/services/" + event + "/event.ics?lang=ar", 200, false},
		{"calendar of a service that is not an event", "/api/v1/services/ancona-info-0/event.ics", 404, false},
		{"calendar of an unknown service", "/api/v1/services/no-such-event/event.ics", 404, false},
		{"calendar bad lang", "/api/v1/services/" + event + "/event.ics?lang=%21", 400, true},
		{"territories at the totem", "/api/v1/territories/at?lang=fr", 200, false},
		{"territories at sea", "/api/v1/territories/at?lat=43.9&lon=14.5", 200, false},
		{"territories bad lon", "/api/v1/territories/at?lat=43&lon=500", 400, true},
		{"places", "/api/v1/places", 200, false},
		{"territories as GeoJSON", "/api/v1/territories.geojson?lang=ar", 200, false},
		{"map style", "/api/v1/map/style.json?lang=fr", 200, false},
		{"search", "/api/v1/search?q=mediaz&lang=it&limit=5", 200, false},
		{"search in Arabic script", "/api/v1/search?q=%D9%88%D8%B3%D8%A7%D8%B7%D8%A9&lang=ar", 200, false},
		{"search nothing found", "/api/v1/search?q=zzzzqqq", 200, false},
		{"search a need", "/api/v1/search?q=%D8%B7%D8%A8%D9%8A%D8%A8&lang=ar", 200, false},
		{"search a category by its name", "/api/v1/search?q=%D1%80%D0%BE%D0%B1%D0%BE%D1%82%D0%B0&lang=uk", 200, false},
		{"search with suggestions", "/api/v1/search?q=ospdlae", 200, false},
		{"search with a control character", "/api/v1/search?q=ab%07cd", 400, true},
		{"search 10 KB", "/api/v1/search?q=" + strings.Repeat("a", 10<<10), 400, true},
		{"search without q", "/api/v1/search", 400, true},
		{"search empty q", "/api/v1/search?q=", 400, true},
		{"search punctuation", "/api/v1/search?q=%21%21%21", 400, true},
		{"search too long", "/api/v1/search?q=" + strings.Repeat("a", 300), 400, true},
		{"ui", "/api/v1/ui?lang=ar", 200, false},
		{"ui with plurals", "/api/v1/ui?lang=ru", 200, false},
		{"ui in a language Punto lacks", "/api/v1/ui?lang=de", 400, true},
		{"voice on a node without one", "/api/v1/voice?ref=ui:ui.home&lang=it", 404, false},
		{"voice without a ref", "/api/v1/voice?lang=it", 400, true},
		{"voice in a language Punto lacks", "/api/v1/voice?ref=ui:ui.home&lang=de", 400, false},
		{"alerts", "/api/v1/alerts?lang=fr", 200, false},
		{"closure", "/api/v1/closure?lang=ar", 200, false},
		{"closure bad at", "/api/v1/closure?at=soon", 400, true},
		{"alerts bad at", "/api/v1/alerts?at=noon", 400, true},
		{"pages", "/api/v1/pages?lang=ar", 200, false},
		{"QR of a page", "/api/v1/qr.svg?path=" + url.QueryEscape("/s/ancona-info-0?lang=fr"), 200, false},
		{"QR of a calendar", "/api/v1/qr.svg?path=" + url.QueryEscape("/api/v1/services/"+event+"/event.ics?lang=fr"), 200, false},
		{"QR of somewhere else", "/api/v1/qr.svg?path=" + url.QueryEscape("https://evil.example/"), 400, true},
		{"QR without a path", "/api/v1/qr.svg", 400, true},
		{"feed", "/api/v1/feed", 200, false},
		{"feed with digest", "/api/v1/feed?digest=1", 200, false},
		{"live", "/api/v1/live", 200, false},
		{"openapi", "/api/v1/openapi.json", 200, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, "GET", base+tt.target, nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var body []byte
			if strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
				// An endless stream: its first event is enough.
				body = firstEvent(t, res.Body)
			} else if body, err = io.ReadAll(res.Body); err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tt.status, body)
			}
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatalf("%s is not in the document: %v", tt.target, err)
			}
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
			reqErr := openapi3filter.ValidateRequest(ctx, in)
			switch {
			case tt.docRejects && reqErr == nil:
				t.Errorf("the document accepts a request the node refuses: %s", tt.target)
			case !tt.docRejects && reqErr != nil:
				t.Errorf("the document refuses the request: %v", reqErr)
			}
			out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
				Options: in.Options}
			out.SetBodyBytes(body)
			if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
				t.Errorf("the answer does not match the document: %v\n%s", err, truncate(body))
			}
		})
	}
}

// firstEvent reads a server-sent event stream up to the end of its first
// event.
func firstEvent(t *testing.T, r io.Reader) []byte {
	t.Helper()
	br := bufio.NewReader(r)
	var buf bytes.Buffer
	for !bytes.Contains(buf.Bytes(), []byte("\n\n")) || !bytes.Contains(buf.Bytes(), []byte("event: hello")) {
		line, err := br.ReadBytes('\n')
		buf.Write(line)
		if err != nil {
			t.Fatalf("stream ended: %v after %q", err, buf.String())
		}
	}
	return buf.Bytes()
}

func truncate(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

// TestOpenAPICoversEveryRoute fails when a route under /api/v1 is not in
// the document, so the document cannot fall behind the route table.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	doc, err := openapi3.NewLoader().LoadFromData(openAPIDocument)
	if err != nil {
		t.Fatal(err)
	}
	const prefix = "/api/v1"
	if len(doc.Servers) != 1 || doc.Servers[0].URL != prefix {
		t.Fatalf("the document's server is not %s", prefix)
	}
	seen := 0
	for _, r := range srv.App().GetRoutes(true) {
		if !strings.HasPrefix(r.Path, prefix+"/") || r.Method == "HEAD" {
			continue
		}
		seen++
		// Fiber's /services/:id is OpenAPI's /services/{id}.
		parts := strings.Split(strings.TrimPrefix(r.Path, prefix), "/")
		for i, p := range parts {
			if strings.HasPrefix(p, ":") {
				parts[i] = "{" + strings.TrimSuffix(strings.TrimPrefix(p, ":"), "?") + "}"
			}
		}
		path := strings.Join(parts, "/")
		item := doc.Paths.Value(path)
		if item == nil || item.GetOperation(r.Method) == nil {
			t.Errorf("route %s %s is not described in kiosk/openapi.json (add %s %q under paths)", r.Method, r.Path, strings.ToLower(r.Method), path)
		}
	}
	if seen < 15 {
		t.Fatalf("only %d routes under %s: the route table changed shape", seen, prefix)
	}
	// And the other way: nothing documented that the node does not serve.
	served := map[string]bool{}
	for _, r := range srv.App().GetRoutes(true) {
		served[r.Method+" "+r.Path] = true
	}
	for path, item := range doc.Paths.Map() {
		fiberPath := prefix + path
		for _, name := range []string{"{id}"} {
			fiberPath = strings.ReplaceAll(fiberPath, name, ":"+strings.Trim(name, "{}"))
		}
		for method := range item.Operations() {
			if !served[method+" "+fiberPath] {
				t.Errorf("the document describes %s %s, which the node does not serve", method, fiberPath)
			}
		}
	}
}

// The document says the API is open (root security: none), and a path ID
// is percent-decoded before it is checked: abc%3A and abc: are one ID.
func TestOpenAPISecurityAndPathIDs(t *testing.T) {
	t.Parallel()
	var doc map[string]any
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	if sec, ok := doc["security"].([]any); !ok || len(sec) != 0 {
		t.Errorf("root security %v, want []", doc["security"])
	}
	srv := newTestServer(t)
	for _, c := range []struct {
		path string
		code int
	}{
		{"/api/v1/services/abc:", 404}, {"/api/v1/services/abc%3A", 404}, {"/api/v1/services/abc%3a/event.ics", 404},
		{"/api/v1/services/a%20b", 400}, {"/api/v1/services/a%2Fb", 400},
	} {
		if code, _ := get(t, srv, c.path); code != c.code {
			t.Errorf("%s: %d, want %d", c.path, code, c.code)
		}
	}
}

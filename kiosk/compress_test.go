package kiosk

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/punto-totem/punto/assets"
	"github.com/punto-totem/punto/internal/testenv"
)

func decode(t *testing.T, enc string, b []byte) []byte {
	t.Helper()
	var r io.Reader
	switch enc {
	case "br":
		r = brotli.NewReader(bytes.NewReader(b))
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	default:
		return b
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: %v", enc, err)
	}
	return out
}

// TestCompression: answers above 1 KB are compressed as the client asks
// (brotli first), never on loopback; the web app's files go out
// precompressed; reference answers revalidate with their ETag.
func TestCompression(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	do := func(target string, header ...string) (*http.Response, []byte) {
		t.Helper()
		req := httptest.NewRequest("GET", target, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := srv.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		return res, body
	}
	nearby := "/api/v1/services/nearby?radius_m=10000&limit=20&at=2026-11-23T10:30:00%2B01:00"
	_, plain := do(nearby)
	for _, tc := range []struct{ accept, want string }{
		{"br", "br"}, {"gzip, deflate, br", "br"}, {"gzip", "gzip"}, {"br;q=0, gzip", "gzip"}, {"identity", ""}, {"", ""},
	} {
		res, body := do(nearby, "Accept-Encoding", tc.accept)
		if got := res.Header.Get("Content-Encoding"); got != tc.want {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", tc.accept, got, tc.want)
		}
		if res.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: Vary %q", tc.accept, res.Header.Get("Vary"))
		}
		if got := decode(t, tc.want, body); !bytes.Equal(got, plain) {
			t.Errorf("Accept-Encoding %q: the answer differs once decoded", tc.accept)
		}
		if tc.want != "" {
			t.Logf("nearby, 20 results: %d bytes, %d with %s", len(plain), len(body), tc.want)
			if len(body) > 2048 {
				t.Errorf("nearby with %s: %d bytes, more than 2 KB", tc.want, len(body))
			}
		}
	}
	if res, _ := do("/api/v1/services/nearby?limit=1", "Accept-Encoding", "br"); res.Header.Get("Content-Encoding") != "" {
		t.Error("an answer under 1 KB was compressed")
	}

	// Reference answers: a weak ETag, and 304 when it matches, in either
	// encoding.
	res, _ := do("/api/v1/categories", "Accept-Encoding", "br")
	tag := res.Header.Get("ETag")
	if len(tag) < 4 || tag[:2] != "W/" {
		t.Fatalf("categories: ETag %q", tag)
	}
	for _, enc := range []string{"br", "gzip", ""} {
		if res, body := do("/api/v1/categories", "If-None-Match", tag, "Accept-Encoding", enc); res.StatusCode != 304 || len(body) != 0 {
			t.Errorf("categories with If-None-Match, %q: %d, %d bytes", enc, res.StatusCode, len(body))
		}
	}
	if res, _ := do("/api/v1/categories", "If-None-Match", `W/"0-0"`); res.StatusCode != 200 {
		t.Errorf("categories with a stale ETag: %d", res.StatusCode)
	}
	res, _ = do("/", "Accept-Encoding", "gzip")
	if res.StatusCode != 200 || res.Header.Get("ETag") == "" {
		t.Fatalf("/: %d, ETag %q", res.StatusCode, res.Header.Get("ETag"))
	}
	if res, _ := do("/", "If-None-Match", res.Header.Get("ETag")); res.StatusCode != 304 {
		t.Errorf("/ with its ETag: %d", res.StatusCode)
	}

	// The web app's files, precompressed in the background at start.
	site, err := assets.Current()
	if err != nil {
		t.Fatal(err)
	}
	want, err := fs.ReadFile(site.FS(), "app.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, enc := range []string{"br", "gzip"} {
		var body []byte
		testenv.Eventually(t, 60*time.Second, "app.js precompressed with "+enc, func() bool {
			res, b := do(site.URL("app.js"), "Accept-Encoding", enc)
			body = b
			return res.Header.Get("Content-Encoding") == enc && res.Header.Get("Vary") == "Accept-Encoding" &&
				res.Header.Get("Cache-Control") == cacheImmutable
		})
		if got := decode(t, enc, body); !bytes.Equal(got, want) {
			t.Errorf("app.js with %s differs once decoded", enc)
		}
		t.Logf("app.js: %d bytes, %d with %s", len(want), len(body), enc)
	}
	if res, body := do(site.URL("app.js")); res.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, want) {
		t.Error("app.js without Accept-Encoding is not the file")
	}

	// On loopback nothing is compressed: the totem's own browser.
	base := testenv.Listen(t, srv.App().Listener, srv.App().Shutdown)
	req, _ := http.NewRequest("GET", base+nearby, nil)
	req.Header.Set("Accept-Encoding", "br, gzip")
	lres, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer lres.Body.Close()
	if lres.Header.Get("Content-Encoding") != "" {
		t.Errorf("loopback: Content-Encoding %q", lres.Header.Get("Content-Encoding"))
	}

	// Behind a trusted reverse proxy on this machine, the client is the
	// one the proxy names.
	proxied := newTestServerWith(t, func(c *Config) { c.TrustedProxies = []string{"127.0.0.1"} })
	pbase := testenv.Listen(t, proxied.App().Listener, proxied.App().Shutdown)
	for _, tc := range []struct{ forwarded, want string }{{"203.0.113.5", "br"}, {"127.0.0.1", ""}, {"", ""}} {
		req, _ := http.NewRequest("GET", pbase+nearby, nil)
		req.Header.Set("Accept-Encoding", "br")
		if tc.forwarded != "" {
			req.Header.Set("X-Forwarded-For", tc.forwarded)
		}
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got := res.Header.Get("Content-Encoding"); got != tc.want {
			t.Errorf("through a proxy for %q: Content-Encoding %q, want %q", tc.forwarded, got, tc.want)
		}
	}
}

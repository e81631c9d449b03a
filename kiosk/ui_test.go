package kiosk

import (
	"io"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/punto-totem/punto/assets"
)

// fetchUI fetches target from srv and returns the answer's status, headers
// and body.
func fetchUI(t *testing.T, srv *Server, target string, header ...string) (int, map[string]string, string) {
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
	h := map[string]string{}
	for k := range res.Header {
		h[k] = res.Header.Get(k)
	}
	return res.StatusCode, h, string(body)
}

// TestHashedAssets: the page names the app's files only at hashed URLs,
// each of which answers, to be cached for good; the old unhashed URLs
// answer for an hour; another release's hash answers uncached.
func TestHashedAssets(t *testing.T) {
	t.Setenv("PUNTO_ASSETS_DIR", "")
	srv := newTestServer(t)
	site, err := assets.Current()
	if err != nil {
		t.Fatal(err)
	}
	prefix := "/assets/" + site.Hash() + "/"
	for _, page := range []string{"/", "/s/ancona-info-0?lang=ar"} {
		status, h, body := fetchUI(t, srv, page)
		if status != 200 || h["Cache-Control"] != "no-cache" {
			t.Fatalf("%s: %d, Cache-Control %q", page, status, h["Cache-Control"])
		}
		if !strings.Contains(body, `<script type="module" src="`+prefix+`app.js"></script>`) {
			t.Errorf("%s does not load the hashed app.js:\n%s", page, body)
		}
		refs := regexp.MustCompile(`(?:src|href)="(/[^"]*)"`).FindAllStringSubmatch(body, -1)
		if len(refs) < 4 {
			t.Errorf("%s: %d references", page, len(refs))
		}
		for _, m := range refs {
			ref := m[1]
			if ref == "/manifest.webmanifest" {
				continue
			}
			if !strings.HasPrefix(ref, prefix) {
				t.Errorf("%s names %s, not a hashed URL", page, ref)
				continue
			}
			status, h, _ := fetchUI(t, srv, ref)
			if status != 200 || h["Cache-Control"] != "public, max-age=31536000, immutable" {
				t.Errorf("%s: %d, Cache-Control %q", ref, status, h["Cache-Control"])
			}
		}
	}
	for _, tt := range []struct {
		target, cache, typ string
		status             int
	}{
		{prefix + "app.js", "public, max-age=31536000, immutable", "javascript", 200},
		{prefix + "lib/toolkit.js", "public, max-age=31536000, immutable", "javascript", 200},
		{prefix + "editor/editor.js", "public, max-age=31536000, immutable", "javascript", 200},
		{prefix + "vendor/maplibre/maplibre-gl.css", "public, max-age=31536000, immutable", "text/css", 200},
		{"/assets/app.js", "public, max-age=3600", "javascript", 200},
		{"/assets/vendor/lucide/info.svg", "public, max-age=3600", "image/svg+xml", 200},
		{"/assets/0123456789ab/app.js", "no-cache", "javascript", 200},
		{prefix + "nope.js", "", "", 404},
		{prefix + "vendor", "", "", 404},
		{prefix + "../go.mod", "", "", 404},
	} {
		status, h, _ := fetchUI(t, srv, tt.target)
		if status != tt.status || h["Cache-Control"] != tt.cache && tt.status == 200 || !strings.Contains(h["Content-Type"], tt.typ) {
			t.Errorf("%s: %d, Cache-Control %q, Content-Type %q", tt.target, status, h["Cache-Control"], h["Content-Type"])
		}
	}
	// The service worker keeps the hashed shell, in a cache named after
	// the hash; the page is revalidated by its ETag.
	_, h, sw := fetchUI(t, srv, "/sw.js")
	if h["Cache-Control"] != "no-cache" || !strings.Contains(sw, `"`+prefix+`app.js"`) || strings.Contains(sw, `"/assets/app.js"`) {
		t.Errorf("sw.js: %q\n%s", h["Cache-Control"], sw)
	}
	_, h, _ = fetchUI(t, srv, "/")
	if status, _, body := fetchUI(t, srv, "/", "If-None-Match", h["Etag"]); h["Etag"] == "" || status != 304 || body != "" {
		t.Errorf("revalidation with ETag %q: %d", h["Etag"], status)
	}
}

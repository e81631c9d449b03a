package kiosk

import (
	"context"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/fleet"
	"github.com/punto-totem/punto/internal/testenv"
)

// queryEndpoints are the public API's GET endpoints, as FuzzQueryParams
// asks them.
var queryEndpoints = []string{
	"services/nearby", "services/within", "services/ancona-info-0", "services/ancona-info-0/event.ics",
	"services/ancona-info-0/website.svg", "territories/at", "search", "categories", "ui", "alerts", "pages",
	"qr.svg", "feed", "places",
}

// FuzzQueryParams asks every public endpoint with any query string: no
// answer is a 500 (bad input is a 400 naming the field; 503 is a busy
// catalog).
func FuzzQueryParams(f *testing.F) {
	st := testenv.DemoStore(f)
	fl, err := fleet.Open(context.Background(), st.Path())
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { fl.Close() })
	srv, err := New(st, Config{Position: content.DemoTotem, Version: "test", Needs: fl})
	if err != nil {
		f.Fatal(err)
	}
	for i, q := range []string{
		"lat=43.6&lon=13.5&radius_m=5000&limit=5&category=health&lang=ar&open_now=1&speaks=fr&at=2026-12-06T10:00:00Z",
		"bbox=13,43,14,44&limit=5000", "q=medico&lang=it&second=en", "q=%ff%fe", "lat=NaN&lon=Inf", "radius_m=-1&limit=99999999999999999999",
		"path=/s/ancona-info-0?lang=fr", "digest=1", "lang=zz&fallback=ar&second=ti", "at=9999-99-99",
	} {
		f.Add(uint8(i), q)
	}
	f.Fuzz(func(t *testing.T, which uint8, query string) {
		req := httptest.NewRequest("GET", "/api/v1/"+queryEndpoints[int(which)%len(queryEndpoints)], nil)
		req.URL.RawQuery = query
		res, err := srv.App().Test(req, -1)
		if err != nil {
			return // not an HTTP request at all: the server never sees it
		}
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode >= 500 && res.StatusCode != 503 {
			t.Fatalf("%s?%s: %d %s", req.URL.Path, query, res.StatusCode, body)
		}
	})
}

package kiosk

import (
	"context"
	"testing"

	"github.com/punto-totem/punto/content"
)

// TestAPIRemote: a service reached only by phone comes in the remote list
// of nearby (under the same filters) and of search, never among the
// places, and its page says its place is not on the map.
func TestAPIRemote(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	svc := putRemote(t, srv)
	ids := func(v any) []string {
		var out []string
		for _, r := range v.([]any) {
			out = append(out, r.(map[string]any)["id"].(string))
		}
		return out
	}
	for _, tc := range []struct {
		url    string
		remote bool
	}{
		{"/api/v1/services/nearby?lang=en", true},
		{"/api/v1/services/nearby?category=legal&speaks=ar", true},
		{"/api/v1/services/nearby?category=health", false},
		{"/api/v1/services/nearby?speaks=ur", false},
		{"/api/v1/search?q=zebrafono&lang=en", true},
	} {
		code, m := get(t, srv, tc.url)
		if code != 200 {
			t.Fatalf("%s: %d %v", tc.url, code, m)
		}
		for _, id := range ids(m["results"]) {
			if id == svc.ID {
				t.Fatalf("%s: remote service among the places", tc.url)
			}
		}
		rem := ids(m["remote"])
		if got := len(rem) > 0 && rem[0] == svc.ID; got != tc.remote {
			t.Fatalf("%s: remote %v, want it there: %v", tc.url, rem, tc.remote)
		}
		if tc.remote {
			r := m["remote"].([]any)[0].(map[string]any)
			if r["location_id"] != "" || r["distance_m"].(float64) != 0 {
				t.Fatalf("%s: remote row %v", tc.url, r)
			}
		}
	}
	code, m := get(t, srv, "/api/v1/services/linea-zebrafono?lang=en")
	if code != 200 {
		t.Fatalf("service: %d %v", code, m)
	}
	loc := m["service"].(map[string]any)["locations"].([]any)[0].(map[string]any)
	if loc["no_point"] != true || loc["distance_m"].(float64) != 0 {
		t.Fatalf("location %v", loc)
	}
}

// putRemote adds to srv's catalog a legal service in Arabic reached by
// phone, whose one place has no point.
func putRemote(t *testing.T, srv *Server) content.Service {
	t.Helper()
	svc := content.Service{
		ID: "linea-zebrafono", Status: content.StatusActive, Categories: []string{"legal"}, Languages: []string{"ar"},
		Name:      content.Text{"it": "Linea zebrafono", "en": "Zebraphone line"},
		Phones:    []content.Phone{{Number: "+39 071 000 0000"}},
		Locations: []content.Location{{ID: "loc-zebrafono", Address: "Casella postale 1", NoPoint: true}},
	}
	if err := srv.store.PutService(context.Background(), &svc); err != nil {
		t.Fatal(err)
	}
	return svc
}

package kiosk

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"math/rand/v2"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/content"
)

// TestResultJSONBytes checks that the appended answers are byte for byte
// what encoding/json wrote for the same maps (the handlers' output before
// they appended): 1,000 nearby queries with random filters, languages and
// moments, within and search on some of them, and strings and numbers
// chosen to hit every escape.
func TestResultJSONBytes(t *testing.T) {
	t.Parallel()
	// A totem that knows its facing: rows measured from it say on which
	// side they lie (relative), one query in three.
	facing := 90.0
	srv := newTestServerWith(t, func(c *Config) { c.Screen.Facing = &facing })
	ctx := context.Background()
	r := rand.New(rand.NewPCG(2, 14))
	langs := []string{"it", "en", "ar", "fa,en", "ti,fr", "zh", "pt-BR", "uk,ru", "xx"}
	cats := append([]string{"", "", ""}, func() (ids []string) {
		for _, c := range content.Categories {
			ids = append(ids, c.ID)
		}
		return
	}()...)
	words := []string{"medico", "lavoro", "scuola", "casa", "avvocato", "doctor", "عمل", "italiano"}
	for i := range 1000 {
		q := content.NearbyQuery{
			Center:   orb.Point{12.3 + r.Float64()*1.5, 42.8 + r.Float64()*1.2},
			RadiusM:  []float64{500, 2500, 10000, 25000, 123456.78}[r.IntN(5)],
			Limit:    1 + r.IntN(20),
			Category: cats[r.IntN(len(cats))],
			OpenNow:  r.IntN(4) == 0,
			At:       time.Date(2026, time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), r.IntN(60), 0, 0, content.Rome),
		}
		if i%3 == 0 {
			q.Center = srv.cfg.Position
		}
		lang := langs[r.IntN(len(langs))]
		hits, err := srv.store.NearbyHits(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Normalize(); err != nil {
			t.Fatal(err)
		}
		sums, err := srv.store.Summaries(ctx, hits, lang, q.Center, q.At)
		if err != nil {
			t.Fatal(err)
		}
		rs := srv.results(sums, lang, q.Center)
		want, err := json.Marshal(fiber.Map{
			"lang":     content.PrimaryLang(lang),
			"origin":   fiber.Map{"lat": q.Center[1], "lon": q.Center[0]},
			"radius_m": q.RadiusM,
			"at":       q.At.In(content.Rome).Format(time.RFC3339),
			"walking":  walking,
			"results":  rs,
			"remote":   rs[:0],
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := appendNearby(nil, &q, lang, rs, rs[:0]); !bytes.Equal(got, want) {
			t.Fatalf("nearby %d differs:\n got %s\nwant %s", i, got, want)
		}
		if i%10 == 0 {
			b := orb.Bound{Min: q.Center, Max: orb.Point{q.Center[0] + 0.3, q.Center[1] + 0.2}}
			hits, err := srv.store.Within(ctx, b, 1+r.IntN(100))
			if err != nil {
				t.Fatal(err)
			}
			sums, err := srv.store.Summaries(ctx, hits, lang, q.Center, q.At)
			if err != nil {
				t.Fatal(err)
			}
			rs := srv.results(sums, lang, q.Center)
			v := [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
			want, _ := json.Marshal(fiber.Map{"lang": content.PrimaryLang(lang), "bbox": v, "results": rs})
			if got := appendWithin(nil, v, lang, rs); !bytes.Equal(got, want) {
				t.Fatalf("within %d differs:\n got %s\nwant %s", i, got, want)
			}
		}
		if i%25 == 0 {
			w := words[r.IntN(len(words))]
			res, err := srv.store.Find(ctx, content.SearchQuery{Text: w, Lang: content.PrimaryLang(lang), From: q.Center, Limit: 20})
			if err != nil {
				t.Fatal(err)
			}
			sums, err := srv.store.Summaries(ctx, res.Hits, lang, q.Center, q.At)
			if err != nil {
				t.Fatal(err)
			}
			rs := srv.results(sums, lang, q.Center)
			want, _ := json.Marshal(fiber.Map{"lang": content.PrimaryLang(lang), "q": w, "results": rs, "remote": rs[:0], "matched": res.Matched, "suggestions": res.Suggestions})
			m, _ := json.Marshal(res.Matched)
			sg, _ := json.Marshal(res.Suggestions)
			if got := appendSearch(nil, lang, w, rs, rs[:0], m, sg); !bytes.Equal(got, want) {
				t.Fatalf("search %d differs:\n got %s\nwant %s", i, got, want)
			}
		}
	}

	// Every escape encoding/json makes, and numbers of every magnitude.
	pieces := []string{"a", "é", "ع", "漢", "🙂", "<", ">", "&", `"`, `\`, "\n", "\r", "\t", "\b", "\f", "\x00", "\x1f", "\x7f",
		"\u2028", "\u2029", "\xff", "\xe2\x80", "\xed\xa0\x80", " "}
	for range 2000 {
		var s string
		for range r.IntN(8) {
			s += pieces[r.IntN(len(pieces))]
		}
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("string %q: got %s, want %s", s, got, want)
		}
		f := (r.Float64() - 0.5) * math.Pow(10, float64(r.IntN(50)-25))
		want, _ = json.Marshal(f)
		if got := appendFloat(nil, f); !bytes.Equal(got, want) {
			t.Fatalf("number %v: got %s, want %s", f, got, want)
		}
	}

	// Through HTTP: the handler serves those bytes as JSON.
	target := "/api/v1/services/nearby?lat=43.6&lon=13.5&radius_m=20000&lang=ar&second=en&at=2026-11-23T10:30:00%2B01:00"
	res, err := srv.App().Test(httptest.NewRequest("GET", target, nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	if ct := res.Header.Get("Content-Type"); ct != fiber.MIMEApplicationJSON {
		t.Errorf("Content-Type %q", ct)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil || len(m["results"].([]any)) != 20 {
		t.Fatalf("nearby over HTTP: %v %s", err, body)
	}
}

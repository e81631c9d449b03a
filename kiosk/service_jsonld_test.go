package kiosk

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/content"
)

// hostileName would end the page's script element and run a script of its
// own if the JSON-LD were not escaped.
const hostileName = `</script><script>alert("JSON-LD")</script><!-- & "Casa" ' \ fine`

// putHostileService writes a service named hostileName in Ancona, with a
// closure and a special opening ahead, and returns its ID.
func putHostileService(t *testing.T, srv *Server) string {
	t.Helper()
	today := time.Now().In(content.Rome)
	closed, special := today.AddDate(0, 0, 3).Format(time.DateOnly), today.AddDate(0, 0, 4).Format(time.DateOnly)
	svc := content.Service{
		ID: "hostile-service", OrganizationID: "org-ats-11-ancona", Status: content.StatusActive,
		Name:        content.Text{"it": hostileName, "ar": hostileName + " عربي"},
		Description: content.Text{"it": "Descrizione </SCRIPT > con \u2028 separatori", "ar": "وصف"},
		Eligibility: content.Text{"it": "Per tutti"},
		Categories:  []string{"info", "mediation"}, Languages: []string{"ar", "it"},
		Phones: []content.Phone{{Number: "+39 000 000 9999", Type: "voice"}}, Email: "hostile@demo.invalid",
		Hours: content.Schedule{
			Weekly:     []content.Slot{{Weekday: 1, Opens: "09:00", Closes: "13:00"}, {Weekday: 3, Opens: "15:00", Closes: "24:00"}},
			Exceptions: []content.Exception{{Date: closed, Closed: true}, {Date: special, Opens: "10:00", Closes: "12:00"}},
		},
		Locations: []content.Location{{ID: "loc-hostile", Name: content.Text{"it": "Sala <b>1</b>"}, Address: "Via dei Tigli 1 (demo)",
			PostalCode: "60121", Comune: "Ancona", Province: "AN", Region: "Marche", Point: orb.Point{13.5153, 43.6169}}},
	}
	if err := srv.store.Write(context.Background(), func(b *content.Batch) error { return b.PutService(&svc) }); err != nil {
		t.Fatal(err)
	}
	return svc.ID
}

// jsonLD fetches a page and returns its JSON-LD block parsed, or nil when
// the page has none. It cuts the block where an HTML parser ends a script
// element (the first "</script"), so a text that broke out of it would
// leave broken JSON.
func jsonLD(t *testing.T, srv *Server, target string) map[string]any {
	t.Helper()
	res, err := srv.App().Test(httptest.NewRequest("GET", target, nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	page := string(body)
	if res.StatusCode != 200 || !strings.Contains(page, `/app.js"></script>`) {
		t.Fatalf("%s: %d, not the app's page", target, res.StatusCode)
	}
	if res.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("%s: no Content-Security-Policy", target)
	}
	const open = `<script type="application/ld+json">`
	i := strings.Index(page, open)
	if i < 0 {
		return nil
	}
	if strings.Count(page, "<script") != 2 {
		t.Errorf("%s: %d script elements, want the app's and the JSON-LD", target, strings.Count(page, "<script"))
	}
	rest := page[i+len(open):]
	end := strings.Index(strings.ToLower(rest), "</script")
	if end < 0 || i > strings.Index(page, "</head>") {
		t.Fatalf("%s: the JSON-LD block is not closed inside the head", target)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(rest[:end]), &doc); err != nil {
		t.Fatalf("%s: the JSON-LD does not parse: %v\n%s", target, err, rest[:end])
	}
	return doc
}

func TestServicePageJSONLD(t *testing.T) {
	t.Parallel()
	srv := newTestServerWith(t, func(c *Config) { c.PublicURL = "https://punto.example/" })
	id := putHostileService(t, srv)
	tests := []struct {
		name   string
		target string
		check  func(t *testing.T, ld map[string]any)
	}{
		{"hostile name, Italian by default", "/s/" + id, func(t *testing.T, ld map[string]any) {
			if ld["name"] != hostileName || ld["url"] != "https://punto.example/s/hostile-service?lang=it" || ld["@id"] != "https://punto.example/s/hostile-service" {
				t.Errorf("name %q, url %v, @id %v", ld["name"], ld["url"], ld["@id"])
			}
			if ld["description"] != "Descrizione </SCRIPT > con \u2028 separatori" {
				t.Errorf("description %q", ld["description"])
			}
			if ld["serviceType"] != "Informazione e orientamento" || toJSON(ld["category"]) != `["Informazione e orientamento","Mediazione culturale e interpretariato"]` {
				t.Errorf("serviceType %v, category %v", ld["serviceType"], ld["category"])
			}
		}},
		{"in Arabic", "/s/" + id + "?lang=ar", func(t *testing.T, ld map[string]any) {
			if ld["name"] != hostileName+" عربي" {
				t.Errorf("name %q", ld["name"])
			}
			if ld["@context"] != "https://schema.org" || ld["@type"] != "Service" {
				t.Errorf("@context %v, @type %v", ld["@context"], ld["@type"])
			}
			// Languages spoken are the channel's (schema.org has no
			// availableLanguage on a Service); the texts' language is
			// inLanguage.
			if _, ok := ld["availableLanguage"]; ok || ld["inLanguage"] != "ar" {
				t.Errorf("availableLanguage %v, inLanguage %v", ld["availableLanguage"], ld["inLanguage"])
			}
			if p := ld["provider"].(map[string]any); p["@type"] != "Organization" || p["name"] != "الدائرة الاجتماعية 11 – أنكونا (تجريبي)" {
				t.Errorf("provider %v", p)
			}
			if a := ld["audience"].(map[string]any); a["audienceType"] != "Per tutti" {
				t.Errorf("audience %v", a)
			}
			areas := toJSON(ld["areaServed"])
			if !strings.Contains(areas, `{"@type":"AdministrativeArea","name":"`) || !strings.Contains(areas, `{"@type":"City","name":"Ancona"}`) {
				t.Errorf("areaServed %s", areas)
			}
			channels := ld["availableChannel"].([]any)
			if len(channels) != 1 {
				t.Fatalf("%d channels", len(channels))
			}
			ch := channels[0].(map[string]any)
			if ch["@type"] != "ServiceChannel" || toJSON(ch["availableLanguage"]) != `["ar","it"]` || ch["servicePhone"].(map[string]any)["telephone"] != "+39 000 000 9999" ||
				ch["servicePhone"].(map[string]any)["email"] != "hostile@demo.invalid" {
				t.Errorf("channel %v", ch)
			}
			place := ch["serviceLocation"].(map[string]any)
			addr := place["address"].(map[string]any)
			geo := place["geo"].(map[string]any)
			if place["@type"] != "Place" || place["name"] != "Sala <b>1</b>" || place["telephone"] != "+39 000 000 9999" ||
				addr["@type"] != "PostalAddress" || addr["streetAddress"] != "Via dei Tigli 1 (demo)" || addr["addressLocality"] != "Ancona" ||
				addr["postalCode"] != "60121" || addr["addressRegion"] != "Marche" || addr["addressCountry"] != "IT" ||
				geo["@type"] != "GeoCoordinates" || geo["latitude"] != 43.6169 || geo["longitude"] != 13.5153 {
				t.Errorf("place %v", place)
			}
			hours := toJSON(place["openingHoursSpecification"])
			today := time.Now().In(content.Rome)
			closed, special := today.AddDate(0, 0, 3).Format(time.DateOnly), today.AddDate(0, 0, 4).Format(time.DateOnly)
			for _, want := range []string{
				`{"@type":"OpeningHoursSpecification","closes":"13:00:00","dayOfWeek":"https://schema.org/Monday","opens":"09:00:00"}`,
				`{"@type":"OpeningHoursSpecification","closes":"23:59:59","dayOfWeek":"https://schema.org/Wednesday","opens":"15:00:00"}`,
				`{"@type":"OpeningHoursSpecification","closes":"00:00:00","opens":"00:00:00","validFrom":"` + closed + `","validThrough":"` + closed + `"}`,
				`{"@type":"OpeningHoursSpecification","closes":"12:00:00","opens":"10:00:00","validFrom":"` + special + `","validThrough":"` + special + `"}`,
			} {
				if !strings.Contains(hours, want) {
					t.Errorf("openingHoursSpecification lacks %s: %s", want, hours)
				}
			}
		}},
		{"a demo service in French", "/s/ancona-info-0?lang=fr", func(t *testing.T, ld map[string]any) {
			if !strings.HasPrefix(ld["name"].(string), "Guichet") {
				t.Errorf("name %q", ld["name"])
			}
		}},
		{"a bad lang falls back to Italian", "/s/ancona-info-0?lang=%3C%3E", func(t *testing.T, ld map[string]any) {
			if !strings.HasPrefix(ld["name"].(string), "Sportello") {
				t.Errorf("name %q", ld["name"])
			}
		}},
		{"an unknown service", "/s/no-such-service?lang=fr", nil},
		{"a bad id", "/s/%3Cx%3E", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ld := jsonLD(t, srv, tt.target)
			switch {
			case tt.check == nil && ld != nil:
				t.Errorf("JSON-LD for no service: %v", ld)
			case tt.check != nil && ld == nil:
				t.Fatal("no JSON-LD")
			case tt.check != nil:
				tt.check(t, ld)
			}
		})
	}
}

// An address writes only the parts the location has: no empty postalCode.
func TestJSONLDAddressLeavesOutEmptyParts(t *testing.T) {
	t.Parallel()
	a := postalAddress(content.LocationView{Comune: "Ancona", Address: "Via Roma 1"})
	if _, ok := a["postalCode"]; ok || a["streetAddress"] != "Via Roma 1" || a["addressLocality"] != "Ancona" {
		t.Errorf("address %v", a)
	}
	if _, ok := a["addressRegion"]; ok {
		t.Errorf("address %v has an empty region", a)
	}
}

package content

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/geo"
)

func fullService() Service {
	return Service{
		ID: "desk-1", OrganizationID: "org-1", Status: StatusActive,
		Name:        Text{"it": "Sportello Immigrati", "en": "Immigrant desk", "ar": "مكتب المهاجرين"},
		Description: Text{"it": "Informazioni e orientamento.", "en": "Information and guidance."},
		Eligibility: Text{"it": "Cittadini di paesi terzi"},
		Fees:        Text{"it": "Gratuito", "en": "Free"},
		URL:         "https://example.invalid/desk", Email: "desk@example.invalid", ByAppointment: true,
		Categories: []string{"info", "mediation"}, Languages: []string{"ar", "en", "it"},
		Documents: []Text{{"it": "Passaporto", "en": "Passport"}, {"it": "Codice fiscale"}},
		Phones:    []Phone{{Number: "+39 000 000 0001", Type: "voice", Description: Text{"it": "Centralino"}}},
		Contacts:  []Contact{{Name: "Ufficio", Title: Text{"it": "Referente"}, Email: "a@example.invalid", Phone: "+39 000 000 0000"}},
		Hours: Schedule{Weekly: []Slot{{1, "09:00", "13:00"}, {3, "15:00", "18:00"}}, Exceptions: []Exception{
			{Date: "2026-12-24", Closed: true, Note: Text{"it": "Vigilia", "en": "Christmas Eve"}},
			{Date: "2026-12-31", Opens: "09:00", Closes: "11:00"},
		}},
		Locations: []Location{{ID: "loc-1", Name: Text{"it": "Palazzo comunale"}, Address: "Piazza della Pace 1 (demo)", PostalCode: "60121",
			Comune: "Ancona", Province: "AN", Region: "Marche", Point: orb.Point{13.5153, 43.6169}, Wheelchair: true,
			Accessibility: Text{"it": "Ingresso senza gradini", "en": "Step-free entrance"}}},
	}
}

func TestServiceRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	err := s.Write(ctx, func(b *Batch) error {
		if err := b.PutOrganization(&Organization{ID: "org-1", Name: Text{"it": "Comune (demo)"}}); err != nil {
			return err
		}
		svc := fullService()
		return b.PutService(&svc)
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Service(ctx, "desk-1")
	if err != nil {
		t.Fatal(err)
	}
	want := fullService()
	// A service and location written without a UUID get their derived one.
	want.UUID = RecordUUID(KindService, want.ID)
	want.Locations[0].UUID = RecordUUID("location", want.Locations[0].ID)
	if !reflect.DeepEqual(got, &want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, &want)
	}
	// Writing it again with fewer children replaces, not appends.
	want.Documents = want.Documents[:1]
	want.Hours.Exceptions = nil
	want.Languages = []string{"it"}
	if err := s.PutService(ctx, &want); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Service(ctx, "desk-1")
	if len(got.Documents) != 1 || len(got.Hours.Exceptions) != 0 || !slices.Equal(got.Languages, []string{"it"}) {
		t.Errorf("after rewrite: %+v", got)
	}
	var orphans int
	s.r.QueryRow("SELECT count(*) FROM translation WHERE entity IN ('document', 'exception')").Scan(&orphans)
	if orphans != 2 { // one document in it and en
		t.Errorf("%d document/exception translations left, want 2", orphans)
	}
	if _, err := s.Service(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing service: err = %v", err)
	}
}

func TestServiceValidation(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	tests := []struct {
		name   string
		mutate func(*Service)
		field  string
	}{
		{"bad id", func(s *Service) { s.ID = "a b" }, "id"},
		{"no name", func(s *Service) { s.Name = Text{"fr": "x"} }, "name"},
		{"bad status", func(s *Service) { s.Status = "open" }, "status"},
		{"no category", func(s *Service) { s.Categories = nil }, "categories"},
		{"unknown category", func(s *Service) { s.Categories = []string{"food"} }, "categories"},
		{"bad language", func(s *Service) { s.Languages = []string{"Italian"} }, "languages"},
		{"bad phone type", func(s *Service) { s.Phones[0].Type = "pigeon" }, "phones[0].type"},
		{"empty phone", func(s *Service) { s.Phones[0].Number = " " }, "phones[0].number"},
		{"no location nor remote channel", func(s *Service) { s.Locations, s.Phones, s.URL, s.Email, s.Contacts = nil, nil, "", "", nil }, "locations"},
		{"latitude", func(s *Service) { s.Locations[0].Point = orb.Point{13, 95} }, "locations[0].point"},
		{"no comune", func(s *Service) { s.Locations[0].Comune = "" }, "locations[0].comune"},
		{"bad hours", func(s *Service) { s.Hours.Weekly[0].Closes = "08:00" }, "hours.weekly[0].closes"},
		{"bad text tag", func(s *Service) { s.Description = Text{"Italiano!": "x"} }, "description"},
		{"unknown organization", func(s *Service) { s.OrganizationID = "org-404" }, "organization_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := fullService()
			tt.mutate(&svc)
			err := s.PutService(ctx, &svc)
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != tt.field {
				t.Fatalf("err = %v, want a validation error on %s", err, tt.field)
			}
		})
	}
	// Nothing of the failed writes was kept.
	if st, _ := s.Stats(ctx); st.Services != 0 || st.Locations != 0 {
		t.Errorf("failed writes left %+v", st)
	}
}

func TestWriteIsAtomic(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	svc := fullService()
	svc.OrganizationID = ""
	err := s.Write(ctx, func(b *Batch) error {
		if err := b.PutService(&svc); err != nil {
			return err
		}
		return errors.New("power cut")
	})
	if err == nil {
		t.Fatal("want the error back")
	}
	if st, _ := s.Stats(ctx); st.Services != 0 || st.Locations != 0 {
		t.Errorf("a failed batch left %+v", st)
	}
	if hits, _ := s.NearbyHits(context.Background(), NearbyQuery{Center: svc.Locations[0].Point}); len(hits) != 0 {
		t.Errorf("index has %d hits from a failed batch", len(hits))
	}
	var n int
	s.r.QueryRow("SELECT count(*) FROM idx_location_geom").Scan(&n)
	if n != 0 {
		t.Errorf("spatial index holds %d rows from a failed batch", n)
	}
}

func TestPick(t *testing.T) {
	tx := Text{"it": "Ciao", "en": "Hello", "pt": "Olá"}
	for _, c := range []struct {
		lang string
		want Localized
	}{
		{"en", Localized{"Hello", "en"}},
		{"ar", Localized{"Hello", "en"}},
		{"pt-BR", Localized{"Olá", "pt"}},
		{"", Localized{"Hello", "en"}},
	} {
		if got := tx.Pick(c.lang); got != c.want {
			t.Errorf("Pick(%q) = %+v, want %+v", c.lang, got, c.want)
		}
	}
	if got := (Text{"it": "Ciao"}).Pick("fr"); got != (Localized{"Ciao", "it"}) {
		t.Errorf("Italian fallback: %+v", got)
	}
	if got := (Text{"fr": "Salut", "de": "Hallo"}).Pick("ar"); got != (Localized{"Hallo", "de"}) {
		t.Errorf("last resort: %+v", got)
	}
}

func TestSearch(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	put := func(id, it, ar string, p orb.Point, status Status) {
		svc := Service{ID: id, Status: status, Name: Text{"it": it, "ar": ar}, Description: Text{"en": "Free help for families"},
			Categories: []string{"info"}, Locations: []Location{{ID: "l-" + id, Comune: "Città di Castello", Point: p}}}
		if err := s.PutService(ctx, &svc); err != nil {
			t.Fatal(err)
		}
	}
	put("near", "Mediazione culturale", "الوساطة الثقافية", orb.Point{12.24, 43.46}, StatusActive)
	put("far", "Mediazione linguistica", "الوساطة اللغوية", orb.Point{12.9, 43.9}, StatusActive)
	put("gone", "Mediazione ritirata", "", orb.Point{12.24, 43.46}, StatusWithdrawn)
	put("other", "Corso di italiano", "دورة اللغة الإيطالية", orb.Point{12.25, 43.46}, StatusActive)
	from := orb.Point{12.24, 43.46}
	tests := []struct {
		q    string
		want []string
	}{
		{"mediazione", []string{"near", "far"}},
		{"MEDIAZ", []string{"near", "far"}},
		{"medi cult", []string{"near"}},
		{"citta", []string{"near", "other", "far"}}, // the comune, accent-free
		{"CITTÀ", []string{"near", "other", "far"}},
		{"الوساطة", []string{"near", "far"}},
		{"الوَسَاطَة", []string{"near", "far"}}, // with vowel marks
		{"famil", []string{"near", "other", "far"}},
		{"italiano", []string{"other"}},
		{`" OR 1=1 --`, []string{}},
		{"NEAR(a b)", []string{}},
		{"zzz", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			hits, err := s.Search(ctx, tt.q, from, 10)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, h := range hits {
				got = append(got, h.ServiceID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Search(%q) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
	if _, err := s.Search(ctx, "医", from, 10); err != nil {
		t.Errorf("one Chinese character: %v", err)
	}
	for _, q := range []string{"", "   ", "!!!", "m", "a b", strings.Repeat("a", MaxQueryLen+1)} {
		if _, err := s.Search(ctx, q, from, 10); err == nil {
			t.Errorf("Search(%q): want an error", q)
		}
	}
}

func TestDemoCatalog(t *testing.T) {
	ctx := context.Background()
	s := openDemo(t)
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Services < 200 {
		t.Errorf("%d services, want at least 200", st.Services)
	}
	var comuni int
	s.r.QueryRow("SELECT count(DISTINCT comune) FROM location").Scan(&comuni)
	if comuni < 30 {
		t.Errorf("%d comuni, want at least 30", comuni)
	}
	for _, c := range Categories {
		if s.CategoryCounts()[c.ID] == 0 {
			t.Errorf("no demo service in category %s", c.ID)
		}
	}
	var missing int
	s.r.QueryRow(`SELECT count(*) FROM service s WHERE (SELECT count(DISTINCT lang) FROM translation t
		WHERE t.entity = 'service' AND t.id = s.id AND t.field IN ('name', 'description') AND t.lang IN ('it', 'en', 'fr', 'ar')) < 4`).Scan(&missing)
	if missing > 0 {
		t.Errorf("%d services lack a name or description in it, en, fr or ar", missing)
	}
	var d demoData
	if err := json.Unmarshal(demoJSON, &d); err != nil {
		t.Fatal(err)
	}
	for _, c := range d.Comuni {
		at, err := s.TerritoriesAt(ctx, orb.Point{c.Lon, c.Lat})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, t := range at {
			ids = append(ids, t.ID)
		}
		want := []string{}
		if c.Territory != "" {
			want = []string{c.Territory}
		}
		if !slices.Equal(append([]string{}, ids...), want) {
			t.Errorf("%s lies in %v, want %v", c.Name, ids, want)
		}
		if c.Region != "Marche" && c.Region != "Umbria" {
			t.Errorf("%s: region %q", c.Name, c.Region)
		}
	}
	// Demo data says it is demo data.
	var phones, notDemo int
	s.r.QueryRow("SELECT count(*), count(*) FILTER (WHERE number NOT LIKE '+39 000 000 %') FROM phone").Scan(&phones, &notDemo)
	if phones == 0 || notDemo > 0 {
		t.Errorf("%d phones, %d not in the fictional 000 range", phones, notDemo)
	}
	var addr int
	s.r.QueryRow("SELECT count(*) FROM location WHERE address NOT LIKE '%(demo)'").Scan(&addr)
	if addr > 0 {
		t.Errorf("%d addresses not marked (demo)", addr)
	}
	// Every service name says it is demo data, in every language.
	var unmarked int
	s.r.QueryRow(`SELECT count(*) FROM translation WHERE entity = 'service' AND field = 'name'
		AND value NOT LIKE '%(demo)' AND value NOT LIKE '%(démo)' AND value NOT LIKE '%(تجريبي)'`).Scan(&unmarked)
	if unmarked > 0 {
		t.Errorf("%d service names not marked as demo", unmarked)
	}
	// The totem stands in Ancona's ambito.
	at, _ := s.TerritoriesAt(ctx, DemoTotem)
	if len(at) != 1 || at[0].ID != "ats-11-ancona" {
		t.Errorf("demo totem territories: %+v", at)
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	digest := func(path string) string {
		db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		h := sha256.New()
		for _, q := range []string{
			"SELECT id, status FROM service ORDER BY id",
			"SELECT id, hex(geom) FROM location ORDER BY id",
			"SELECT service_id, category_id FROM service_category ORDER BY 1, 2",
			"SELECT service_id, lang FROM service_language ORDER BY 1, 2",
			"SELECT service_id, weekday, opens_at, closes_at FROM schedule ORDER BY 1, 2, 3",
			"SELECT entity, id, field, lang, value FROM translation ORDER BY 1, 2, 3, 4",
		} {
			rows, err := db.Query(q)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			for rows.Next() {
				rows.Scan(ptrs...)
				fmt.Fprintln(h, vals...)
			}
			rows.Close()
		}
		return fmt.Sprintf("%x", h.Sum(nil))
	}
	a, b, c := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db"), filepath.Join(dir, "c.db")
	for _, f := range []struct {
		path string
		seed uint64
	}{{a, 7}, {b, 7}, {c, 8}} {
		if err := Generate(ctx, f.path, GenerateOptions{Services: 2000, Seed: f.seed}); err != nil {
			t.Fatal(err)
		}
	}
	if digest(a) != digest(b) {
		t.Error("the same seed gave different catalogs")
	}
	if digest(a) == digest(c) {
		t.Error("different seeds gave the same catalog")
	}
	st, err := Open(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stats, _ := st.Stats(ctx)
	if stats.Locations != 2000 || stats.Services < 1950 {
		t.Errorf("generated: %+v", stats)
	}
	for _, n := range []int{0, -1, MaxGenerated + 1} {
		if err := Generate(ctx, filepath.Join(dir, "x.db"), GenerateOptions{Services: n}); err == nil {
			t.Errorf("Generate(%d): want an error", n)
		}
	}
	if err := Generate(ctx, a, GenerateOptions{Services: 1}); err == nil {
		t.Error("overwriting an existing file: want an error")
	}
	if _, err := os.Stat(filepath.Join(dir, "x.db")); !os.IsNotExist(err) {
		t.Error("a refused generate left a file behind")
	}
}

func TestCreateLeavesNothingOnFailure(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	err := Create(context.Background(), path, func(b *Batch) error {
		svc := fullService()
		svc.OrganizationID = ""
		if err := b.PutService(&svc); err != nil {
			return err
		}
		return io.ErrUnexpectedEOF
	})
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 0 {
		t.Errorf("left %d files behind", len(entries))
	}
}

func TestOpenRejectsOtherFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(path, []byte(strings.Repeat("not a database\n", 100)), 0o644)
	if _, err := Open(context.Background(), path); err == nil || !strings.Contains(err.Error(), "not a SQLite catalog") {
		t.Errorf("err = %v", err)
	}
}

func TestOpenRefusesOtherDatabases(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.db")
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	db.Exec("CREATE TABLE notes (body TEXT)")
	db.Close()
	if _, err := Open(context.Background(), path); !errors.Is(err, ErrNotCatalog) {
		t.Fatalf("err = %v", err)
	}
	db, _ = sql.Open("sqlite3", path)
	defer db.Close()
	var tables int
	db.QueryRow("SELECT count(*) FROM sqlite_master").Scan(&tables)
	if tables != 1 {
		t.Errorf("the file now has %d schema objects, want its 1 table untouched", tables)
	}
}

func TestSpatialIndexInStep(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	svc := fullService()
	svc.OrganizationID = ""
	if err := s.PutService(ctx, &svc); err != nil {
		t.Fatal(err)
	}
	svc.Locations[0].Point = orb.Point{12.39, 43.11} // moved to Perugia
	if err := s.PutService(ctx, &svc); err != nil {
		t.Fatal(err)
	}
	var n int
	var xmin, ymin float64
	s.r.QueryRow("SELECT count(*), min(xmin), min(ymin) FROM idx_location_geom").Scan(&n, &xmin, &ymin)
	if n != 1 || xmin > 12.39 || xmin < 12.389 || ymin > 43.11 || ymin < 43.109 {
		t.Errorf("r*tree: %d rows, box min (%v %v)", n, xmin, ymin)
	}
	var blob []byte
	s.r.QueryRow("SELECT geom FROM location").Scan(&blob)
	g, srid, err := geo.DecodeBlob(blob)
	if err != nil || srid != 4326 || g != (orb.Point{12.39, 43.11}) {
		t.Errorf("stored geometry %v %d %v", g, srid, err)
	}
	hits, _ := s.NearbyHits(context.Background(), NearbyQuery{Center: orb.Point{12.39, 43.11}, RadiusM: 100, At: time.Now()})
	if len(hits) != 1 {
		t.Errorf("index did not follow the move: %v", hits)
	}
}

// A location shared by two services, moved on its own: both services follow
// it in the index and in search.
func TestSharedLocationMoves(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	shared := Location{ID: "hall", Comune: "Ancona", Address: "Piazza (demo)", Point: orb.Point{13.5153, 43.6169}}
	for _, id := range []string{"a", "b"} {
		svc := Service{ID: id, Name: Text{"it": "Sportello " + id}, Categories: []string{"info"}, Locations: []Location{shared}}
		if err := s.PutService(ctx, &svc); err != nil {
			t.Fatal(err)
		}
	}
	moved := shared
	moved.Comune, moved.Point = "Perugia", orb.Point{12.3908, 43.1107}
	if err := s.Write(ctx, func(b *Batch) error { return b.PutLocation(&moved) }); err != nil {
		t.Fatal(err)
	}
	q := NearbyQuery{Center: moved.Point, RadiusM: 1000}
	hits, _ := s.NearbyHits(context.Background(), q)
	viaSQL, _ := s.NearbySQL(ctx, q)
	if len(hits) != 2 || len(viaSQL) != 2 {
		t.Errorf("after the move: index %v, file %v", hits, viaSQL)
	}
	found, err := s.Search(ctx, "perugia", moved.Point, 10)
	if err != nil || len(found) != 2 {
		t.Errorf("search for the new comune: %v %v", found, err)
	}
	if old, _ := s.Search(ctx, "ancona", moved.Point, 10); len(old) != 0 {
		t.Errorf("search still finds the old comune: %v", old)
	}
}

// Every translated text of a service is searchable, not only its name.
func TestSearchCoversEveryText(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	err := s.Write(ctx, func(b *Batch) error {
		if err := b.PutOrganization(&Organization{ID: "org", Name: Text{"it": "Cooperativa Arcobaleno"}}); err != nil {
			return err
		}
		svc := fullService()
		svc.OrganizationID = "org"
		svc.Hours.Exceptions[0].Note = Text{"it": "Chiuso per San Ciriaco"}
		return b.PutService(&svc)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"arcobaleno", "gratuito", "senza gradini", "palazzo comunale", "centralino", "referente", "san ciriaco", "passaporto", "60121"} {
		hits, err := s.Search(ctx, q, orb.Point{13.5, 43.6}, 5)
		if err != nil || len(hits) != 1 {
			t.Errorf("Search(%q) = %v, %v", q, hits, err)
		}
	}
}

func TestActiveAlerts(t *testing.T) {
	ctx := context.Background()
	s := openDemo(t)
	day := func(d int) time.Time { return time.Date(2026, 12, d, 12, 0, 0, 0, time.UTC) }
	err := s.Write(ctx, func(b *Batch) error {
		for _, a := range []Alert{
			{ID: "everyone", Text: Text{"it": "a tutti"}, StartsAt: day(1), EndsAt: day(10)},
			{ID: "perugia", Text: Text{"it": "zona 2"}, StartsAt: day(1), EndsAt: day(10), TargetKind: "territory", Target: "zona-2-perugia"},
			{ID: "two-totems", Text: Text{"it": "due totem"}, StartsAt: day(1), EndsAt: day(10), TargetKind: "totems", Target: "t1,t2"},
			{ID: "later", Text: Text{"it": "dopo"}, StartsAt: day(20), EndsAt: day(21)},
		} {
			if err := b.PutAlert(&a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(pos orb.Point, totem string, at time.Time) []string {
		as, err := s.ActiveAlerts(ctx, pos, totem, at)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, a := range as {
			out = append(out, a.ID)
		}
		slices.Sort(out)
		return out
	}
	perugia := orb.Point{12.3908, 43.1107}
	for _, c := range []struct {
		name  string
		pos   orb.Point
		totem string
		at    time.Time
		want  []string
	}{
		{"Ancona totem t1", DemoTotem, "t1", day(5), []string{"demo-ancona-phone", "everyone", "two-totems"}},
		{"Perugia totem t3", perugia, "t3", day(5), []string{"everyone", "perugia"}},
		{"after the window", perugia, "t1", day(15), []string{}},
		{"the later one", perugia, "", day(20), []string{"later"}},
	} {
		if got := ids(c.pos, c.totem, c.at); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	bad := Alert{ID: "x", Text: Text{"it": "x"}, StartsAt: day(2), EndsAt: day(1)}
	if err := s.Write(ctx, func(b *Batch) error { return b.PutAlert(&bad) }); err == nil {
		t.Error("an alert that ends before it starts: want an error")
	}
	pages, err := s.Pages(ctx)
	if err != nil || len(pages) != 2 || pages[0].Title["ar"] == "" {
		t.Errorf("pages: %+v %v", pages, err)
	}
}

// A new file written record by record (not in bulk) where two services
// share a location: the second write rebuilds the first's search row.
func TestFreshWriteSharedLocation(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	loc := Location{ID: "loc-shared", Comune: "Ancona", Address: "Via Uno 1", Point: DemoTotem}
	err := s.write(ctx, true, func(b *Batch) error {
		for _, id := range []string{"svc-a", "svc-b"} {
			svc := Service{ID: id, Name: Text{"it": "Sportello " + id}, Categories: []string{"info"}, Locations: []Location{loc}}
			if err := b.PutService(&svc); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Search(ctx, "sportello", DemoTotem, 10)
	if err != nil || len(res) != 2 {
		t.Fatalf("search after a fresh write: %d results, %v", len(res), err)
	}
}

// A store opened lazily answers every search as one opened at once: its
// first search loads the words, writes made before it included, and
// writes after it add their own.
func TestOpenLazySearchesTheSame(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	open := func(name string, how func(context.Context, string) (*Store, error)) *Store {
		path := filepath.Join(dir, name)
		demo.Copy(t, path)
		s, err := how(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	eager, lazy := open("eager.db", Open), open("lazy.db", OpenLazy)
	put := func(s *Store, id, it, zh string) {
		t.Helper()
		svc := Service{ID: id, Status: StatusActive, Name: Text{"it": it, "zh": zh}, Categories: []string{"health"},
			Locations: []Location{{ID: "l-" + id, Comune: "Ancona", Point: orb.Point{13.51, 43.61}}}}
		if err := s.PutService(ctx, &svc); err != nil {
			t.Fatal(err)
		}
	}
	find := func(s *Store, q, lang string) []string {
		t.Helper()
		r, err := s.Find(ctx, SearchQuery{Text: q, Lang: lang, From: orb.Point{13.51, 43.61}, Limit: 20})
		if err != nil {
			t.Fatalf("Find(%q): %v", q, err)
		}
		ids := []string{}
		for _, h := range r.Hits {
			ids = append(ids, h.ServiceID)
		}
		return ids
	}
	if lazy.words.Load() {
		t.Fatal("OpenLazy loaded search's words")
	}
	for _, s := range []*Store{eager, lazy} {
		put(s, "before-search", "Ambulatorio zanzibar", "桑给巴尔诊所")
	}
	queries := [][2]string{{"zanzibar", "it"}, {"桑给巴尔", "zh"}, {"medico", "it"}, {"doctor", "en"}, {"طبيب", "ar"},
		{"ሓኪም", "ti"}, {"italiano", "it"}, {"lavoro", "it"}, {"ambulatorio", "it"}}
	for _, q := range queries {
		if got, want := find(lazy, q[0], q[1]), find(eager, q[0], q[1]); !slices.Equal(got, want) {
			t.Errorf("%s %q: lazy %v, eager %v", q[1], q[0], got, want)
		}
	}
	if !lazy.words.Load() {
		t.Fatal("a search did not load the words")
	}
	for _, s := range []*Store{eager, lazy} {
		put(s, "after-search", "Consultorio quokka", "")
	}
	for _, q := range [][2]string{{"quokka", "it"}, {"zanzibar", "it"}} {
		got, want := find(lazy, q[0], q[1]), find(eager, q[0], q[1])
		if !slices.Equal(got, want) || len(got) == 0 {
			t.Errorf("%q after a write: lazy %v, eager %v", q[0], got, want)
		}
	}
}

package content

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

//go:embed demo/demo.json
var demoJSON []byte

// demoData is the shape of demo/demo.json.
type demoData struct {
	Territories []struct {
		ID      string      `json:"id"`
		Kind    string      `json:"kind"`
		Region  string      `json:"region"`
		Name    Text        `json:"name"`
		Polygon [][]float64 `json:"polygon"`
	} `json:"territories"`
	Comuni    []demoComune `json:"comuni"`
	Templates []struct {
		Category      string   `json:"category"`
		Name          Text     `json:"name"`
		Description   Text     `json:"description"`
		Eligibility   Text     `json:"eligibility"`
		Documents     []Text   `json:"documents"`
		Languages     []string `json:"languages"`
		Schedule      string   `json:"schedule"`
		Accessibility Text     `json:"accessibility"`
		// Review names the languages whose wording awaits a native
		// speaker's check (see demo/README.md); the catalog ignores it.
		Review map[string]bool `json:"review"`
	} `json:"templates"`
	// Texts are the demo's other words: {comune} and {saint} stand for
	// names.
	Texts struct {
		Organization   Text `json:"organization"`
		Phone          Text `json:"phone"`
		PatronClosure  Text `json:"patron_closure"`
		HolidayClosure Text `json:"holiday_closure"`
		DemoSuffix     Text `json:"demo_suffix"`
	} `json:"texts"`
	Alert Text `json:"alert"`
	Pages []struct {
		ID    string `json:"id"`
		Title Text   `json:"title"`
		Body  Text   `json:"body"`
	} `json:"pages"`
}

type demoComune struct {
	Name      string  `json:"name"`
	Province  string  `json:"province"`
	Region    string  `json:"region"`
	Lat       float64 `json:"lat"`
	Lon       float64 `json:"lon"`
	Territory string  `json:"territory"`
}

// DemoTotem is where the demo totem stands: the Comune di Ancona's town
// hall area, on Piazza XXIV Maggio.
var DemoTotem = orb.Point{13.5153, 43.6169}

// demoSchedules are the opening patterns the demo templates name.
var demoSchedules = map[string]Schedule{
	"office-mornings": {Weekly: weekdays([]int{1, 2, 3, 4, 5}, "09:00", "13:00")},
	"office-split":    {Weekly: append(weekdays([]int{1, 2, 3, 4, 5}, "09:00", "12:30"), weekdays([]int{1, 2, 3, 4, 5}, "15:00", "18:00")...)},
	"twice-weekly":    {Weekly: weekdays([]int{2, 4}, "15:00", "18:30")},
	"evening-classes": {Weekly: append(weekdays([]int{1, 3}, "18:00", "20:00"), Slot{6, "09:30", "12:00"})},
	"appointment":     {Weekly: weekdays([]int{1, 2, 3, 4, 5}, "09:00", "17:00")},
	"weekend-events":  {Weekly: append(weekdays([]int{5}, "17:00", "23:00"), weekdays([]int{6, 7}, "10:00", "23:00")...)},
}

func weekdays(days []int, opens, closes string) []Slot {
	out := make([]Slot, len(days))
	for i, d := range days {
		out[i] = Slot{Weekday: d, Opens: opens, Closes: closes}
	}
	return out
}

// patronDays are the patron saints' days (local holidays) of some demo
// comuni: offices close, so the demo shows dated closures.
var patronDays = map[string]struct {
	month, day int
	saint      string
}{
	"Ancona": {5, 4, "San Ciriaco"}, "Perugia": {1, 29, "San Costanzo"}, "Terni": {2, 14, "San Valentino"},
	"Pesaro": {9, 24, "San Terenzio"}, "Jesi": {9, 22, "San Settimio"}, "Macerata": {8, 31, "San Giuliano"},
	"Ascoli Piceno": {8, 5, "Sant'Emidio"}, "Foligno": {1, 24, "San Feliciano"},
}

var demoStreets = []string{
	"Via dell'Accoglienza", "Piazza della Pace", "Via dei Tigli", "Corso dell'Incontro", "Via delle Rondini",
	"Via del Mosaico", "Largo dei Popoli", "Via della Solidarietà", "Via dei Mestieri", "Piazzetta dei Ponti",
}

// stable returns a deterministic number in [0, 1) for a key.
func stable(key string) float64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	return float64(h.Sum64()>>11) / (1 << 53)
}

// offset moves p by up to maxM metres in a direction fixed by key, so demo
// places sit around the town centre rather than on one spot.
func offset(p orb.Point, key string, maxM float64) orb.Point {
	ang := 2 * math.Pi * stable(key+"/a")
	dist := maxM * math.Sqrt(stable(key+"/d"))
	dLat := dist * math.Cos(ang) / 111_320
	dLon := dist * math.Sin(ang) / (111_320 * math.Cos(p[1]*math.Pi/180))
	return orb.Point{p[0] + dLon, p[1] + dLat}
}

func slug(s string) string {
	s = strings.ToLower(fold(s))
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

// demoURL gives information desks a website, on a reserved example domain.
func demoURL(category, id string) string {
	if category != "info" {
		return ""
	}
	return "https://www.example.org/punto-demo/" + id
}

// demoName marks every translation of a demo name as demo data.
func demoName(t Text, suffix func(lang string) string) Text {
	for lang, v := range t {
		t[lang] = v + suffix(lang)
	}
	return t
}

func replaceAll(t Text, old, new string) Text {
	out := make(Text, len(t))
	for k, v := range t {
		out[k] = strings.ReplaceAll(v, old, new)
	}
	return out
}

// DemoCatalog builds the demo catalog from the embedded data: services in
// every category over the comuni where the regional programmes run. Names,
// addresses and phone numbers are fictional (and say so); town-centre
// coordinates are real.
func DemoCatalog() (*Catalog, error) {
	var d demoData
	if err := json.Unmarshal(demoJSON, &d); err != nil {
		return nil, fmt.Errorf("content: demo data: %w", err)
	}
	if len(d.Templates) == 0 {
		return nil, fmt.Errorf("content: demo data has no templates")
	}
	b := &demoBuilder{d: &d, cat: &Catalog{}, orgs: map[string]bool{}}
	for _, t := range d.Territories {
		ring := make(orb.Ring, len(t.Polygon))
		for i, p := range t.Polygon {
			ring[i] = orb.Point{p[0], p[1]}
		}
		b.cat.Territories = append(b.cat.Territories, Territory{ID: t.ID, Kind: t.Kind, Region: t.Region, Name: t.Name, Shape: orb.MultiPolygon{{ring}}})
	}
	const perComune = 6
	for ci, c := range d.Comuni {
		org := b.orgFor(c)
		k := perComune
		if ci < 4 { // the largest towns get a few more
			k += 3
		}
		var shared Location
		for j := range k {
			svc := b.service(ci, j, c, org)
			// The first two services of a comune share a building, as a
			// "centro servizi" often does.
			switch j {
			case 0:
				shared = svc.Locations[0]
			case 1:
				svc.Locations[0] = shared
			}
			b.cat.Services = append(b.cat.Services, svc)
		}
	}
	b.cat.Alerts, b.cat.Pages = b.alerts(), b.pages()
	return b.cat, nil
}

// demoBuilder is the demo catalog being built from the embedded data.
type demoBuilder struct {
	d    *demoData
	cat  *Catalog
	orgs map[string]bool // organizations added
}

// demoSuffix marks a demo name as such in lang.
func (b *demoBuilder) demoSuffix(lang string) string {
	if s, ok := b.d.Texts.DemoSuffix[lang]; ok {
		return s
	}
	return " (demo)"
}

// orgFor is the organization that runs the services of comune c: its
// territory's network, or the comune's own; added to the catalog once.
func (b *demoBuilder) orgFor(c demoComune) string {
	key, name := c.Territory, Text{}
	for _, t := range b.d.Territories {
		if t.ID == key {
			for lang, v := range t.Name {
				name[lang] = v + b.demoSuffix(lang)
			}
		}
	}
	if len(name) == 0 {
		key = "comune-" + slug(c.Name)
		name = demoName(replaceAll(b.d.Texts.Organization, "{comune}", c.Name), b.demoSuffix)
	}
	id := "org-" + key
	if !b.orgs[id] {
		b.orgs[id] = true
		b.cat.Organizations = append(b.cat.Organizations, Organization{ID: id, Name: name, Email: "info@" + slug(key) + ".demo.invalid"})
	}
	return id
}

// service is the j-th demo service of the ci-th comune, c, run by org.
func (b *demoBuilder) service(ci, j int, c demoComune, org string) Service {
	ti := (ci*5 + j*7) % len(b.d.Templates)
	t := b.d.Templates[ti]
	id := fmt.Sprintf("%s-%s-%d", slug(c.Name), t.Category, ti)
	loc := Location{
		ID:         "loc-" + id,
		Address:    fmt.Sprintf("%s %d (demo)", demoStreets[int(stable(id+"/s")*float64(len(demoStreets)))], 1+int(stable(id+"/n")*80)),
		PostalCode: "",
		Comune:     c.Name, Province: c.Province, Region: c.Region,
		Point:         offset(orb.Point{c.Lon, c.Lat}, id, 900),
		Wheelchair:    stable(id+"/w") < 0.7,
		Accessibility: t.Accessibility,
	}
	sched := demoSchedules[t.Schedule]
	svc := Service{
		ID: id, OrganizationID: org, Status: StatusActive,
		Name: demoName(replaceAll(t.Name, "{comune}", c.Name), b.demoSuffix), Description: t.Description, Eligibility: t.Eligibility,
		Categories: []string{t.Category}, Languages: t.Languages, Documents: t.Documents,
		ByAppointment: t.Schedule == "appointment", OpenOnHolidays: t.Category == "events",
		Phones:    []Phone{{Number: fmt.Sprintf("+39 000 000 %04d", 1000+ci*20+j), Type: "voice", Description: b.d.Texts.Phone}},
		Email:     slug(id) + "@demo.invalid",
		URL:       demoURL(t.Category, id),
		Hours:     Schedule{Weekly: append([]Slot(nil), sched.Weekly...)},
		Locations: []Location{loc},
	}
	svc.Hours.Exceptions = b.closures(ci, j, c, t.Category)
	if ci == 7 && j == 3 {
		svc.Status = StatusTemporarilyClosed
	}
	return svc
}

// demoClosures are the days a demo service is closed: the patron saint's
// day of its comune, and for some offices Christmas and New Year's Eve.
func (b *demoBuilder) closures(ci, j int, c demoComune, category string) []Exception {
	var out []Exception
	if p, ok := patronDays[c.Name]; ok && category != "events" {
		for _, y := range []int{2026, 2027} {
			out = append(out, Exception{
				Date: fmt.Sprintf("%d-%02d-%02d", y, p.month, p.day), Closed: true,
				Note: replaceAll(b.d.Texts.PatronClosure, "{saint}", p.saint),
			})
		}
	}
	if j == 2 && ci%3 == 0 {
		for _, date := range []string{"2026-12-24", "2026-12-31"} {
			out = append(out, Exception{Date: date, Closed: true,
				Note: b.d.Texts.HolidayClosure})
		}
	}
	return out
}

// alerts: one notice for the Ancona ambito (where the demo totem stands),
// valid through the demo years.
func (b *demoBuilder) alerts() []Alert {
	return []Alert{{
		ID: "demo-ancona-phone", Severity: "info", TargetKind: "territory", Target: "ats-11-ancona",
		StartsAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), EndsAt: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC),
		Text: b.d.Alert,
	}}
}

// pages are short information pages, in plain words.
func (b *demoBuilder) pages() []Page {
	out := make([]Page, len(b.d.Pages))
	for i, p := range b.d.Pages {
		out[i] = Page{ID: p.ID, Position: i + 1, Title: p.Title, Body: p.Body}
	}
	return out
}

// Catalog is a whole catalog in memory, as the demo, imports and tests
// build it.
type Catalog struct {
	Organizations []Organization
	Territories   []Territory
	Services      []Service
	Alerts        []Alert
	Pages         []Page
}

// Put writes the catalog in the batch.
func (b *Batch) Put(c *Catalog) error {
	b.Bulk()
	for i := range c.Organizations {
		if err := b.PutOrganization(&c.Organizations[i]); err != nil {
			return fmt.Errorf("organizations[%d]: %w", i, err)
		}
	}
	for i := range c.Territories {
		if err := b.PutTerritory(&c.Territories[i]); err != nil {
			return fmt.Errorf("territories[%d]: %w", i, err)
		}
	}
	for i := range c.Services {
		if err := b.PutService(&c.Services[i]); err != nil {
			return fmt.Errorf("services[%d]: %w", i, err)
		}
	}
	for i := range c.Alerts {
		if err := b.PutAlert(&c.Alerts[i]); err != nil {
			return fmt.Errorf("alerts[%d]: %w", i, err)
		}
	}
	for i := range c.Pages {
		if err := b.PutPage(&c.Pages[i]); err != nil {
			return fmt.Errorf("pages[%d]: %w", i, err)
		}
	}
	return nil
}

// Create builds a new catalog file at path by running fill in one
// transaction. The file appears only when it is complete: it is written
// beside path and renamed into place. It fails if path exists.
func Create(ctx context.Context, path string, fill func(*Batch) error) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("content: %s already exists", path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("content: %w", err)
		}
	}
	tmp := path + ".partial"
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(tmp + suffix)
	}
	st, err := open(ctx, tmp, false)
	if err != nil {
		return err
	}
	// The file is not in place until it is complete, so it needs no
	// journal while it is written; WAL is set again before it closes.
	_, err = st.w.ExecContext(ctx, "PRAGMA journal_mode = OFF")
	if err == nil {
		_, err = st.w.ExecContext(ctx, "PRAGMA synchronous = OFF")
	}
	if err == nil {
		_, err = st.w.ExecContext(ctx, "PRAGMA foreign_keys = OFF")
	}
	if err == nil {
		err = st.write(ctx, true, fill)
	}
	if err == nil {
		_, err = st.w.ExecContext(ctx, "PRAGMA journal_mode = WAL")
	}
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(tmp + suffix)
		}
		return err
	}
	// Closing the last connection checkpointed the WAL into the file. It
	// was written without syncs: make it durable before it takes the
	// final name, and the rename durable after.
	if err := syncPath(tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncPath(filepath.Dir(path))
}

func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("content: %w", err)
	}
	if err := f.Sync(); err != nil {
		return errors.Join(fmt.Errorf("content: sync %s: %w", path, err), f.Close())
	}
	return f.Close()
}

// CreateDemo writes the demo catalog to a new file at path.
func CreateDemo(ctx context.Context, path string) error {
	cat, err := DemoCatalog()
	if err != nil {
		return err
	}
	return Create(ctx, path, func(b *Batch) error {
		if err := b.Put(cat); err != nil {
			return err
		}
		return b.setMeta("source", "demo")
	})
}

func (b *Batch) setMeta(key, value string) error {
	_, err := b.exec("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value)
	return err
}

package exchange

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/content"
)

// channelService is a service with the three kinds of channels, each
// with its own hours and (but the video call) a phone and languages.
func channelService(t *testing.T) content.Service {
	t.Helper()
	week := func(d int, from, to string) content.Schedule {
		return content.Schedule{Weekly: []content.Slot{{Weekday: d, Opens: from, Closes: to}, {Weekday: d + 1, Opens: from, Closes: to}}}
	}
	svc := content.Service{
		ID: "desk", Status: content.StatusActive, Name: content.Text{"it": "Sportello", "en": "Desk"}, Categories: []string{"info"}, Languages: []string{"it"},
		Hours:     week(1, "09:00", "13:00"),
		Locations: []content.Location{{ID: "desk-loc", Address: "Via Roma 1", Comune: "Ancona", PostalCode: "60121", Point: orb.Point{13.5, 43.6}}},
		Channels: []content.Channel{
			{ID: "counter", Kind: content.ChannelInPerson, LocationID: "desk-loc", Phone: "+39 071 000 1111", Languages: []string{"ar", "it"}, Hours: week(1, "09:00", "12:00")},
			{ID: "line", Kind: content.ChannelPhone, Phone: "+39 071 000 2222", Languages: []string{"fr", "it"}, Hours: week(3, "14:00", "17:00")},
			{ID: "call", Kind: content.ChannelVideo, URL: "https://example.org/call", Hours: week(5, "10:00", "11:00")},
		},
	}
	if err := svc.Validate(); err != nil {
		t.Fatal(err)
	}
	return svc
}

// A service's channels export as HSDS 3.0 (valid against the schemas,
// under the Punto profile and plain): a desk's phone and hours on its
// service at location, a phone desk's and a video call's on the service.
// The profile's export reads back as the same channels; plain HSDS reads
// back by where things are attached.
func TestHSDSChannels(t *testing.T) {
	t.Parallel()
	svc := channelService(t)
	x := &Records{Services: []content.Service{svc}}

	profile := exportWith(t, x, Options{})
	checkExport(t, "channels, Punto profile", profile, Options{})
	back, err := Parse(FormatHSDS, profile)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(svc.Channels)
	got, _ := json.Marshal(back.Services[0].Channels)
	if !bytes.Equal(want, got) {
		t.Errorf("channels after the round trip:\n got %s\nwant %s", got, want)
	}
	if len(back.Services[0].Phones) != 0 || len(back.Services[0].Hours.Weekly) != 2 {
		t.Errorf("the channels' phones and hours leaked into the service's: %+v %+v", back.Services[0].Phones, back.Services[0].Hours)
	}

	plain := exportWith(t, x, Options{Profile: ProfileHSDS})
	checkExport(t, "channels, plain HSDS", plain, Options{Profile: ProfileHSDS})
	var page struct {
		Contents []struct {
			ID        string `json:"id"`
			Phones    []map[string]any
			Schedules []map[string]any
			SALs      []struct {
				ID        string `json:"id"`
				Phones    []map[string]any
				Schedules []map[string]any
			} `json:"service_at_locations"`
		} `json:"contents"`
	}
	if err := json.Unmarshal(plain, &page); err != nil {
		t.Fatal(err)
	}
	s := page.Contents[0]
	sal := s.SALs[0]
	if len(sal.Phones) != 1 || sal.Phones[0]["number"] != "+39 071 000 1111" || sal.Phones[0]["service_at_location_id"] != sal.ID ||
		len(sal.Schedules) != 1 || sal.Schedules[0]["service_at_location_id"] != sal.ID || sal.Schedules[0]["attending_type"] != "in_person" {
		t.Errorf("the desk on its service at location: %+v", sal)
	}
	if len(s.Phones) != 1 || s.Phones[0]["number"] != "+39 071 000 2222" || len(s.Phones[0]["languages"].([]any)) != 2 {
		t.Errorf("the phone desk on the service: %+v", s.Phones)
	}
	var kinds []any
	for _, sc := range s.Schedules {
		kinds = append(kinds, sc["attending_type"])
	}
	if len(s.Schedules) != 3 || kinds[0] != nil || kinds[1] != "phone" || kinds[2] != "video" || s.Schedules[2]["schedule_link"] != "https://example.org/call" {
		t.Errorf("the service's schedules: %v", kinds)
	}
	back, err = Parse(FormatHSDS, plain)
	if err != nil {
		t.Fatal(err)
	}
	chs := back.Services[0].Channels
	if len(chs) != 3 || chs[0].Kind != content.ChannelInPerson || chs[0].Phone != "+39 071 000 1111" || len(chs[0].Hours.Weekly) != 2 ||
		chs[1].Kind != content.ChannelPhone || chs[1].Phone != "+39 071 000 2222" || len(chs[1].Languages) != 0 && chs[1].Languages[0] != "fr" ||
		chs[2].Kind != content.ChannelVideo || chs[2].URL != "https://example.org/call" {
		t.Errorf("channels read from plain HSDS: %+v", chs)
	}
	if err := back.Services[0].Validate(); err != nil {
		t.Errorf("plain HSDS read back: %v", err)
	}
}

// The HSDS CSV package carries channels both ways, in the official
// descriptor's columns: a desk's phone and hours on its service at
// location (phones.csv and schedules.csv service_at_location_id), a phone
// desk's and a video call's on the service with attending_type and
// schedule_link, a channel phone's languages in languages.csv phone_id,
// and under the Punto profile the channel of each in punto_channel.csv.
// The zip reads back as the same channels, field by field, the service's
// own phone and hours apart; the package still passes the official
// descriptor, and its own. Plain HSDS reads back by where things are.
func TestHSDSCSVChannels(t *testing.T) {
	t.Parallel()
	svc := channelService(t)
	svc.Phones = []content.Phone{{Number: "+39 071 000 3333", Type: "voice"}}
	svc.Locations[0].Province = "AN"
	x := &Records{Services: []content.Service{svc}}
	official := readDescriptor(t, filepath.Join(hsdsDir, "datapackage.json"))
	for _, c := range []struct {
		name string
		opt  Options
	}{{"punto", Options{}}, {"hsds", Options{Profile: ProfileHSDS, Lang: "it"}}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var zipped bytes.Buffer
			if err := x.WriteOptions(FormatHSDSCSV, c.opt, &zipped); err != nil {
				t.Fatal(err)
			}
			back, err := Parse(FormatHSDSCSV, zipped.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			got := back.Services[0]
			if err := got.Validate(); err != nil {
				t.Errorf("read back: %v", err)
			}
			if !slices.Equal(got.Hours.Weekly, svc.Hours.Weekly) {
				t.Errorf("the service's own hours: %+v", got.Hours)
			}
			if len(got.Channels) != len(svc.Channels) {
				t.Fatalf("%d channels read back, want %d: %+v", len(got.Channels), len(svc.Channels), got.Channels)
			}
			for i, want := range svc.Channels {
				ch := got.Channels[i]
				if c.name == "hsds" {
					// Plain HSDS names no channel, no Punto id of a
					// location, and links no phone to the hours of
					// a phone desk (the reader gives them the
					// service's first phone): the rest is the same.
					want.ID = ch.ID
					if want.LocationID != "" {
						want.LocationID = got.Locations[0].ID
					}
					if want.Kind == content.ChannelPhone {
						want.Phone, want.Languages = got.Phones[0].Number, nil
					}
				}
				for _, f := range []struct {
					field     string
					got, want any
				}{
					{"id", ch.ID, want.ID}, {"kind", ch.Kind, want.Kind}, {"location_id", ch.LocationID, want.LocationID},
					{"phone", ch.Phone, want.Phone}, {"url", ch.URL, want.URL},
					{"languages", ch.Languages, want.Languages}, {"hours", ch.Hours, want.Hours},
				} {
					if !reflect.DeepEqual(f.got, f.want) {
						t.Errorf("channels[%d].%s = %v, want %v", i, f.field, f.got, f.want)
					}
				}
			}
			if ownPhones := []content.Phone{{Number: "+39 071 000 3333", Type: "voice"}}; c.name == "punto" && !reflect.DeepEqual(got.Phones, ownPhones) {
				t.Errorf("the service's own phones %+v, want %+v", got.Phones, ownPhones)
			}

			// The package, as a folder: the official descriptor's
			// columns, holding the channels where it says.
			dir := t.TempDir()
			if err := x.WriteHSDSFolder(dir, c.opt); err != nil {
				t.Fatal(err)
			}
			own := readDescriptor(t, filepath.Join(dir, "datapackage.json"))
			for _, d := range []tsDescriptor{official, own} {
				for _, e := range validatePackage(t, d, dir) {
					if !(e.kind == "constraint-error" && e.msg == "required" && catalogGap(x, e)) {
						t.Errorf("%s", e)
					}
				}
			}
			tables := map[string][]map[string]string{}
			for _, f := range []string{"phones.csv", "schedules.csv", "languages.csv", "service_at_location.csv", "punto_channel.csv"} {
				tables[f] = readCSVTable(t, filepath.Join(dir, f))
			}
			sal := tables["service_at_location.csv"][0]["id"]
			var deskPhones, deskHours, kinds []string
			for _, p := range tables["phones.csv"] {
				if p["service_at_location_id"] == sal {
					deskPhones = append(deskPhones, unescapeCell(p["number"]))
				}
			}
			for _, sc := range tables["schedules.csv"] {
				if sc["service_at_location_id"] == sal {
					deskHours = append(deskHours, sc["byday"]+" "+sc["opens_at"])
				}
				kinds = append(kinds, sc["attending_type"]+" "+sc["schedule_link"])
			}
			if !slices.Equal(deskPhones, []string{"+39 071 000 1111"}) || !slices.Equal(deskHours, []string{"MO,TU 09:00:00"}) {
				t.Errorf("the desk's phones %v and hours %v on its service at location", deskPhones, deskHours)
			}
			if want := []string{"in_person ", " ", "phone ", "video https://example.org/call"}; !slices.Equal(kinds, want) {
				t.Errorf("schedules attending_type and schedule_link %q, want %q", kinds, want)
			}
			phoneLangs := 0
			for _, l := range tables["languages.csv"] {
				if l["phone_id"] != "" {
					phoneLangs++
				}
			}
			if phoneLangs != 4 {
				t.Errorf("%d languages of phones, want 4 (the desk's and the phone desk's two)", phoneLangs)
			}
			// The channels' languages are theirs, not the service's, also
			// in a package written before they lost their service_id.
			if !slices.Equal(got.Languages, svc.Languages) {
				t.Errorf("the service's languages %v, want %v", got.Languages, svc.Languages)
			}
			langs := filepath.Join(dir, "languages.csv")
			b, err := os.ReadFile(langs)
			if err != nil {
				t.Fatal(err)
			}
			svcID := svcUUID(&svc)
			old := regexp.MustCompile(`(?m)^([0-9a-f-]{36}),,`).ReplaceAll(b, []byte("${1},"+svcID+","))
			if bytes.Equal(old, b) {
				t.Fatal("languages.csv: no phone's language to rewrite")
			}
			if err := os.WriteFile(langs, old, 0o644); err != nil {
				t.Fatal(err)
			}
			if y, err := ParseHSDSFolder(dir, ImportOptions{}); err != nil {
				t.Errorf("the older package: %v", err)
			} else if !slices.Equal(y.Services[0].Languages, svc.Languages) {
				t.Errorf("the older package: the service's languages %v, want %v", y.Services[0].Languages, svc.Languages)
			}
			marks := tables["punto_channel.csv"]
			switch {
			case c.name == "punto" && len(marks) != 5: // 2 phones, 3 schedules
				t.Errorf("punto_channel.csv: %v", marks)
			case c.name == "hsds" && marks != nil:
				t.Errorf("plain HSDS has a punto_channel table: %v", marks)
			}
		})
	}
}

// readCSVTable reads a CSV file's rows by column (nil when there is no
// such file).
func readCSVTable(t *testing.T, path string) []map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, c := range recs[0] {
			row[c] = rec[i]
		}
		out = append(out, row)
	}
	return out
}

// A service at a location (service_at_location_full.json) reads its
// phones and schedules as a desk there, an in-person channel with the
// phone's languages, rather than as more of the service's own; a desk
// whose hours all ended and that has no phone is no channel.
func TestHSDSServiceAtLocationDesk(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(hsdsDir, "examples", "service_at_location_full.json"))
	if err != nil {
		t.Fatal(err)
	}
	// The example's location is at latitude 100: placed where it can be.
	data = bytes.ReplaceAll(data, []byte(`"latitude": 100`), []byte(`"latitude": 45`))
	x, err := ParseOptions(FormatHSDS, data, ImportOptions{Taxonomy: &TaxonomyMap{Default: "info"}})
	if err != nil {
		t.Fatal(err)
	}
	s := x.Services[0]
	if len(s.Channels) != 1 {
		t.Fatalf("channels %+v, want the desk", s.Channels)
	}
	ch := s.Channels[0]
	if ch.Kind != content.ChannelInPerson || ch.LocationID != s.Locations[0].ID || ch.Phone != "+44 1234 234567" || !slices.Equal(ch.Languages, []string{"ur"}) {
		t.Errorf("the desk: %+v", ch)
	}
	if len(s.Phones) != 1 {
		t.Errorf("the service's own phones: %+v, want its one", s.Phones)
	}
	if err := s.Validate(); err != nil {
		t.Error(err)
	}
	// Without its phone, the desk's one schedule (it ended in 2005)
	// makes no channel.
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc, "phones")
	data, _ = json.Marshal(doc)
	if x, err = ParseOptions(FormatHSDS, data, ImportOptions{Taxonomy: &TaxonomyMap{Default: "info"}}); err != nil {
		t.Fatal(err)
	}
	if chs := x.Services[0].Channels; len(chs) != 0 {
		t.Errorf("an empty desk: %+v", chs)
	}
}

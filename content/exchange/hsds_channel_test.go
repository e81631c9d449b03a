package exchange

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/content"
)

// A service's channels export as HSDS 3.0 (valid against the schemas,
// under the Punto profile and plain): a desk's phone and hours on its
// service at location, a phone desk's and a video call's on the service.
// The profile's export reads back as the same channels; plain HSDS reads
// back by where things are attached.
func TestHSDSChannels(t *testing.T) {
	t.Parallel()
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

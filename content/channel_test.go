package content

import (
	"errors"
	"testing"

	"github.com/paulmach/orb"
)

// channelService is a valid service with an in-person desk, a phone desk
// and a video channel.
func channelService() Service {
	week := func() Schedule { return Schedule{Weekly: []Slot{{Weekday: 1, Opens: "09:00", Closes: "13:00"}}} }
	return Service{
		ID: "desk", Name: Text{"it": "Sportello"}, Categories: []string{"info"},
		Locations: []Location{{ID: "desk-loc", Address: "Via Roma 1", Comune: "Ancona", Point: orb.Point{13.5, 43.6}}},
		Channels: []Channel{
			{ID: "counter", Kind: ChannelInPerson, LocationID: "desk-loc", Languages: []string{"it", "ar"}, Hours: week()},
			{ID: "line", Kind: ChannelPhone, Phone: "+39 071 000 0000", Languages: []string{"ar"}, Hours: week()},
			{ID: "call", Kind: ChannelVideo, URL: "https://example.org/call", Hours: week()},
		},
	}
}

func TestChannelValidate(t *testing.T) {
	t.Parallel()
	if s := channelService(); s.Validate() != nil {
		t.Fatalf("valid service refused: %v", s.Validate())
	}
	cases := []struct {
		name  string
		edit  func(*Service)
		field string
	}{
		{"bad id", func(s *Service) { s.Channels[0].ID = "a b" }, "channels[0].id"},
		{"twice", func(s *Service) { s.Channels[1].ID = "counter" }, "channels[1].id"},
		{"unknown kind", func(s *Service) { s.Channels[0].Kind = "fax" }, "channels[0].kind"},
		{"desk without location", func(s *Service) { s.Channels[0].LocationID = "" }, "channels[0].location_id"},
		{"desk at another's location", func(s *Service) { s.Channels[0].LocationID = "elsewhere" }, "channels[0].location_id"},
		{"phone desk without number", func(s *Service) { s.Channels[1].Phone = "" }, "channels[1].phone"},
		{"not a number", func(s *Service) { s.Channels[1].Phone = "call us" }, "channels[1].phone"},
		{"phone desk at a location", func(s *Service) { s.Channels[1].LocationID = "desk-loc" }, "channels[1].kind"},
		{"video without link", func(s *Service) { s.Channels[2].URL = "" }, "channels[2].url"},
		{"video link not http", func(s *Service) { s.Channels[2].URL = "javascript:alert(1)" }, "channels[2].url"},
		{"language not ISO 639", func(s *Service) { s.Channels[1].Languages = []string{"Arabic"} }, "channels[1].languages"},
		{"hours backwards", func(s *Service) { s.Channels[1].Hours.Weekly[0] = Slot{Weekday: 2, Opens: "13:00", Closes: "09:00"} }, "channels[1].hours.weekly[0].closes"},
		{"bad weekday", func(s *Service) {
			s.Channels[2].Hours = Schedule{Weekly: []Slot{{Weekday: 8, Opens: "09:00", Closes: "10:00"}}}
		}, "channels[2].hours.weekly[0].weekday"},
		{"too many", func(s *Service) {
			for len(s.Channels) <= MaxChannels {
				s.Channels = append(s.Channels, Channel{ID: "c" + string(rune('a'+len(s.Channels))), Kind: ChannelPhone, Phone: "1522"})
			}
		}, "channels"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := channelService()
			c.edit(&s)
			var ve *ValidationError
			if err := s.Validate(); !errors.As(err, &ve) || ve.Field != c.field {
				t.Fatalf("got %v, want an error naming %s", err, c.field)
			}
		})
	}
}

func TestClosureValidate(t *testing.T) {
	t.Parallel()
	ok := Closure{ID: "c1", Territory: "ats-11-ancona", StartsOn: "2026-12-01", EndsOn: "2027-11-30"}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		edit  func(*Closure)
		field string
	}{
		{"backwards", func(c *Closure) { c.EndsOn = "2026-11-30" }, "ends_on"},
		{"longer than a year", func(c *Closure) { c.EndsOn = "2027-12-03" }, "ends_on"},
		{"not a date", func(c *Closure) { c.StartsOn = "1/12/2026" }, "starts_on"},
		{"no territory", func(c *Closure) { c.Territory = "" }, "territory"},
	}
	for _, c := range cases {
		cl := ok
		c.edit(&cl)
		var ve *ValidationError
		if err := cl.Validate(); !errors.As(err, &ve) || ve.Field != c.field {
			t.Errorf("%s: got %v, want an error naming %s", c.name, err, c.field)
		}
	}
}

package exchange

import (
	"fmt"
	"slices"
	"strings"

	"github.com/punto-totem/punto/content"
)

// A service's channels in HSDS 3 (content/channel.go): HSDS attaches
// phones and schedules either to a service at a location or to the
// service. A desk (in_person) is its service_at_location's phones and
// schedules; a phone desk is a phone of the service with schedules of the
// service whose attending_type is "phone"; a video call is schedules
// whose attending_type is "video", its link in schedule_link. A channel's
// languages are its phone's languages. Under the Punto profile each of
// these carries punto_channel, the channel's id, so a round trip keeps
// every channel apart; plain HSDS from another directory is read by where
// things are attached: a service at a location's phones and schedules make
// a desk there.

// channels adds the service's channels to its HSDS object.
func (o hsdsOut) channels(s *content.Service, h *hsdsService) {
	sals := map[string]*hsdsServiceAtLocation{}
	for i, l := range s.Locations {
		if i < len(h.ServiceAtLocations) {
			sals[l.ID] = h.ServiceAtLocations[i]
		}
	}
	for i := range s.Channels {
		ch := &s.Channels[i]
		part := func(what string) string { return content.PartUUID(h.ID, fmt.Sprintf("channel/%s/%s", ch.ID, what)) }
		var phones *[]*hsdsPhone
		var schedules *[]*hsdsSchedule
		salID, locID := "", ""
		if sal := sals[ch.LocationID]; ch.Kind == content.ChannelInPerson && sal != nil {
			phones, schedules, salID, locID = &sal.Phones, &sal.Schedules, sal.ID, sal.LocationID
		} else {
			phones, schedules = &h.Phones, &h.Schedules
		}
		if ch.Phone != "" {
			p := &hsdsPhone{ID: part("phone"), ServiceID: h.ID, ServiceAtLocationID: salID, Number: ch.Phone, Type: "voice", PuntoChannel: o.slug(ch.ID)}
			for _, l := range ch.Languages {
				// The phone's, not the service's: no service_id.
				p.Languages = append(p.Languages, &hsdsLanguage{ID: content.PartUUID(p.ID, "language/"+l), PhoneID: p.ID, Code: l, Name: languageName(l)})
			}
			if salID != "" {
				p.ServiceID = "" // the desk's, through its service at location
			}
			*phones = append(*phones, p)
		}
		week := o.schedules(&content.Service{Hours: content.Schedule{Weekly: ch.Hours.Weekly}}, part("hours"))
		for _, sc := range week {
			sc.ServiceID, sc.LocationID, sc.ServiceAtLocationID = h.ID, locID, salID
			sc.AttendingType, sc.ScheduleLink, sc.PuntoChannel = ch.Kind, ch.URL, o.slug(ch.ID)
			*schedules = append(*schedules, sc)
		}
		if len(week) == 0 && ch.Kind == content.ChannelVideo {
			// A link without hours still says where the call is.
			*schedules = append(*schedules, &hsdsSchedule{ID: part("link"), ServiceID: h.ID, AttendingType: ch.Kind, ScheduleLink: ch.URL, PuntoChannel: o.slug(ch.ID)})
		}
	}
}

// isChannelPhone and isChannelSchedule tell a channel's parts among the
// service's own phones and hours.
func isChannelPhone(p *hsdsPhone) bool { return p.PuntoChannel != "" }

func isChannelSchedule(sc *hsdsSchedule) bool {
	return sc.PuntoChannel != "" || sc.AttendingType == content.ChannelPhone || sc.AttendingType == content.ChannelVideo
}

// takeChannels removes the channels' phones and schedules from the
// service's own and returns them as channels, with the desks of its
// services at locations.
func (h *hsdsService) takeChannels(is *issues) []content.Channel {
	cs := &channelSet{byID: map[string]int{}}
	h.takeDesks(cs, is)
	h.takeChannelParts(cs, is)
	out := cs.out
	// Plain HSDS links no phone to its hours: a phone desk's hours call
	// the service's first phone.
	for i := range out {
		if out[i].Kind != content.ChannelPhone || out[i].Phone != "" {
			continue
		}
		if len(h.Phones) == 0 {
			is.add(h.at.issue("schedules", fmt.Sprintf("the phone desk %q has hours but no phone to call", out[i].ID)))
			continue
		}
		out[i].Phone = content.CleanPhone(h.Phones[0].Number)
	}
	// A desk whose phones and schedules gave nothing (hours that
	// ended) says no more than the location.
	out = slices.DeleteFunc(out, func(ch content.Channel) bool {
		return ch.Kind == content.ChannelInPerson && ch.Phone == "" && len(ch.Hours.Weekly) == 0
	})
	for i := range out {
		slices.Sort(out[i].Languages)
		out[i].Languages = slices.Compact(out[i].Languages)
	}
	return out
}

// channelSet gathers channels by id, in the order first named.
type channelSet struct {
	out  []content.Channel
	byID map[string]int
}

// get is the channel id, added with kind and location if new. The pointer
// holds until the next get.
func (cs *channelSet) get(id, kind, loc string) *content.Channel {
	if i, ok := cs.byID[id]; ok {
		return &cs.out[i]
	}
	cs.byID[id] = len(cs.out)
	cs.out = append(cs.out, content.Channel{ID: id, Kind: kind, LocationID: loc})
	return &cs.out[len(cs.out)-1]
}

// takeDesks adds the desks: what is attached to a service at a location.
func (h *hsdsService) takeDesks(cs *channelSet, is *issues) {
	for i, sal := range h.ServiceAtLocations {
		if len(sal.Phones) == 0 && len(sal.Schedules) == 0 || sal.Location == nil {
			continue
		}
		loc := slugOf(sal.Location.ID, sal.Location.PuntoID)
		def := fmt.Sprintf("desk-%d", i+1)
		for _, p := range sal.Phones {
			ch := cs.get(cmpOr(p.PuntoChannel, def), content.ChannelInPerson, loc)
			ch.Phone = content.CleanPhone(p.Number)
			ch.Languages = append(ch.Languages, phoneLanguages(p, is)...)
		}
		for _, sc := range sal.Schedules {
			ch := cs.get(cmpOr(sc.PuntoChannel, def), content.ChannelInPerson, loc)
			channelHours(ch, sc, is)
		}
	}
}

// takeChannelParts adds the phone desks and video calls: the service's
// phones and schedules marked as a channel's, removed from its own.
func (h *hsdsService) takeChannelParts(cs *channelSet, is *issues) {
	phones := h.Phones[:0:0]
	for _, p := range h.Phones {
		if !isChannelPhone(p) {
			phones = append(phones, p)
			continue
		}
		ch := cs.get(p.PuntoChannel, content.ChannelPhone, "")
		ch.Phone = content.CleanPhone(p.Number)
		ch.Languages = append(ch.Languages, phoneLanguages(p, is)...)
	}
	h.Phones = phones
	schedules := h.Schedules[:0:0]
	for i, sc := range h.Schedules {
		if !isChannelSchedule(sc) {
			schedules = append(schedules, sc)
			continue
		}
		kind := sc.AttendingType
		if kind != content.ChannelPhone && kind != content.ChannelVideo {
			is.add(sc.at.issue("attending_type", fmt.Sprintf("%q is not phone or video (a desk's hours go with its service at location)", kind)))
			continue
		}
		ch := cs.get(cmpOr(sc.PuntoChannel, fmt.Sprintf("%s-%d", kind, i+1)), kind, "")
		if sc.ScheduleLink != "" {
			ch.URL = sc.ScheduleLink
		}
		channelHours(ch, sc, is)
	}
	h.Schedules = schedules
}

// channelHours adds a schedule's weekly hours to a channel (its
// exceptions are the service's: a channel has weekly hours).
func channelHours(ch *content.Channel, sc *hsdsSchedule, is *issues) {
	if sc.Freq == "" && sc.OpensAt == "" && sc.ClosesAt == "" {
		return // a link without hours
	}
	if !strings.EqualFold(sc.Freq, "WEEKLY") {
		is.add(sc.at.issue("freq", "a channel's hours are WEEKLY schedules"))
		return
	}
	var hh hsdsHours
	hh.addWeekly(sc, is)
	ch.Hours.Weekly = append(ch.Hours.Weekly, hh.Weekly...)
}

// phoneLanguages reads the languages spoken at a phone.
func phoneLanguages(p *hsdsPhone, is *issues) []string {
	var out []string
	for _, l := range p.Languages {
		if code, ok := languageCode(l.Code, l.Name); ok {
			out = append(out, code)
		} else if l.Code != "" || l.Name != "" {
			is.add(l.at.issue("code", fmt.Sprintf("neither the code %q nor the name %q is a language Punto knows (ISO 639, or its English name)", l.Code, l.Name)))
		}
	}
	return out
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

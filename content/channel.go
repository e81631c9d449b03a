package content

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// The ways a service is reached.
const (
	ChannelInPerson = "in_person" // at one of the service's locations
	ChannelPhone    = "phone"     // a phone desk
	ChannelVideo    = "video"     // a video call, at a link
)

// MaxChannels bounds the channels of one service.
const MaxChannels = 20

// Channel is one way a service is reached, with its own hours and the
// languages spoken there: a desk at one of the service's locations, a
// phone desk or a video call. A service without channels is reached as
// its hours and locations say.
type Channel struct {
	ID         string   `json:"id"` // unique within the service
	Kind       string   `json:"kind"`
	LocationID string   `json:"location_id,omitempty"` // in_person: one of the service's locations
	Phone      string   `json:"phone,omitempty"`       // phone (and optionally in_person): the number
	URL        string   `json:"url,omitempty"`         // video: where the call is joined
	Languages  []string `json:"languages,omitempty"`
	Hours      Schedule `json:"hours"`
}

// validateChannels checks the channels of a service, naming the field
// (channels[2].phone) that is wrong.
func (s *Service) validateChannels() error {
	if len(s.Channels) > MaxChannels {
		return invalid("channels", "more than %d channels", MaxChannels)
	}
	seen := map[string]bool{}
	for i := range s.Channels {
		if err := s.Channels[i].validate(s); err != nil {
			var ve *ValidationError
			if errors.As(err, &ve) {
				ve.Field = fmt.Sprintf("channels[%d].%s", i, ve.Field)
			}
			return err
		}
		if seen[s.Channels[i].ID] {
			return invalid(fmt.Sprintf("channels[%d].id", i), "%q is listed twice", s.Channels[i].ID)
		}
		seen[s.Channels[i].ID] = true
	}
	return nil
}

func (ch *Channel) validate(s *Service) error {
	if !ValidID(ch.ID) {
		return invalid("id", "%q is not a valid id", ch.ID)
	}
	switch ch.Kind {
	case ChannelInPerson:
		if ch.LocationID == "" {
			return invalid("location_id", "an in-person channel needs one of the service's locations")
		}
		if !slices.ContainsFunc(s.Locations, func(l Location) bool { return l.ID == ch.LocationID }) {
			return invalid("location_id", "%q is not a location of the service", ch.LocationID)
		}
		if ch.URL != "" {
			return invalid("url", "an in-person channel has no link")
		}
	case ChannelPhone:
		if ch.Phone == "" {
			return invalid("phone", "a phone desk needs a number")
		}
		if ch.LocationID != "" || ch.URL != "" {
			return invalid("kind", "a phone desk has a number, no location or link")
		}
	case ChannelVideo:
		if ch.URL == "" {
			return invalid("url", "a video channel needs a link")
		}
		if ch.LocationID != "" {
			return invalid("location_id", "a video channel has no location")
		}
	default:
		return invalid("kind", "%q is not in_person, phone or video", ch.Kind)
	}
	if ch.Phone != "" {
		if err := ValidPhone("phone", ch.Phone); err != nil {
			return err
		}
	}
	if err := ValidURL("url", ch.URL); err != nil {
		return err
	}
	for _, l := range ch.Languages {
		if !ValidLanguage(l) {
			return invalid("languages", "%q is not an ISO 639 code", l)
		}
	}
	return ch.Hours.Validate()
}

// putServiceChannels writes a service's channels (its old ones went with
// its row).
func (b *Batch) putServiceChannels(s *Service) error {
	for i, ch := range s.Channels {
		langs, err := json.Marshal(dedupe(ch.Languages))
		if err != nil {
			return err
		}
		if ch.Hours.Weekly == nil {
			ch.Hours.Weekly = []Slot{}
		}
		hours, err := json.Marshal(ch.Hours)
		if err != nil {
			return err
		}
		if _, err := b.exec(`INSERT INTO channel(service_id, position, id, kind, location_id, phone, url, languages, hours)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.ID, i, ch.ID, ch.Kind, ch.LocationID, ch.Phone, ch.URL, string(langs), string(hours)); err != nil {
			return fmt.Errorf("content: service %s channel %s: %w", s.ID, ch.ID, err)
		}
	}
	return nil
}

// serviceChannels reads the channels of a service, in order.
func (s *Store) serviceChannels(ctx context.Context, id string) ([]Channel, error) {
	rows, err := s.query(ctx, "SELECT id, kind, location_id, phone, url, languages, hours FROM channel WHERE service_id = ? ORDER BY position", id)
	if err != nil {
		return nil, fmt.Errorf("content: service %s channels: %w", id, err)
	}
	defer rows.Close()
	var out []Channel
	for rows.Next() {
		var ch Channel
		var langs, hours string
		if err := rows.Scan(&ch.ID, &ch.Kind, &ch.LocationID, &ch.Phone, &ch.URL, &langs, &hours); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(langs), &ch.Languages); err != nil {
			return nil, fmt.Errorf("content: service %s channel %s languages: %w", id, ch.ID, err)
		}
		if len(ch.Languages) == 0 {
			ch.Languages = nil
		}
		if err := json.Unmarshal([]byte(hours), &ch.Hours); err != nil {
			return nil, fmt.Errorf("content: service %s channel %s hours: %w", id, ch.ID, err)
		}
		out = append(out, ch)
	}
	return out, rows.Err()
}

// ChannelView is a channel as a detail page shows it, at a moment: its
// hours for the coming week and whether it is open. Closed says closure
// mode has closed this in-person desk (Closure names it).
type ChannelView struct {
	ID         string     `json:"id"`
	Kind       string     `json:"kind"`
	LocationID string     `json:"location_id,omitempty"`
	Address    string     `json:"address,omitempty"`
	Comune     string     `json:"comune,omitempty"`
	Phone      string     `json:"phone,omitempty"`
	URL        string     `json:"url,omitempty"`
	Languages  []string   `json:"languages"`
	Open       OpenState  `json:"open"`
	Days       []DayHours `json:"days"`
	Closed     bool       `json:"closed,omitempty"`
	Closure    string     `json:"closure,omitempty"`
}

// channelViews renders a service's channels at the moment at. During a
// closure of a territory that holds an in-person desk's location, that
// desk is closed and the phone desks come first.
func (s *Store) channelViews(ctx context.Context, svc *Service, at time.Time) ([]ChannelView, error) {
	out := []ChannelView{}
	if len(svc.Channels) == 0 {
		return out, nil
	}
	closed, err := s.closedAt(ctx, at)
	if err != nil {
		return nil, err
	}
	locs := map[string]*Location{}
	for i := range svc.Locations {
		locs[svc.Locations[i].ID] = &svc.Locations[i]
	}
	closing := false
	for _, ch := range svc.Channels {
		h := compileHours(ch.Hours, svc.OpenOnHolidays)
		v := ChannelView{ID: ch.ID, Kind: ch.Kind, LocationID: ch.LocationID, Phone: ch.Phone, URL: ch.URL,
			Languages: ch.Languages, Days: h.days(at, 7)}
		if v.Languages == nil {
			v.Languages = []string{}
		}
		if l := locs[ch.LocationID]; l != nil {
			v.Address, v.Comune = l.Address, l.Comune
			if ch.Kind == ChannelInPerson && closed != nil {
				if id := closed(l.Point); id != "" {
					v.Closed, v.Closure = true, id
					closing = true
				}
			}
		}
		if svc.Status == StatusActive && !v.Closed {
			v.Open = h.state(at)
		}
		out = append(out, v)
	}
	if closing {
		slices.SortStableFunc(out, func(a, b ChannelView) int { return channelRank(a) - channelRank(b) })
	}
	return out, nil
}

// closeDesks shows a service closed when closure mode has closed the
// desks at every one of its locations.
func (s *Store) closeDesks(ctx context.Context, svc *Service, v *ServiceView, at time.Time) error {
	closed, err := s.closedAt(ctx, at)
	if err != nil || closed == nil || len(svc.Locations) == 0 {
		return err
	}
	id := ""
	for _, l := range svc.Locations {
		if id = closed(l.Point); id == "" {
			return nil
		}
	}
	v.Open, v.Closure = OpenState{}, id
	return nil
}

// channelRank orders channels during a closure: phone desks, video, then
// the closed desks.
func channelRank(v ChannelView) int {
	switch {
	case v.Kind == ChannelPhone:
		return 0
	case v.Closed:
		return 2
	}
	return 1
}

package content

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/geo"
)

// Way describes how to get from the viewer to a place on foot.
type Way struct {
	DistanceM      int         `json:"distance_m"`
	WalkingMinutes int         `json:"walking_minutes"`
	BearingDeg     int         `json:"bearing_deg"`
	Direction      geo.Compass `json:"direction"`
}

// WayTo measures the way from one point to another.
func WayTo(from, to orb.Point) Way {
	d := geo.Distance(from, to)
	b := geo.Bearing(from, to)
	return Way{DistanceM: int(math.Round(d)), WalkingMinutes: geo.WalkingMinutes(d), BearingDeg: int(math.Round(b)) % 360, Direction: geo.Direction(b)}
}

// Summary is a service at a location as a result list shows it.
type Summary struct {
	ID         string    `json:"id"`
	LocationID string    `json:"location_id"`
	Name       Localized `json:"name"`
	Status     Status    `json:"status"`
	Categories []string  `json:"categories"`
	Languages  []string  `json:"languages"`
	Address    string    `json:"address"`
	Comune     string    `json:"comune"`
	Lat        float64   `json:"lat"`
	Lon        float64   `json:"lon"`
	Way
	Open OpenState `json:"open"`
}

// summariesSQL is Summaries read from the file alone, as the index
// loads a service: it answers while the index is being built, and tests
// compare the in-memory summaries with it.
func (s *Store) summariesSQL(ctx context.Context, hits []Hit, lang string, from orb.Point, at time.Time) ([]Summary, error) {
	out := make([]Summary, len(hits))
	if len(hits) == 0 {
		return out, nil
	}
	ids := make([]string, 0, len(hits))
	for _, h := range hits {
		ids = append(ids, h.ServiceID)
	}
	recs, err := loadRecords(ctx, s.r, dedupe(ids))
	if err != nil {
		return nil, fmt.Errorf("content: summaries: %w", err)
	}
	for i, h := range hits {
		sm := Summary{ID: h.ServiceID, LocationID: h.LocationID, Categories: []string{}, Languages: []string{}}
		if h.LocationID != "" { // a remote hit has no place nor way
			sm.Lat, sm.Lon, sm.Way = h.Point[1], h.Point[0], WayTo(from, h.Point)
		}
		if r := recs[h.ServiceID]; r != nil {
			name := make(Text, len(r.names))
			for _, n := range r.names {
				name[n[0]] = n[1]
			}
			sm.Name = name.Pick(lang)
			for _, l := range r.locations {
				if l.id == h.LocationID {
					sm.Address, sm.Comune = l.address, l.comune
				}
			}
			sm.Status = r.status
			for c, cat := range Categories {
				if r.cats&(1<<c) != 0 {
					sm.Categories = append(sm.Categories, cat.ID)
				}
			}
			sm.Languages = append(sm.Languages, r.langs...)
			if r.status == StatusActive {
				sm.Open = compileHours(r.sched, r.holidays).state(at)
			}
		}
		out[i] = sm
	}
	return out, nil
}

// LocationView is a location in one language, with the way to it.
type LocationView struct {
	ID            string     `json:"id"`
	Name          *Localized `json:"name,omitempty"`
	Address       string     `json:"address"`
	PostalCode    string     `json:"postal_code,omitempty"`
	Comune        string     `json:"comune"`
	Province      string     `json:"province,omitempty"`
	Region        string     `json:"region,omitempty"`
	Lat           float64    `json:"lat"`
	Lon           float64    `json:"lon"`
	Wheelchair    bool       `json:"wheelchair"`
	Accessibility *Localized `json:"accessibility,omitempty"`
	// NoPoint: the place is not on the map (lat, lon and the way are 0).
	NoPoint bool `json:"no_point,omitempty"`
	Way
}

// PhoneView is a phone in one language.
type PhoneView struct {
	Number      string     `json:"number"`
	Type        string     `json:"type"`
	Description *Localized `json:"description,omitempty"`
}

// ContactView is a contact in one language.
type ContactView struct {
	Name  string     `json:"name,omitempty"`
	Title *Localized `json:"title,omitempty"`
	Email string     `json:"email,omitempty"`
	Phone string     `json:"phone,omitempty"`
}

// ExceptionView is a dated change of hours in one language.
type ExceptionView struct {
	Date   string     `json:"date"`
	Closed bool       `json:"closed"`
	Opens  string     `json:"opens,omitempty"`
	Closes string     `json:"closes,omitempty"`
	Note   *Localized `json:"note,omitempty"`
}

// HoursView is a service's hours as a detail page shows them.
type HoursView struct {
	Weekly     []Slot          `json:"weekly"`
	Exceptions []ExceptionView `json:"exceptions"`
	Days       []DayHours      `json:"days"` // the next seven days, today first
}

// ServiceView is a whole service in one language: every translatable
// field says which locale it was served in.
type ServiceView struct {
	ID            string         `json:"id"`
	Status        Status         `json:"status"`
	Name          Localized      `json:"name"`
	Description   *Localized     `json:"description,omitempty"`
	Eligibility   *Localized     `json:"eligibility,omitempty"`
	Fees          *Localized     `json:"fees,omitempty"`
	Organization  *OrgView       `json:"organization,omitempty"`
	Categories    []string       `json:"categories"`
	Languages     []string       `json:"languages"`
	Documents     []Localized    `json:"documents"`
	Phones        []PhoneView    `json:"phones"`
	Contacts      []ContactView  `json:"contacts"`
	URL           string         `json:"url,omitempty"`
	Email         string         `json:"email,omitempty"`
	ByAppointment bool           `json:"by_appointment"`
	Open          OpenState      `json:"open"`
	Hours         HoursView      `json:"hours"`
	Locations     []LocationView `json:"locations"`
	Channels      []ChannelView  `json:"channels"`
	// Closure names the closure that has closed every desk of the
	// service (its channels say where to call).
	Closure string `json:"closure,omitempty"`
}

// OrgView is an organization in one language.
type OrgView struct {
	ID   string    `json:"id"`
	Name Localized `json:"name"`
}

func optional(t Text, lang string) *Localized {
	l := t.Pick(lang)
	if l.Text == "" {
		return nil
	}
	return &l
}

// ServiceView reads a service and renders it in lang, as seen at the moment
// at from the point from (the locations come nearest first).
func (s *Store) ServiceView(ctx context.Context, id, lang string, from orb.Point, at time.Time) (*ServiceView, error) {
	svc, err := s.Service(ctx, id)
	if err != nil {
		return nil, err
	}
	if svc.Status == StatusWithdrawn {
		return nil, fmt.Errorf("%w: service %q is withdrawn", ErrNotFound, id)
	}
	v := &ServiceView{
		ID: svc.ID, Status: svc.Status, Name: svc.Name.Pick(lang),
		Description: optional(svc.Description, lang), Eligibility: optional(svc.Eligibility, lang), Fees: optional(svc.Fees, lang),
		Categories: svc.Categories, Languages: svc.Languages, URL: svc.URL, Email: svc.Email, ByAppointment: svc.ByAppointment,
		Documents: []Localized{}, Phones: []PhoneView{}, Contacts: []ContactView{}, Locations: []LocationView{},
	}
	if v.Categories == nil {
		v.Categories = []string{}
	}
	if v.Languages == nil {
		v.Languages = []string{}
	}
	if svc.OrganizationID != "" {
		if o, err := s.Organization(ctx, svc.OrganizationID); err == nil {
			v.Organization = &OrgView{ID: o.ID, Name: o.Name.Pick(lang)}
		}
	}
	for _, d := range svc.Documents {
		v.Documents = append(v.Documents, d.Pick(lang))
	}
	for _, p := range svc.Phones {
		v.Phones = append(v.Phones, PhoneView{Number: p.Number, Type: p.Type, Description: optional(p.Description, lang)})
	}
	for _, c := range svc.Contacts {
		v.Contacts = append(v.Contacts, ContactView{Name: c.Name, Title: optional(c.Title, lang), Email: c.Email, Phone: c.Phone})
	}
	h := compileHours(svc.Hours, svc.OpenOnHolidays)
	if svc.Status == StatusActive {
		v.Open = h.state(at)
	}
	v.Hours = HoursView{Weekly: svc.Hours.Weekly, Exceptions: []ExceptionView{}, Days: h.days(at, 7)}
	if v.Hours.Weekly == nil {
		v.Hours.Weekly = []Slot{}
	}
	today := at.In(Rome).Format(time.DateOnly)
	for _, ex := range svc.Hours.Exceptions {
		if ex.Date >= today {
			v.Hours.Exceptions = append(v.Hours.Exceptions, ExceptionView{Date: ex.Date, Closed: ex.Closed, Opens: ex.Opens, Closes: ex.Closes, Note: optional(ex.Note, lang)})
		}
	}
	for _, l := range svc.Locations {
		lv := LocationView{
			ID: l.ID, Name: optional(l.Name, lang), Address: l.Address, PostalCode: l.PostalCode, Comune: l.Comune,
			Province: l.Province, Region: l.Region, Wheelchair: l.Wheelchair,
			Accessibility: optional(l.Accessibility, lang), NoPoint: l.NoPoint,
		}
		if !l.NoPoint {
			lv.Lat, lv.Lon, lv.Way = l.Point[1], l.Point[0], WayTo(from, l.Point)
		}
		v.Locations = append(v.Locations, lv)
	}
	// Nearest first; the places not on the map last.
	slices.SortStableFunc(v.Locations, func(a, b LocationView) int {
		return cmp.Or(cmp.Compare(boolInt(a.NoPoint), boolInt(b.NoPoint)), cmp.Compare(a.DistanceM, b.DistanceM))
	})
	if v.Channels, err = s.channelViews(ctx, svc, at); err != nil {
		return nil, err
	}
	if err := s.closeDesks(ctx, svc, v, at); err != nil {
		return nil, err
	}
	return v, nil
}

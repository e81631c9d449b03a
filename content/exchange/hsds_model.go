package exchange

import (
	"encoding/json"
	"fmt"
)

// The HSDS 3 objects as Punto reads and writes them (see hsds.go): each
// keeps where it was read (at) and the members Punto does not model
// (extra), written back as they came.

type hsdsList struct {
	Version    string         `json:"version,omitempty"` // the Punto profile's page names the HSDS version
	Profile    string         `json:"profile,omitempty"` // and the profile
	TotalItems int            `json:"total_items"`
	TotalPages int            `json:"total_pages"`
	PageNumber int            `json:"page_number"`
	Size       int            `json:"size"`
	FirstPage  bool           `json:"first_page"`
	LastPage   bool           `json:"last_page"`
	Empty      bool           `json:"empty"`
	Contents   []*hsdsService `json:"contents"`
}

type hsdsOrganization struct {
	ID           string `json:"id"`
	PuntoID      string `json:"punto_id,omitempty"`
	Name         string `json:"name"`
	Description  string `json:"description"`
	Email        string `json:"email,omitempty"`
	Website      string `json:"website,omitempty"`
	Translations hsdsTr `json:"translations,omitempty"`
	at           where
	extra        map[string]json.RawMessage // HSDS members Punto does not model
}

type hsdsService struct {
	ID                     string                   `json:"id"`
	PuntoID                string                   `json:"punto_id,omitempty"`
	OrganizationID         string                   `json:"organization_id,omitempty"`
	Name                   string                   `json:"name"`
	Description            string                   `json:"description,omitempty"`
	URL                    string                   `json:"url,omitempty"`
	Email                  string                   `json:"email,omitempty"`
	Status                 string                   `json:"status"`
	FeesDescription        string                   `json:"fees_description,omitempty"`
	EligibilityDescription string                   `json:"eligibility_description,omitempty"`
	Organization           *hsdsOrganization        `json:"organization,omitempty"`
	Phones                 []*hsdsPhone             `json:"phones,omitempty"`
	Schedules              []*hsdsSchedule          `json:"schedules,omitempty"`
	ServiceAtLocations     []*hsdsServiceAtLocation `json:"service_at_locations"`
	Languages              []*hsdsLanguage          `json:"languages,omitempty"`
	RequiredDocuments      []*hsdsDocument          `json:"required_documents,omitempty"`
	Contacts               []*hsdsContact           `json:"contacts,omitempty"`
	Attributes             []*hsdsAttribute         `json:"attributes,omitempty"`
	Translations           hsdsTr                   `json:"translations,omitempty"`
	at                     where
	extra                  map[string]json.RawMessage // HSDS members Punto does not model
}

type hsdsPhone struct {
	ID                  string          `json:"id"`
	ServiceID           string          `json:"service_id,omitempty"`
	ContactID           string          `json:"contact_id,omitempty"`
	ServiceAtLocationID string          `json:"service_at_location_id,omitempty"` // a desk's phone (hsds_channel.go)
	Number              string          `json:"number"`
	Type                string          `json:"type,omitempty"`
	Description         string          `json:"description,omitempty"`
	Languages           []*hsdsLanguage `json:"languages,omitempty"`
	PuntoChannel        string          `json:"punto_channel,omitempty"` // the Punto profile: the channel's id
	Translations        hsdsTr          `json:"translations,omitempty"`
	at                  where
	extra               map[string]json.RawMessage // members kept at import (hsds_parts.go)
}

type hsdsSchedule struct {
	ID                  string   `json:"id"`
	ServiceID           string   `json:"service_id"`
	LocationID          string   `json:"location_id,omitempty"`            // a desk's hours (hsds_channel.go)
	ServiceAtLocationID string   `json:"service_at_location_id,omitempty"` // a desk's hours
	AttendingType       string   `json:"attending_type,omitempty"`         // a channel's hours: in_person, phone or video
	ScheduleLink        string   `json:"schedule_link,omitempty"`          // a video channel's link
	PuntoChannel        string   `json:"punto_channel,omitempty"`          // the Punto profile: the channel's id
	ValidFrom           string   `json:"valid_from,omitempty"`
	ValidTo             string   `json:"valid_to,omitempty"`
	Freq                string   `json:"freq,omitempty"`
	Wkst                string   `json:"wkst,omitempty"`
	Byday               string   `json:"byday,omitempty"`
	OpensAt             string   `json:"opens_at,omitempty"`
	ClosesAt            string   `json:"closes_at,omitempty"`
	Timezone            *float64 `json:"timezone,omitempty"` // read, never written: Punto's times are Europe/Rome's
	Description         string   `json:"description,omitempty"`
	Translations        hsdsTr   `json:"translations,omitempty"`
	at                  where
	extra               map[string]json.RawMessage // members kept at import (hsds_parts.go)
}

type hsdsServiceAtLocation struct {
	ID         string          `json:"id"`
	ServiceID  string          `json:"service_id"`
	LocationID string          `json:"location_id"`
	Phones     []*hsdsPhone    `json:"phones,omitempty"`    // the desk's (hsds_channel.go)
	Schedules  []*hsdsSchedule `json:"schedules,omitempty"` // the desk's hours
	Location   *hsdsLocation   `json:"location,omitempty"`
	at         where
	extra      map[string]json.RawMessage // members kept at import (hsds_parts.go)
}

type hsdsLocation struct {
	ID            string               `json:"id"`
	PuntoID       string               `json:"punto_id,omitempty"`
	LocationType  string               `json:"location_type"`
	Name          string               `json:"name,omitempty"`
	Latitude      *float64             `json:"latitude,omitempty"`
	Longitude     *float64             `json:"longitude,omitempty"`
	Addresses     []*hsdsAddress       `json:"addresses,omitempty"`
	Accessibility []*hsdsAccessibility `json:"accessibility,omitempty"`
	Attributes    []*hsdsAttribute     `json:"attributes,omitempty"`
	Translations  hsdsTr               `json:"translations,omitempty"`
	at            where
	extra         map[string]json.RawMessage // HSDS members Punto does not model
}

type hsdsAddress struct {
	ID            string `json:"id"`
	LocationID    string `json:"location_id"`
	Address1      string `json:"address_1"`
	City          string `json:"city"`
	Region        string `json:"region,omitempty"`
	StateProvince string `json:"state_province"`
	PostalCode    string `json:"postal_code"`
	Country       string `json:"country"`
	AddressType   string `json:"address_type"`
	at            where
	extra         map[string]json.RawMessage // members kept at import (hsds_parts.go)
}

type hsdsAccessibility struct {
	ID           string `json:"id"`
	LocationID   string `json:"location_id"`
	Description  string `json:"description,omitempty"`
	Translations hsdsTr `json:"translations,omitempty"`
	at           where
	extra        map[string]json.RawMessage // members kept at import (hsds_parts.go)
}

type hsdsLanguage struct {
	ID        string `json:"id"`
	ServiceID string `json:"service_id,omitempty"` // none for a phone's
	PhoneID   string `json:"phone_id,omitempty"`
	Name      string `json:"name,omitempty"`
	Code      string `json:"code"`
	at        where
	extra     map[string]json.RawMessage // members kept at import (hsds_parts.go)
}

type hsdsDocument struct {
	ID           string `json:"id"`
	ServiceID    string `json:"service_id"`
	Document     string `json:"document"`
	Translations hsdsTr `json:"translations,omitempty"`
	at           where
	extra        map[string]json.RawMessage // members kept at import (hsds_parts.go)
}

type hsdsContact struct {
	ID           string       `json:"id"`
	ServiceID    string       `json:"service_id"`
	Name         string       `json:"name,omitempty"`
	Title        string       `json:"title,omitempty"`
	Email        string       `json:"email,omitempty"`
	Phones       []*hsdsPhone `json:"phones,omitempty"`
	Translations hsdsTr       `json:"translations,omitempty"`
	at           where
	extra        map[string]json.RawMessage // members kept at import (hsds_parts.go)
}

type hsdsAttribute struct {
	ID             string            `json:"id"`
	LinkID         string            `json:"link_id"`
	LinkEntity     string            `json:"link_entity"`
	LinkType       string            `json:"link_type"`
	TaxonomyTermID string            `json:"taxonomy_term_id"`
	Value          string            `json:"value,omitempty"`
	TaxonomyTerm   *hsdsTaxonomyTerm `json:"taxonomy_term,omitempty"`
	at             where
	raw            map[string]json.RawMessage // another taxonomy's attribute, kept whole (hsds_parts.go)
}

type hsdsTaxonomyTerm struct {
	ID           string        `json:"id"`
	Code         string        `json:"code,omitempty"`
	Name         string        `json:"name"`
	Description  string        `json:"description"`
	Taxonomy     string        `json:"taxonomy,omitempty"`
	TaxonomyID   string        `json:"taxonomy_id,omitempty"`
	TermURI      string        `json:"term_uri,omitempty"`
	Language     string        `json:"language,omitempty"`
	Detail       *hsdsTaxonomy `json:"taxonomy_detail,omitempty"`
	Translations hsdsTr        `json:"translations,omitempty"`
	at           where
}

type hsdsTaxonomy struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	URI         string `json:"uri,omitempty"`
	Version     string `json:"version,omitempty"`
}

// setPointers records each object's JSON pointer, for error reports.
func (s *hsdsService) setPointers(p string) {
	s.at.ptr = p
	if s.Organization != nil {
		s.Organization.at.ptr = p + "/organization"
	}
	for i, x := range s.Phones {
		x.at.ptr = fmt.Sprintf("%s/phones/%d", p, i)
	}
	for i, x := range s.Schedules {
		x.at.ptr = fmt.Sprintf("%s/schedules/%d", p, i)
	}
	for i, x := range s.ServiceAtLocations {
		x.at.ptr = fmt.Sprintf("%s/service_at_locations/%d", p, i)
		if x.Location != nil {
			x.Location.setPointers(x.at.ptr + "/location")
		}
	}
	for i, x := range s.Languages {
		x.at.ptr = fmt.Sprintf("%s/languages/%d", p, i)
	}
	for i, x := range s.RequiredDocuments {
		x.at.ptr = fmt.Sprintf("%s/required_documents/%d", p, i)
	}
	for i, x := range s.Contacts {
		x.at.ptr = fmt.Sprintf("%s/contacts/%d", p, i)
		for j, ph := range x.Phones {
			ph.at.ptr = fmt.Sprintf("%s/phones/%d", x.at.ptr, j)
		}
	}
	for i, x := range s.Attributes {
		x.at.ptr = fmt.Sprintf("%s/attributes/%d", p, i)
	}
}

// setPointers records the JSON pointers of a location and its parts.
func (l *hsdsLocation) setPointers(p string) {
	l.at.ptr = p
	for j, a := range l.Addresses {
		a.at.ptr = fmt.Sprintf("%s/addresses/%d", p, j)
	}
	for j, a := range l.Accessibility {
		a.at.ptr = fmt.Sprintf("%s/accessibility/%d", p, j)
	}
	for j, a := range l.Attributes {
		a.at.ptr = fmt.Sprintf("%s/attributes/%d", p, j)
	}
}

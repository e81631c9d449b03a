package kiosk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/assets"
	"github.com/punto-totem/punto/content"
)

// schemaDays are schema.org's days of the week, Monday first as Slot
// counts them.
var schemaDays = [7]string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

// servicePage serves the app's one page for a deep link /s/{id}, with the
// service described as schema.org JSON-LD in the page's language, so that
// search engines and link previews read it without running the app. An
// unknown service still gets the page (the app says it is gone), without
// the description.
func (s *Server) servicePage(c *fiber.Ctx) error {
	page, err := assets.Page("index.html")
	if err != nil {
		return err
	}
	if ld := s.serviceJSONLD(c); ld != nil {
		// A data block, not a script: the Content-Security-Policy lets it
		// be, and json.Marshal writes <, > and & as \u escapes, so no
		// catalog text can close the element.
		block := append(append([]byte(`<script type="application/ld+json">`), ld...), "</script>\n</head>"...)
		page = bytes.Replace(page, []byte("</head>"), block, 1)
	}
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(page)
}

// serviceJSONLD describes the service of the page in its language (lang,
// default Italian), or returns nil when there is none to describe.
func (s *Server) serviceJSONLD(c *fiber.Ctx) []byte {
	id, err := serviceID(c)
	if err != nil {
		return nil
	}
	lang, err := langParam(c)
	if err != nil {
		lang = "it"
	}
	ctx := c.UserContext()
	v, err := s.store.ServiceView(ctx, id, lang, s.cfg.Position, time.Now())
	if err != nil {
		if !errors.Is(err, content.ErrNotFound) {
			s.cfg.Log.Error("service page: JSON-LD", "id", id, "err", err)
		}
		return nil
	}
	page := strings.TrimSuffix(s.cfg.PublicURL, "/") + "/s/" + url.PathEscape(v.ID)
	doc := s.jsonLDService(v, page, lang)
	channels, areas := s.jsonLDPlaces(ctx, v, page, lang)
	doc["availableChannel"] = channels
	doc["areaServed"] = areas
	out, err := json.Marshal(doc)
	if err != nil {
		s.cfg.Log.Error("service page: JSON-LD", "id", id, "err", err)
		return nil
	}
	return out
}

// jsonLDService is what schema.org's Service says of v itself.
func (s *Server) jsonLDService(v *content.ServiceView, page, lang string) map[string]any {
	doc := map[string]any{
		"@context":   "https://schema.org",
		"@type":      "Service",
		"@id":        page,
		"url":        page + "?lang=" + url.QueryEscape(content.PrimaryLang(lang)),
		"name":       v.Name.Text,
		"inLanguage": v.Name.Lang, // the language the texts are in (after the fallback chain)
	}
	if v.Description != nil {
		doc["description"] = v.Description.Text
	}
	if v.Eligibility != nil {
		doc["audience"] = map[string]any{"@type": "Audience", "audienceType": v.Eligibility.Text}
	}
	cats := make([]string, len(v.Categories))
	for i, cat := range v.Categories {
		cats[i] = s.msgs.Localize(lang, "category."+cat).Text
	}
	doc["category"] = cats
	if len(cats) > 0 {
		doc["serviceType"] = cats[0]
	}
	if v.Organization != nil {
		doc["provider"] = map[string]any{"@type": "Organization", "@id": page + "#provider", "name": v.Organization.Name.Text}
	}
	return doc
}

// jsonLDPlaces is a channel per location of v (the place, its hours and
// how to get in touch), and the areas the locations serve: the
// territories they stand in and their comuni, each once.
func (s *Server) jsonLDPlaces(ctx context.Context, v *content.ServiceView, page, lang string) (channels, areas []map[string]any) {
	hours := openingHours(v.Hours)
	var phone string
	if len(v.Phones) > 0 {
		phone = v.Phones[0].Number
	}
	seen := map[string]bool{}
	for _, l := range v.Locations {
		channels = append(channels, jsonLDChannel(v, l, page, phone, hours))
		if l.NoPoint { // not on the map: no area it stands in
			continue
		}
		ts, err := s.store.TerritoriesAt(ctx, orb.Point{l.Lon, l.Lat})
		if err != nil {
			s.cfg.Log.Error("service page: territories", "id", v.ID, "err", err)
		}
		for _, t := range ts {
			if !seen[t.ID] {
				seen[t.ID] = true
				areas = append(areas, map[string]any{"@type": "AdministrativeArea", "name": t.Name.Pick(lang).Text})
			}
		}
		if !seen["comune:"+l.Comune] {
			seen["comune:"+l.Comune] = true
			areas = append(areas, map[string]any{"@type": "City", "name": l.Comune})
		}
	}
	return channels, areas
}

// jsonLDChannel is one location of v as a ServiceChannel.
func jsonLDChannel(v *content.ServiceView, l content.LocationView, page, phone string, hours []map[string]any) map[string]any {
	place := map[string]any{
		"@type":                     "Place",
		"@id":                       page + "#" + url.PathEscape(l.ID),
		"name":                      v.Name.Text,
		"address":                   postalAddress(l),
		"geo":                       map[string]any{"@type": "GeoCoordinates", "latitude": l.Lat, "longitude": l.Lon},
		"openingHoursSpecification": hours,
	}
	if l.NoPoint {
		delete(place, "geo")
	}
	if l.Name != nil {
		place["name"] = l.Name.Text
	}
	if phone != "" {
		place["telephone"] = phone
	}
	channel := map[string]any{"@type": "ServiceChannel", "serviceUrl": page, "serviceLocation": place, "availableLanguage": v.Languages}
	if phone != "" || v.Email != "" {
		cp := map[string]any{"@type": "ContactPoint", "availableLanguage": v.Languages}
		if phone != "" {
			cp["telephone"] = phone
		}
		if v.Email != "" {
			cp["email"] = v.Email
		}
		channel["servicePhone"] = cp
	}
	return channel
}

// postalAddress is a location's address, without the parts it lacks
// (an empty postalCode is no postal code).
func postalAddress(l content.LocationView) map[string]any {
	a := map[string]any{"@type": "PostalAddress", "addressLocality": l.Comune, "addressCountry": "IT"}
	for k, v := range map[string]string{"streetAddress": l.Address, "addressRegion": l.Region, "postalCode": l.PostalCode} {
		if v != "" {
			a[k] = v
		}
	}
	return a
}

// openingHours is a service's hours as schema.org says them: a weekly
// entry per slot, and the dated closures (opens and closes both 00:00)
// and special openings ahead, each valid on its own date.
func openingHours(h content.HoursView) []map[string]any {
	out := make([]map[string]any, 0, len(h.Weekly)+len(h.Exceptions))
	for _, sl := range h.Weekly {
		out = append(out, map[string]any{"@type": "OpeningHoursSpecification", "dayOfWeek": "https://schema.org/" + schemaDays[sl.Weekday-1],
			"opens": sl.Opens + ":00", "closes": schemaClose(sl.Closes)})
	}
	for _, ex := range h.Exceptions {
		spec := map[string]any{"@type": "OpeningHoursSpecification", "validFrom": ex.Date, "validThrough": ex.Date, "opens": "00:00:00", "closes": "00:00:00"}
		if !ex.Closed {
			spec["opens"], spec["closes"] = ex.Opens+":00", schemaClose(ex.Closes)
		}
		out = append(out, spec)
	}
	return out
}

// schemaClose writes a closing time as a schema.org Time: midnight at the
// end of the day is 23:59:59, since 24:00 is no time of day.
func schemaClose(hhmm string) string {
	if hhmm == "24:00" {
		return "23:59:59"
	}
	return hhmm + ":00"
}

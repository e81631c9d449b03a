package kiosk

import (
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
)

func (s *Server) nearby(c *fiber.Ctx) error {
	q := content.NearbyQuery{}
	var err error
	if q.Center, err = s.origin(c); err != nil {
		return err
	}
	if q.RadiusM, err = floatParam(c, "radius_m", content.DefaultRadiusM, 1, content.MaxRadiusM); err != nil {
		return err
	}
	if q.Limit, err = intParam(c, "limit", content.DefaultLimit, 1, content.MaxLimit); err != nil {
		return err
	}
	if q.Category, _, err = query(c, "category"); err != nil {
		return err
	}
	if q.Speaks, _, err = query(c, "speaks"); err != nil {
		return err
	}
	if q.OpenNow, err = boolParam(c, "open_now"); err != nil {
		return err
	}
	if q.At, err = atParam(c); err != nil {
		return err
	}
	lang, err := langParam(c)
	if err != nil {
		return err
	}
	start := time.Now()
	sums, err := s.store.NearbySummaries(c.UserContext(), q, lang)
	s.metrics.nearby.Observe(time.Since(start).Seconds())
	if err != nil {
		return err
	}
	// After the places: the services reached by phone or online that
	// pass the same filters.
	remoteHits, err := s.store.RemoteHits(c.UserContext(), q)
	if err != nil {
		return err
	}
	remoteSums, err := s.store.Summaries(c.UserContext(), remoteHits, lang, q.Center, q.At)
	if err != nil {
		return err
	}
	rs, remote := s.results(sums, lang, q.Center), s.results(remoteSums, lang, q.Center)
	return sendJSON(c, func(b []byte) []byte { return appendNearby(b, &q, lang, rs, remote) })
}

// walkingJSON is walking as encoding/json writes it, once.
var walkingJSON = func() []byte {
	b, err := json.Marshal(walking)
	if err != nil {
		panic(err)
	}
	return b
}()

// appendNearby writes a nearby answer: what encoding/json writes for the
// map {at, lang, origin, radius_m, remote, results, walking}, keys in its
// order.
func appendNearby(b []byte, q *content.NearbyQuery, lang string, rs, remote []resultOut) []byte {
	b = append(b, `{"at":"`...)
	b = q.At.In(content.Rome).AppendFormat(b, time.RFC3339)
	b = append(b, `","lang":`...)
	b = appendString(b, content.PrimaryLang(lang))
	b = append(b, `,"origin":{"lat":`...)
	b = appendFloat(b, q.Center[1])
	b = append(b, `,"lon":`...)
	b = appendFloat(b, q.Center[0])
	b = append(b, `},"radius_m":`...)
	b = appendFloat(b, q.RadiusM)
	b = append(b, `,"remote":`...)
	b = appendResults(b, remote)
	b = append(b, `,"results":`...)
	b = appendResults(b, rs)
	b = append(b, `,"walking":`...)
	b = append(b, walkingJSON...)
	return append(b, '}')
}

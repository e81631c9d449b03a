package kiosk

import (
	"encoding/json"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
)

// search answers what a visitor typed: the services found, the needs and
// categories the words were understood to name (labelled in the visitor's
// language, so the screen can say "Doctor · Health"), and, when nothing
// was found, what else to try. A query that cannot be one (too long, not
// UTF-8, control or text-direction characters, no letter) is a 400 naming
// q.
func (s *Server) search(c *fiber.Ctx) error {
	q, ok, err := query(c, "q")
	if err != nil {
		return err
	}
	if !ok {
		return badRequest("q", "is required")
	}
	lang, err := langParam(c)
	if err != nil {
		return err
	}
	limit, err := intParam(c, "limit", content.DefaultLimit, 1, content.MaxLimit)
	if err != nil {
		return err
	}
	from, err := s.origin(c)
	if err != nil {
		return err
	}
	res, err := s.store.Find(c.UserContext(), content.SearchQuery{Text: q, Lang: content.PrimaryLang(lang), From: from, Limit: limit})
	if err != nil {
		return err
	}
	at, err := atParam(c)
	if err != nil {
		return err
	}
	sums, err := s.store.Summaries(c.UserContext(), res.Hits, lang, from, at)
	if err != nil {
		return err
	}
	// What the words were understood to mean is small and varied: it
	// goes through encoding/json; the results do not.
	matched, err := json.Marshal(res.Matched)
	if err != nil {
		return err
	}
	suggestions, err := json.Marshal(res.Suggestions)
	if err != nil {
		return err
	}
	remoteSums, err := s.store.Summaries(c.UserContext(), res.Remote, lang, from, at)
	if err != nil {
		return err
	}
	rs, remote := s.results(sums, lang, from), s.results(remoteSums, lang, from)
	return sendJSON(c, func(b []byte) []byte { return appendSearch(b, lang, q, rs, remote, matched, suggestions) })
}

// appendSearch writes a search answer as encoding/json writes the map
// {lang, matched, q, remote, results, suggestions}.
func appendSearch(b []byte, lang, q string, rs, remote []resultOut, matched, suggestions []byte) []byte {
	b = append(b, `{"lang":`...)
	b = appendString(b, content.PrimaryLang(lang))
	b = append(b, `,"matched":`...)
	b = append(b, matched...)
	b = append(b, `,"q":`...)
	b = appendString(b, q)
	b = append(b, `,"remote":`...)
	b = appendResults(b, remote)
	b = append(b, `,"results":`...)
	b = appendResults(b, rs)
	b = append(b, `,"suggestions":`...)
	b = append(b, suggestions...)
	return append(b, '}')
}

package kiosk

import (
	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
)

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
	hits, err := s.store.Search(c.UserContext(), q, from, limit)
	if err != nil {
		return err
	}
	at, err := atParam(c)
	if err != nil {
		return err
	}
	sums, err := s.store.Summaries(c.UserContext(), hits, lang, from, at)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"lang": lang, "q": q, "results": s.results(sums, lang)})
}

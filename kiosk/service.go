package kiosk

import (
	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
)

type holidayOut struct {
	Date string            `json:"date"`
	Key  string            `json:"key"`
	Name content.Localized `json:"name"`
}

func (s *Server) service(c *fiber.Ctx) error {
	id, err := serviceID(c)
	if err != nil {
		return err
	}
	lang, err := langParam(c)
	if err != nil {
		return err
	}
	from, err := s.origin(c)
	if err != nil {
		return err
	}
	at, err := atParam(c)
	if err != nil {
		return err
	}
	v, err := s.store.ServiceView(c.UserContext(), id, lang, from, at)
	if err != nil {
		return err
	}
	holidays := []holidayOut{}
	for _, d := range v.Hours.Days {
		if d.Holiday != "" {
			holidays = append(holidays, holidayOut{Date: d.Date, Key: d.Holiday, Name: s.msgs.Localize(lang, "holiday."+d.Holiday)})
		}
	}
	return c.JSON(fiber.Map{"lang": content.PrimaryLang(lang), "service": v, "holidays": holidays})
}

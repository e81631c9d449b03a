package kiosk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/fleet"
	"github.com/punto-totem/punto/internal/apierr"
)

// NeedsCounter counts one event of a visit in the needs figures of the
// hour of at (*fleet.Store does). An event or value it refuses is a
// *content.ValidationError.
type NeedsCounter interface {
	CountNeed(ctx context.Context, at time.Time, event, value string) error
}

type tallyIn struct {
	Event string `json:"event"`
	Value string `json:"value"`
}

// tally answers POST /api/v1/tally: the totem's own screen counts one
// event of a visit (a visit started, a language chosen, a category opened,
// a service viewed, a QR code shown, a search that found nothing) in the
// hour's needs figures. Only the screen on this machine counts (loopback);
// the request carries no identifier and nothing a visitor typed, and a
// value must be a language, category or service the node knows.
func (s *Server) tally(c *fiber.Ctx) error {
	if s.cfg.Role != "totem" {
		return notFound("needs figures are counted on totems only")
	}
	if s.cfg.Needs == nil {
		return notFound("this totem counts no needs figures")
	}
	if !c.Context().RemoteIP().IsLoopback() {
		return apierr.Forbidden("only this totem's own screen counts")
	}
	var in tallyIn
	dec := json.NewDecoder(bytes.NewReader(c.Body()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return badRequest("body", "a JSON object {\"event\": …, \"value\": …} is needed")
	}
	switch in.Event {
	case fleet.NeedLanguage:
		if !slices.ContainsFunc(Languages, func(l Language) bool { return l.Tag == in.Value }) {
			return badRequest("value", "not a language this totem offers")
		}
	case fleet.NeedService:
		ok, err := s.store.HasService(c.UserContext(), in.Value)
		if err != nil {
			return err
		}
		if !ok {
			return badRequest("value", "no such service")
		}
	}
	err := s.cfg.Needs.CountNeed(c.UserContext(), time.Now(), in.Event, in.Value)
	var ve *content.ValidationError
	if errors.As(err, &ve) {
		return badRequest(ve.Field, ve.Reason)
	}
	if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

package portal

import (
	"context"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/editorial"
)

// translations answers GET /{kind}/{id}/translations.
func (p *portal) translations(k *recordKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rec, err := p.loadRecord(c.UserContext(), k, c.Params("id"))
		if err != nil {
			return err
		}
		st, err := p.statusOfRecord(c.UserContext(), rec)
		if err != nil {
			return err
		}
		return c.JSON(st)
	}
}

// statusOfRecord describes the draft if there is one, else the published
// record.
func (p *portal) statusOfRecord(ctx context.Context, rec *record) (editorial.TranslationStatus, error) {
	if rec.draft != nil {
		return editorial.StatusOf(editorial.TextFields(rec.draftValue), rec.draft.Sources), nil
	}
	src, err := p.ed.CommittedSources(ctx, rec.kind.name, rec.id)
	if err != nil {
		return editorial.TranslationStatus{}, err
	}
	return editorial.StatusOf(editorial.TextFields(rec.pubValue), src), nil
}

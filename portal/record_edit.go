package portal

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/editorial"
)

// recordOut is the answer of GET /{kind}/{id}.
type recordOut struct {
	Kind         string                      `json:"kind"`
	ID           string                      `json:"id"`
	Published    json.RawMessage             `json:"published"`
	Draft        *editorial.Draft            `json:"draft"`
	Editable     bool                        `json:"editable"`
	Translations editorial.TranslationStatus `json:"translations"`
}

// get answers GET /{kind}/{id}.
func (p *portal) get(k *recordKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		rec, err := p.loadRecord(ctx, k, c.Params("id"))
		if err != nil {
			return err
		}
		editable, err := p.ed.Guard(ctx, account(c)).May(k.name, rec.pubValue, rec.draftValue)
		if err != nil {
			return err
		}
		st, err := p.statusOfRecord(ctx, rec)
		if err != nil {
			return err
		}
		pub := rec.published
		if pub == nil {
			pub = json.RawMessage("null")
		}
		draft := rec.draft
		if !editable && !account(c).IsAdmin() {
			// The published record is public; a draft outside the
			// editor's territories is not theirs to read.
			draft = nil
		}
		return c.JSON(recordOut{Kind: k.name, ID: rec.id, Published: pub, Draft: draft, Editable: editable, Translations: st})
	}
}

// saveDraft answers PUT /{kind}/{id}/draft.
func (p *portal) saveDraft(k *recordKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		me := account(c)
		rec, err := p.readRecord(ctx, k, c.Params("id"))
		if err != nil {
			return err
		}
		if len(c.Body()) == 0 {
			return badRequest("body", "the record is needed, as JSON")
		}
		v, norm, err := decodeDoc(k.name, c.Body())
		if err != nil {
			return err
		}
		if id := docID(v); id != rec.id {
			return badRequest("id", fmt.Sprintf("%q differs from the address's %q", id, rec.id))
		}
		if svc, ok := v.(*content.Service); ok {
			if k.event && !slices.Contains(svc.Categories, "events") {
				return badRequest("categories", `an event needs the category "events"`)
			}
			if err := p.checkOrganization(c, svc, nil); err != nil {
				return err
			}
		}
		// The draft replaced counts as a "before" too: overwriting it
		// discards it.
		if err := p.ed.Guard(ctx, me).Check(k.name, rec.pubValue, rec.draftValue, v); err != nil {
			return err
		}
		base, before := rec.draft, rec.published
		var sources editorial.Sources
		if base != nil {
			sources, before = base.Sources, base.Doc
		} else if sources, err = p.ed.CommittedSources(ctx, k.name, rec.id); err != nil {
			return err
		}
		next := editorial.TextFields(v)
		d := &editorial.Draft{Kind: k.name, ID: rec.id, Doc: norm, Author: me.Name, Sources: editorial.TrackSources(editorial.TextFields(rec.current()), next, sources)}
		if err := p.ed.PutDraft(ctx, d, before); err != nil {
			return err
		}
		return c.JSON(fiber.Map{"draft": d, "translations": editorial.StatusOf(next, d.Sources)})
	}
}

// checkOrganization requires a service's organization to be published,
// drafted, or (at publish) among the records published with it.
func (p *portal) checkOrganization(c *fiber.Ctx, svc *content.Service, batch map[string]bool) error {
	if svc.OrganizationID == "" || batch[svc.OrganizationID] {
		return nil
	}
	ctx := c.UserContext()
	if _, err := p.st.Organization(ctx, svc.OrganizationID); err == nil {
		return nil
	} else if !errors.Is(err, content.ErrNotFound) {
		return err
	}
	if batch == nil { // a draft may name an organization still in draft
		if _, err := p.ed.Draft(ctx, content.KindOrganization, svc.OrganizationID); err == nil {
			return nil
		} else if !errors.Is(err, editorial.ErrNoDraft) {
			return err
		}
	}
	return badRequest("organization_id", fmt.Sprintf("no organization %q (publish it first, or with this service)", svc.OrganizationID))
}

// discardDraft answers DELETE /{kind}/{id}/draft.
func (p *portal) discardDraft(k *recordKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		rec, err := p.readRecord(ctx, k, c.Params("id"))
		if err != nil {
			return err
		}
		if rec.draft == nil {
			return notFound(fmt.Sprintf("no draft of %s %q", k.name, rec.id))
		}
		if err := p.ed.Guard(ctx, account(c)).Check(k.name, rec.pubValue, rec.draftValue); err != nil {
			return err
		}
		if err := p.ed.DeleteDraft(ctx, account(c).Name, rec.draft); err != nil {
			if errors.Is(err, editorial.ErrNoDraft) {
				return notFound(fmt.Sprintf("no draft of %s %q", k.name, rec.id))
			}
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}

// withdraw answers POST /{kind}/{id}/withdraw: a service is published
// again as withdrawn, an alert or a page is deleted.
func (p *portal) withdraw(k *recordKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		me := account(c)
		rec, err := p.readRecord(ctx, k, c.Params("id"))
		if err != nil {
			return err
		}
		if k.name == content.KindOrganization || k.name == content.KindTerritory {
			return badRequest("kind", fmt.Sprintf("a %s cannot be withdrawn", k.name))
		}
		if rec.published == nil || rec.pubValue == nil {
			return notFound(fmt.Sprintf("%s %q is not published", k.name, rec.id))
		}
		if err := p.ed.Guard(ctx, me).Check(k.name, rec.pubValue); err != nil {
			return err
		}
		change := content.Change{Kind: k.name, ID: rec.id, Op: content.OpDelete}
		if svc, ok := rec.pubValue.(*content.Service); ok {
			w := *svc
			w.Status = content.StatusWithdrawn
			change.Op, change.Doc = content.OpPut, editorial.JSONOf(&w)
		}
		rs := []editorial.Release{{Change: change, Before: rec.published}}
		seq, err := p.ed.Publish(ctx, p.cfg.Publisher, me.Name, "withdraw", rs)
		if err != nil {
			return publishError(err, []content.Change{change})
		}
		return c.JSON(fiber.Map{"seq": seq})
	}
}

var changeField = regexp.MustCompile(`^changes\[(\d+)\]\.?`)

// publishError turns the publisher's complaint into an answer: a
// validation error names the record and its field.
func publishError(err error, changes []content.Change) error {
	var ve *content.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	ae := badRequest(ve.Field, ve.Reason)
	if m := changeField.FindStringSubmatch(ve.Field); m != nil {
		if i, _ := strconv.Atoi(m[1]); i < len(changes) {
			ae.Kind, ae.ID = changes[i].Kind, changes[i].ID
			ae.Field = ve.Field[len(m[0]):]
			ae.Message = fmt.Sprintf("%s %s: %s: %s", ae.Kind, ae.ID, ae.Field, ve.Reason)
		}
	}
	return ae
}

package portal

import (
	"cmp"
	"database/sql"
	"fmt"
	"slices"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
)

// maxPublish bounds the drafts of one publish.
const maxPublish = 500

type recordRef struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

type publishIn struct {
	Drafts []recordRef `json:"drafts"`
}

// publish answers POST /publish: the drafts go out as one batch of the
// change feed, to the master catalog and every totem; then they are
// removed, their translation hashes committed and each is audited.
func (p *portal) publish(c *fiber.Ctx) error {
	ctx := c.UserContext()
	me := account(c)
	var in publishIn
	if err := parseBody(c, &in); err != nil {
		return err
	}
	switch {
	case len(in.Drafts) == 0:
		return badRequest("drafts", "name at least one draft")
	case len(in.Drafts) > maxPublish:
		return badRequest("drafts", fmt.Sprintf("at most %d drafts at once", maxPublish))
	}
	seen := map[recordRef]bool{}
	var recs []*record
	batchOrgs := map[string]bool{}
	g := p.guard(ctx, me)
	for i, ref := range in.Drafts {
		if _, ok := kindNamed(ref.Kind); !ok {
			return badRequest(fmt.Sprintf("drafts[%d].kind", i), fmt.Sprintf("%q is not organization, territory, service, alert or page", ref.Kind))
		}
		if seen[ref] {
			return badRequest(fmt.Sprintf("drafts[%d]", i), "named twice")
		}
		seen[ref] = true
	}
	for _, ref := range in.Drafts {
		k, _ := kindNamed(ref.Kind)
		rec, err := p.readRecord(ctx, k, ref.ID)
		if err != nil {
			return err
		}
		if rec.draft == nil {
			e := notFound(fmt.Sprintf("no draft of %s %q", ref.Kind, ref.ID))
			e.Kind, e.ID = ref.Kind, ref.ID
			return e
		}
		if rec.draftValue == nil {
			e := badRequest("doc", "the draft is not a valid record: save it again")
			e.Kind, e.ID = ref.Kind, ref.ID
			return e
		}
		if err := g.check(k.name, rec.pubValue, rec.draftValue); err != nil {
			return err
		}
		if k.name == content.KindOrganization {
			batchOrgs[rec.id] = true
		}
		recs = append(recs, rec)
	}
	for _, rec := range recs {
		if svc, ok := rec.draftValue.(*content.Service); ok {
			if err := p.checkOrganization(c, svc, batchOrgs); err != nil {
				if ae, ok := err.(*apiError); ok {
					ae.Kind, ae.ID = rec.kind.name, rec.id
				}
				return err
			}
		}
	}
	slices.SortStableFunc(recs, func(a, b *record) int { return cmp.Compare(publishOrder[a.kind.name], publishOrder[b.kind.name]) })
	changes := make([]content.Change, len(recs))
	for i, rec := range recs {
		changes[i] = content.Change{Kind: rec.kind.name, ID: rec.id, Op: content.OpPut, Doc: rec.draft.Doc}
	}
	seq, err := p.cfg.Publisher.Publish(ctx, me.Name, changes, nil)
	if err != nil {
		return publishError(err, changes)
	}
	out := make([]recordRef, len(recs))
	err = p.inTx(ctx, func(tx *sql.Tx) error {
		for i, rec := range recs {
			out[i] = recordRef{Kind: rec.kind.name, ID: rec.id}
			// A draft saved again while this one went out stays.
			if _, err := tx.ExecContext(ctx, "DELETE FROM portal_draft WHERE kind = ? AND id = ? AND updated_at = ?", rec.kind.name, rec.id, rec.draft.stamp); err != nil {
				return err
			}
			if err := commitSources(ctx, tx, rec.kind.name, rec.id, rec.draft.sources); err != nil {
				return err
			}
			e := auditEntry{Actor: me.Name, Action: "publish", Kind: rec.kind.name, RecordID: rec.id,
				Seq: seq - int64(len(recs)-1-i), Before: rec.published, After: rec.draft.Doc}
			if err := p.auditTx(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		// The changes are live; only the bookkeeping failed.
		p.log.Error("published, but drafts and audit were not updated", "seq", seq, "err", err)
		return c.JSON(fiber.Map{"seq": seq, "published": out, "warning": "published, but the drafts could not be removed: discard them"})
	}
	return c.JSON(fiber.Map{"seq": seq, "published": out})
}

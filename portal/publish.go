package portal

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/editorial"
	"github.com/punto-totem/punto/internal/apierr"
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
	g := p.ed.Guard(ctx, me)
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
		if err := g.Check(k.name, rec.pubValue, rec.draftValue); err != nil {
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
				if ae, ok := err.(*apierr.Error); ok {
					ae.Kind, ae.ID = rec.kind.name, rec.id
				}
				return err
			}
		}
	}
	slices.SortStableFunc(recs, func(a, b *record) int { return cmp.Compare(publishOrder[a.kind.name], publishOrder[b.kind.name]) })
	rs := make([]editorial.Release, len(recs))
	out := make([]recordRef, len(recs))
	for i, rec := range recs {
		rs[i] = editorial.Release{Change: content.Change{Kind: rec.kind.name, ID: rec.id, Op: content.OpPut, Doc: rec.draft.Doc},
			Before: rec.published, Draft: rec.draft}
		out[i] = recordRef{Kind: rec.kind.name, ID: rec.id}
	}
	seq, err := p.ed.Publish(ctx, p.cfg.Publisher, me.Name, "publish", rs)
	if err != nil {
		return publishError(err, releasedChanges(rs))
	}
	return c.JSON(fiber.Map{"seq": seq, "published": out, "warnings": languageWarnings(recs)})
}

// publishWarning says that a published record lacks some of the screens'
// languages: visitors reading them see its texts in another language.
// It does not stop the publish.
type publishWarning struct {
	Kind    string   `json:"kind"`
	ID      string   `json:"id"`
	Missing []string `json:"missing"`
}

// languageWarnings lists the records of a publish that lack languages.
func languageWarnings(recs []*record) []publishWarning {
	out := []publishWarning{}
	for _, rec := range recs {
		if missing := editorial.MissingLanguages(rec.draftValue); len(missing) > 0 {
			out = append(out, publishWarning{Kind: rec.kind.name, ID: rec.id, Missing: missing})
		}
	}
	return out
}

// releasedChanges lists the changes of a publish, in order.
func releasedChanges(rs []editorial.Release) []content.Change {
	out := make([]content.Change, len(rs))
	for i, r := range rs {
		out[i] = r.Change
	}
	return out
}

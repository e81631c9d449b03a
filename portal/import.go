package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/exchange"
	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/editorial"
)

// importRejected is the 400 of a refused upload: the first problem as
// error and field, where it is, and every problem found (at most 50).
type importRejected struct {
	Message string                 `json:"error"`
	Field   string                 `json:"field,omitempty"`
	Code    string                 `json:"code"`
	File    string                 `json:"file,omitempty"`
	Line    int                    `json:"line,omitempty"`
	Pointer string                 `json:"pointer,omitempty"`
	Issues  []exchange.ImportIssue `json:"issues"`
}

func rejectImport(c *fiber.Ctx, issues []exchange.ImportIssue) error {
	first := issues[0]
	if len(issues) > 50 {
		issues = issues[:50]
	}
	return c.Status(fiber.StatusBadRequest).JSON(importRejected{Message: first.String(), Field: first.Field, Code: "bad_request",
		File: first.File, Line: first.Line, Pointer: first.Pointer, Issues: issues})
}

// MaxUpload is the largest file an admin may upload to POST /import; the
// portal's HTTP server must accept bodies this large. Large catalogs
// travel best as the zipped HSDS package (15 to 30 times smaller than the
// JSON).
const MaxUpload = 32 << 20

var publishedChange = regexp.MustCompile(`^changes\[(\d+)\]\.?`)

// importFile answers POST /import?format=…: the body is a file in one of
// the open-data formats (hsds-csv as a zip). Every organization and
// service it holds that differs from the published one goes out as one
// batch of the change feed, like a publish; each is audited. A file with
// any bad row publishes nothing.
func (p *portal) importFile(c *fiber.Ctx) error {
	ctx := c.UserContext()
	me := account(c)
	format := c.Query("format")
	switch {
	case format == "":
		return badRequest("format", "say which format: "+strings.Join(exchange.Formats, ", "))
	case !exchange.ValidFormat(format):
		return badRequest("format", fmt.Sprintf("%q is not %s", format, strings.Join(exchange.Formats, ", ")))
	case len(c.Body()) == 0:
		return badRequest("body", "send the file as the request body")
	}
	x, err := exchange.Parse(format, c.Body())
	var ie *exchange.ImportError
	if errors.As(err, &ie) {
		return rejectImport(c, ie.Issues)
	}
	if err != nil {
		return err
	}
	if err := x.KeepUUIDs(ctx, p.st); err != nil {
		return err
	}
	all, err := x.Changes()
	if err != nil {
		return err
	}
	if len(all) == 0 {
		return badRequest("body", "the file holds no organization or service")
	}
	if len(all) > feed.MaxChanges {
		return badRequest("body", fmt.Sprintf("more than %d records in one import", feed.MaxChanges))
	}
	// Records that are already published as they are stay out of the
	// batch: an upload of an unchanged file publishes nothing.
	published, err := p.publishedDocs(ctx, all)
	if err != nil {
		return err
	}
	var rs []editorial.Release
	var index []int // each change's position in all
	for i, ch := range all {
		before := published[recordRef{ch.Kind, ch.ID}]
		if before != nil && bytes.Equal(before, ch.Doc) {
			continue
		}
		rs = append(rs, editorial.Release{Change: ch, Before: before})
		index = append(index, i)
	}
	out := fiber.Map{"format": format, "organizations": len(x.Organizations), "services": len(x.Services),
		"changed": len(rs), "unchanged": len(all) - len(rs)}
	if len(rs) == 0 {
		return c.JSON(out)
	}
	seq, err := p.ed.Publish(ctx, p.cfg.Publisher, me.Name, "import", rs)
	if err != nil {
		var ve *content.ValidationError
		if errors.As(err, &ve) {
			if m := publishedChange.FindStringSubmatch(ve.Field); m != nil {
				if i, _ := strconv.Atoi(m[1]); i < len(index) {
					return rejectImport(c, []exchange.ImportIssue{x.ChangeIssue(index[i],
						&content.ValidationError{Field: ve.Field[len(m[0]):], Reason: ve.Reason})})
				}
			}
		}
		return publishError(err, releasedChanges(rs))
	}
	out["seq"] = seq
	return c.JSON(out)
}

// publishedDocs reads the published version of each record the changes
// name (absent when new): one by one for a small file, the whole catalog
// at once for a large one.
func (p *portal) publishedDocs(ctx context.Context, changes []content.Change) (map[recordRef]json.RawMessage, error) {
	out := make(map[recordRef]json.RawMessage, len(changes))
	if len(changes) <= 200 {
		for _, ch := range changes {
			raw, _, found, err := p.published(ctx, ch.Kind, ch.ID)
			if err != nil {
				return nil, err
			}
			if found {
				out[recordRef{ch.Kind, ch.ID}] = raw
			}
		}
		return out, nil
	}
	x, err := exchange.Read(ctx, p.st)
	if err != nil {
		return nil, err
	}
	for i := range x.Organizations {
		raw, err := json.Marshal(&x.Organizations[i])
		if err != nil {
			return nil, err
		}
		out[recordRef{content.KindOrganization, x.Organizations[i].ID}] = raw
	}
	for i := range x.Services {
		raw, err := json.Marshal(&x.Services[i])
		if err != nil {
			return nil, err
		}
		out[recordRef{content.KindService, x.Services[i].ID}] = raw
	}
	return out, nil
}

package portal

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/editorial"
	"github.com/punto-totem/punto/locales"
)

// The lexicon: editors add the words people really type to the concepts
// search understands ("tabib" to the doctor), and see at once which
// concept a word joins. An added term goes out at once as a change of the
// feed (kind "term"), and totems' searches find the concept by it. The
// lexicon is the region's, not a territory's: any editor or admin may
// extend it.
//
//	GET    /lexicon                       the concepts with their terms, built-in and added
//	GET    /lexicon/lookup?term=&lang=    which concepts a term names now
//	PUT    /lexicon/terms                 {concept, lang, term, latin}: add a term
//	DELETE /lexicon/terms                 {concept, lang, term}: remove an added term

func (p *portal) lexiconRoutes(api fiber.Router) {
	api.Get("/lexicon", p.authed, p.staff, p.lexiconList)
	api.Get("/lexicon/lookup", p.authed, p.staff, p.lexiconLookup)
	api.Put("/lexicon/terms", p.authed, p.staff, p.lexiconPut)
	api.Delete("/lexicon/terms", p.authed, p.staff, p.lexiconDelete)
}

func (p *portal) lexiconList(c *fiber.Ctx) error {
	list, err := p.st.Lexicon(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"concepts": list, "languages": locales.Tags(), "max_term": content.MaxTermLen})
}

// checkTermLang refuses a language the screens do not have, naming field.
func checkTermLang(field, lang string) error {
	if !slices.Contains(locales.Tags(), lang) {
		return badRequest(field, fmt.Sprintf("%q is not a language of the screens", lang))
	}
	return nil
}

func (p *portal) lexiconLookup(c *fiber.Ctx) error {
	term, lang := strings.TrimSpace(c.Query("term")), c.Query("lang")
	if term == "" || !utf8.ValidString(term) || utf8.RuneCountInString(term) > content.MaxTermLen {
		return badRequest("term", fmt.Sprintf("must be 1 to %d characters", content.MaxTermLen))
	}
	if err := checkTermLang("lang", lang); err != nil {
		return err
	}
	m, err := p.st.LexiconLookup(c.UserContext(), term, lang)
	if err != nil {
		var ve *content.ValidationError
		if errors.As(err, &ve) {
			return badRequest("term", ve.Reason) // the query's field is q
		}
		return err
	}
	return c.JSON(fiber.Map{"term": term, "lang": lang, "matched": m})
}

// termInput is the body of PUT and DELETE /lexicon/terms.
type termInput struct {
	Concept string `json:"concept"`
	Lang    string `json:"lang"`
	Term    string `json:"term"`
	Latin   bool   `json:"latin"`
}

// readTerm reads and checks the body as a term.
func (p *portal) readTerm(c *fiber.Ctx) (*content.Term, error) {
	var in termInput
	if err := parseBody(c, &in); err != nil {
		return nil, err
	}
	if err := checkTermLang("lang", in.Lang); err != nil {
		return nil, err
	}
	t, err := content.NewTerm(in.Concept, in.Lang, in.Term, in.Latin, p.now())
	if err != nil {
		return nil, publishError(err, nil)
	}
	return t, nil
}

func (p *portal) lexiconPut(c *fiber.Ctx) error {
	t, err := p.readTerm(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	var before []byte
	if old, err := p.st.Term(ctx, t.ID); err == nil {
		before = editorial.JSONOf(old)
	} else if !errors.Is(err, content.ErrNotFound) {
		return err
	}
	change := content.Change{Kind: content.KindTerm, ID: t.ID, Op: content.OpPut, Doc: editorial.JSONOf(t)}
	seq, err := p.ed.Publish(ctx, p.cfg.Publisher, account(c).Name, "term.put", []editorial.Release{{Change: change, Before: before}})
	if err != nil {
		return publishError(err, []content.Change{change})
	}
	return c.JSON(fiber.Map{"seq": seq, "id": t.ID, "term": t})
}

func (p *portal) lexiconDelete(c *fiber.Ctx) error {
	t, err := p.readTerm(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	old, err := p.st.Term(ctx, t.ID)
	if err != nil {
		if errors.Is(err, content.ErrNotFound) {
			return notFound("no such added term (built-in terms cannot be removed here)")
		}
		return err
	}
	change := content.Change{Kind: content.KindTerm, ID: old.ID, Op: content.OpDelete}
	seq, err := p.ed.Publish(ctx, p.cfg.Publisher, account(c).Name, "term.delete", []editorial.Release{{Change: change, Before: editorial.JSONOf(old)}})
	if err != nil {
		return publishError(err, []content.Change{change})
	}
	return c.JSON(fiber.Map{"seq": seq})
}

package portal

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/editorial"
	"github.com/punto-totem/punto/locales"
)

// Recordings: editors and mediators upload audio of a text the screens
// hold, in one language (any of the 15, Tigrinya first of all, which
// espeak-ng cannot read). A recording goes out at once as a change of the
// feed, and totems play it instead of their synthesis.
//
//	GET    /recordings                     the recordings (without audio)
//	PUT    /recordings?ref=REF&lang=LANG   the body is the audio (WAV, Ogg, MP3 or WebM)
//	GET    /recordings/audio?ref=&lang=    listen to one
//	DELETE /recordings?ref=REF&lang=LANG   withdraw one
//
// REF is ui:KEY, service:ID:name|description, alert:ID or page:ID:title|body.
// Any editor may record a screen's string; a service's or an alert's text
// whoever may change the record; a page's an admin.

func (p *portal) recordingRoutes(api fiber.Router) {
	api.Get("/recordings", p.authed, p.staff, p.recordingList)
	api.Get("/recordings/audio", p.authed, p.staff, p.recordingAudio)
	api.Put("/recordings", p.authed, p.staff, p.recordingPut)
	api.Delete("/recordings", p.authed, p.staff, p.recordingDelete)
}

func (p *portal) recordingList(c *fiber.Ctx) error {
	list, err := p.st.Recordings(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"recordings": list, "max_bytes": content.MaxRecording, "languages": locales.Tags()})
}

// recordingTarget reads ref and lang and checks that the account may
// record that text: it exists, and the account may change it.
func (p *portal) recordingTarget(c *fiber.Ctx) (ref, lang string, err error) {
	ref, lang = c.Query("ref"), c.Query("lang")
	if !slices.Contains(locales.Tags(), lang) {
		return "", "", badRequest("lang", fmt.Sprintf("%q is not a language of the screens", lang))
	}
	if !content.ValidRef(ref) {
		return "", "", badRequest("ref", "names no text: ui:KEY, service:ID:name|description, alert:ID or page:ID:title|body")
	}
	ctx := c.UserContext()
	g := p.ed.Guard(ctx, account(c))
	kind, id, field := splitRef(ref)
	switch kind {
	case "ui":
		keys, err := screenKeys()
		if err != nil {
			return "", "", err
		}
		if !keys[id] {
			return "", "", notFound(fmt.Sprintf("the screens have no string %q", id))
		}
		return ref, lang, nil
	case "service":
		svc, err := p.st.Service(ctx, id)
		if err != nil {
			return "", "", err
		}
		if field == "description" && len(svc.Description) == 0 {
			return "", "", notFound("the service has no description")
		}
		return ref, lang, g.Check(content.KindService, svc)
	case "alert":
		a, err := p.st.Alert(ctx, id)
		if err != nil {
			return "", "", err
		}
		return ref, lang, g.Check(content.KindAlert, a)
	default: // page
		pg, err := p.st.Page(ctx, id)
		if err != nil {
			return "", "", err
		}
		return ref, lang, g.Check(content.KindPage, pg)
	}
}

// splitRef cuts a valid ref into its kind, record (or string key) and field.
func splitRef(ref string) (kind, id, field string) {
	kind, rest, _ := strings.Cut(ref, ":")
	if kind == "ui" || kind == "alert" {
		return kind, rest, ""
	}
	id, field, _ = strings.Cut(rest, ":")
	return kind, id, field
}

func (p *portal) recordingPut(c *fiber.Ctx) error {
	ref, lang, err := p.recordingTarget(c)
	if err != nil {
		return err
	}
	audio := c.Body()
	switch {
	case len(audio) == 0:
		return badRequest("audio", "the body is the audio, and it is empty")
	case len(audio) > content.MaxRecording:
		return badRequest("audio", fmt.Sprintf("is %d bytes: at most %d", len(audio), content.MaxRecording))
	case content.AudioType(audio) == "":
		return badRequest("audio", "is not WAV, Ogg, MP3 or WebM audio")
	}
	rec, err := content.NewRecording(lang, ref, append([]byte(nil), audio...), p.now())
	if err != nil {
		return publishError(err, nil)
	}
	ctx := c.UserContext()
	var before []byte
	if old, err := p.st.Recording(ctx, lang, ref); err == nil {
		before = editorial.JSONOf(old)
	} else if !errors.Is(err, content.ErrNotFound) {
		return err
	}
	change := content.Change{Kind: content.KindRecording, ID: rec.ID, Op: content.OpPut, Doc: editorial.JSONOf(rec)}
	seq, err := p.ed.Publish(ctx, p.cfg.Publisher, account(c).Name, "recording.put", []editorial.Release{{Change: change, Before: before}})
	if err != nil {
		return publishError(err, []content.Change{change})
	}
	return c.JSON(fiber.Map{"seq": seq, "id": rec.ID, "type": rec.Type, "bytes": len(rec.Audio)})
}

func (p *portal) recordingAudio(c *fiber.Ctx) error {
	ref, lang := c.Query("ref"), c.Query("lang")
	if !content.ValidRef(ref) {
		return badRequest("ref", "names no text")
	}
	if !slices.Contains(locales.Tags(), lang) {
		return badRequest("lang", fmt.Sprintf("%q is not a language of the screens", lang))
	}
	rec, err := p.st.Recording(c.UserContext(), lang, ref)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, rec.Type)
	return c.Send(rec.Audio)
}

func (p *portal) recordingDelete(c *fiber.Ctx) error {
	ref, lang, err := p.recordingTarget(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	old, err := p.st.Recording(ctx, lang, ref)
	if err != nil {
		return err
	}
	change := content.Change{Kind: content.KindRecording, ID: old.ID, Op: content.OpDelete}
	seq, err := p.ed.Publish(ctx, p.cfg.Publisher, account(c).Name, "recording.delete", []editorial.Release{{Change: change, Before: editorial.JSONOf(old)}})
	if err != nil {
		return publishError(err, []content.Change{change})
	}
	return c.JSON(fiber.Map{"seq": seq})
}

// screenKeys are the IDs of the screens' strings (English has them all:
// a test holds every locale to it).
var screenKeys = sync.OnceValues(func() (map[string]bool, error) {
	var m map[string]any
	if _, err := toml.DecodeFS(locales.FS, "en.toml", &m); err != nil {
		return nil, fmt.Errorf("portal: locales: %w", err)
	}
	keys := make(map[string]bool, len(m))
	for k := range m {
		keys[k] = true
	}
	return keys, nil
})

package kiosk

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/internal/apierr"
	"github.com/punto-totem/punto/voice"
)

// Speaker makes audio of a text the node holds (voice.Synth).
type Speaker interface {
	WAV(ctx context.Context, text, lang string) ([]byte, error)
}

// partGap is the pause between the parts of a reading.
const partGap = 350 * time.Millisecond

// part is a piece of a reading: a text and the language it is written in
// (a service name the catalog lacks in the visitor's language is read in
// the language it has).
type part struct {
	text, lang string
}

// noVoice answers that nothing can read ref in lang: espeak-ng has no
// voice for it (Tigrinya) and no editor recorded the text.
func noVoice(lang string) *apierr.Error {
	return &apierr.Error{Status: fiber.StatusNotFound, Code: "no_voice",
		Message: fmt.Sprintf("no voice reads %s here, and nobody recorded this text in it", lang)}
}

// speak answers GET /api/v1/voice?ref=REF&lang=LANG with audio of a text
// the node holds, read in lang: a recording an editor uploaded if there
// is one, else espeak-ng's. REF names the text, never carries it:
//
//	ui:KEY                       a screen's string without arguments
//	service:ID:name|description  a field of a service
//	service:ID:summary           what a result row says: name, distance, walking time, direction, open or not
//	alert:ID                     an alert's text
//	page:ID:title|body           an information page
//	language:TAG                 a language's own name, read in it (the language picker)
//	key:TAG:TEXT                 a key or a choice of the on-screen keyboard, read in the keyboard's language
func (s *Server) speak(c *fiber.Ctx) error {
	lang, _, err := query(c, "lang")
	if err != nil {
		return err
	}
	if !s.msgs.Has(lang) || baseTag(lang) != lang {
		return badRequest("lang", "is not a language of the screens")
	}
	ref, _, err := query(c, "ref")
	if err != nil {
		return err
	}
	if len(ref) > 200 {
		return badRequest("ref", "is longer than 200 characters")
	}
	if ref == "" {
		return badRequest("ref", "is required")
	}
	if s.cfg.Voice == nil {
		return notFound("this node reads nothing aloud")
	}
	// The request's deadline bounds the wait; a reading still being made
	// then goes on within its own time limit, and lands in the cache for
	// the next tap.
	ctx := c.UserContext()
	from, err := s.origin(c)
	if err != nil {
		return err
	}
	parts, recRef, err := s.resolve(ctx, ref, lang, from)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-cache")
	if recRef != "" {
		rec, err := s.store.Recording(ctx, lang, recRef)
		if err == nil && (recRef == ref || voiceless(lang)) {
			c.Set("X-Voice", "recording")
			c.Set(fiber.HeaderContentType, rec.Type)
			return c.Send(rec.Audio)
		}
		if err != nil && !errors.Is(err, content.ErrNotFound) {
			return err
		}
	}
	if voiceless(lang) {
		return noVoice(lang)
	}
	wavs := make([][]byte, 0, len(parts))
	for _, p := range parts {
		b, err := s.cfg.Voice.WAV(ctx, p.text, p.lang)
		if errors.Is(err, voice.ErrNoVoice) {
			continue // a fallback text in a language without a voice
		}
		if err != nil {
			if ctx.Err() != nil {
				return apierr.Unavailable("the voice is busy: try again")
			}
			return err
		}
		wavs = append(wavs, b)
	}
	if len(wavs) == 0 {
		return noVoice(lang)
	}
	audio, err := voice.Join(partGap, wavs...)
	if err != nil {
		return err
	}
	c.Set("X-Voice", "synthesis")
	c.Set(fiber.HeaderContentType, "audio/wav")
	return c.Send(audio)
}

// maxKeyRunes bounds what a key ref reads: the longest pinyin choice is a
// few characters, and so every key a totem can read is a small set.
const maxKeyRunes = 8

// keyText tells the text of a key or a keyboard choice: a few letters,
// marks, digits, punctuation or symbols, no spaces or controls.
func keyText(text string) bool {
	if !utf8.ValidString(text) {
		return false
	}
	n := 0
	for _, r := range text {
		n++
		if n > maxKeyRunes || !(unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)) {
			return false
		}
	}
	return n > 0
}

func voiceless(lang string) bool {
	_, err := voice.VoiceFor(lang)
	return err != nil
}

// resolve finds the text ref names, in lang, as parts to read, and the
// ref under which a recording of it would be kept ("" if none can be).
func (s *Server) resolve(ctx context.Context, ref, lang string, from orb.Point) ([]part, string, error) {
	kind, rest, _ := strings.Cut(ref, ":")
	bad := badRequest("ref", "names no text: ui:KEY, service:ID:name|description|summary, alert:ID, page:ID:title|body, language:TAG or key:TAG:TEXT")
	switch kind {
	case "ui":
		text, ok := s.msgs.Held(lang, rest, nil)
		if !ok {
			return nil, "", notFound(fmt.Sprintf("no string %q in %s", rest, lang))
		}
		if strings.ContainsAny(s.msgs.raw[lang][rest].Other, "{}") {
			return nil, "", badRequest("ref", "the string has arguments; read what shows it instead")
		}
		return []part{{text, lang}}, ref, nil
	case "language":
		for _, l := range Languages {
			if l.Tag == rest {
				return []part{{l.Name, l.Tag}}, "", nil
			}
		}
		return nil, "", bad
	case "key":
		tag, text, _ := strings.Cut(rest, ":")
		if !s.msgs.Has(tag) || baseTag(tag) != tag {
			return nil, "", badRequest("ref", "key:TAG:TEXT: the keyboard's language is not one of the screens'")
		}
		if !keyText(text) {
			return nil, "", badRequest("ref", fmt.Sprintf("key:TAG:TEXT: TEXT is what a key or a choice shows: 1 to %d letters, digits or signs", maxKeyRunes))
		}
		return []part{{text, tag}}, "", nil
	case "alert":
		if !content.ValidID(rest) {
			return nil, "", bad
		}
		a, err := s.store.Alert(ctx, rest)
		if err != nil {
			return nil, "", err
		}
		t := a.Text.Pick(lang)
		return []part{{t.Text, t.Lang}}, ref, nil
	case "page":
		id, field, _ := strings.Cut(rest, ":")
		if !content.ValidID(id) || (field != "title" && field != "body") {
			return nil, "", bad
		}
		p, err := s.store.Page(ctx, id)
		if err != nil {
			return nil, "", err
		}
		t := p.Title.Pick(lang)
		if field == "body" {
			t = p.Body.Pick(lang)
		}
		return []part{{t.Text, t.Lang}}, ref, nil
	case "service":
		id, field, _ := strings.Cut(rest, ":")
		if !content.ValidID(id) {
			return nil, "", bad
		}
		v, err := s.store.ServiceView(ctx, id, lang, from, time.Now())
		if err != nil {
			return nil, "", err
		}
		switch field {
		case "name":
			return []part{{v.Name.Text, v.Name.Lang}}, ref, nil
		case "description":
			if v.Description == nil {
				return nil, "", notFound("the service has no description")
			}
			return []part{{v.Description.Text, v.Description.Lang}}, ref, nil
		case "summary":
			return s.summary(v, lang), "service:" + id + ":name", nil
		}
	}
	return nil, "", bad
}

// summary is what a result row shows, in words: the name, how far, how
// long on foot, which way, and whether it is open.
func (s *Server) summary(v *content.ServiceView, lang string) []part {
	parts := []part{{v.Name.Text, v.Name.Lang}}
	say := func(id string, vars map[string]string) {
		if t, ok := s.msgs.Held(lang, id, vars); ok && strings.TrimSpace(t) != "" {
			parts = append(parts, part{t, lang})
		}
	}
	if len(v.Locations) > 0 {
		w := v.Locations[0].Way
		if w.DistanceM < 1000 {
			say("ui.distance_m", map[string]string{"meters": strconv.Itoa(w.DistanceM)})
		} else {
			km := strconv.FormatFloat(float64(w.DistanceM)/1000, 'f', 1, 64)
			if decimalComma[lang] {
				km = strings.Replace(km, ".", ",", 1)
			}
			say("ui.distance_km", map[string]string{"km": km})
		}
		say("walk.minutes", map[string]string{"count": strconv.Itoa(w.WalkingMinutes)})
		say("direction."+string(w.Direction), nil)
	}
	clock := func(t time.Time) string { return t.In(content.Rome).Format("15:04") }
	switch {
	case v.Status == content.StatusTemporarilyClosed:
		say("ui.temporarily_closed", nil)
	case v.Open.Open:
		say("ui.open_now", nil)
		if !v.Open.ClosesAt.IsZero() {
			say("ui.closes_at", map[string]string{"time": clock(v.Open.ClosesAt)})
		}
	default:
		say("ui.closed", nil)
		if at := v.Open.OpensAt; !at.IsZero() {
			now := time.Now().In(content.Rome)
			day := ""
			switch at.In(content.Rome).Format(time.DateOnly) {
			case now.Format(time.DateOnly):
				day, _ = s.msgs.Held(lang, "ui.today", nil)
			case now.AddDate(0, 0, 1).Format(time.DateOnly):
				day, _ = s.msgs.Held(lang, "ui.tomorrow", nil)
			default:
				day, _ = s.msgs.Held(lang, "weekday."+strconv.Itoa((int(at.In(content.Rome).Weekday())+6)%7+1), nil)
			}
			say("ui.opens_at", map[string]string{"day": day, "time": clock(at)})
		}
	}
	return parts
}

// decimalComma: the languages that write 1,5 km (espeak-ng reads the
// number as they write it).
var decimalComma = map[string]bool{"it": true, "fr": true, "es": true, "ru": true, "uk": true, "ro": true, "sq": true}

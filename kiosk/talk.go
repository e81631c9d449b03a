package kiosk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/internal/apierr"
)

// "Talk to someone in your language" on a totem: who is reachable for the
// visitor's language (the mediators' on-call hours, from the portal, and
// the phone desks of the catalog), and the call-back form, which the
// totem forwards to its portal. The number is in memory only, for the
// time of one request: it is never logged nor written here.

// Talk is a node's way to the people behind its portal: on a totem
// (cmd/punto wires it to the totem's link) who is reachable from the
// totem's territory, and call-backs; on the portal who is reachable where
// a phone stands (at; its call-backs go to the portal's own endpoint). An
// error from Reach, or ErrTalkOffline from Callback, means the portal
// cannot be reached now; a refusal by the portal is an *apierr.Error.
type Talk interface {
	Online() bool
	Reach(ctx context.Context, at orb.Point) (*TalkReach, error)
	Callback(ctx context.Context, in CallbackIn) error
}

// ErrTalkOffline is Talk.Callback's answer when the portal cannot be reached.
var ErrTalkOffline = errors.New("kiosk: the portal cannot be reached now")

// TalkReach is who can be reached from the totem's territory, per
// language.
type TalkReach struct {
	Languages []TalkLanguage `json:"languages"`
}

// TalkLanguage is one language's weekly on-call hours (Italian time), and
// whether someone is on call now.
type TalkLanguage struct {
	Language string      `json:"language"`
	Now      bool        `json:"now"`
	Hours    []TalkHours `json:"hours"`
}

// TalkHours is a weekly window: Weekday 1 (Monday) to 7, From–To "HH:MM".
type TalkHours struct {
	Weekday int    `json:"weekday"`
	From    string `json:"from"`
	To      string `json:"to"`
}

// CallbackIn is a visitor's call-back as the totem's screen sends it.
type CallbackIn struct {
	Number   string `json:"number"`
	Language string `json:"language"`
	Topic    string `json:"topic"`
}

// CallbackTopics are the topics a call-back may be about (the portal's
// mediation topics), each shown with a category's pictogram.
var CallbackTopics = []string{"health", "school", "legal", "social", "housing", "work"}

// DefaultCallbacksPerHour bounds the call-backs one totem forwards in an
// hour, whoever types them.
const DefaultCallbacksPerHour = 20

const (
	maxCallbackBody = 1 << 10
	talkTimeout     = 3 * time.Second
	reachFresh      = 30 * time.Second // a reach answer is kept this long
	reachOffline    = 5 * time.Second  // and a failure to get one this long
	maxDesks        = 4
)

var (
	callbackNumber = regexp.MustCompile(`^\+?[0-9]{6,15}$`)
	isoLanguage    = regexp.MustCompile(`^[a-z]{2,3}$`)
)

// talkState caches the portal's last reach answer and counts the
// call-backs forwarded in the last hour.
type talkState struct {
	mu      sync.Mutex
	reach   *TalkReach
	at      time.Time
	sent    []time.Time
	perHour int
}

// reachNow is who is reachable from at: on the portal asked at once, on a
// totem the portal's answer at most reachFresh old; nil when the portal
// cannot be reached.
func (s *Server) reachNow(ctx context.Context, at orb.Point) *TalkReach {
	if s.cfg.Talk == nil || !s.cfg.Talk.Online() {
		return nil
	}
	if s.cfg.Role != "totem" {
		ctx, cancel := context.WithTimeout(ctx, talkTimeout)
		defer cancel()
		r, err := s.cfg.Talk.Reach(ctx, at)
		if err != nil {
			s.cfg.Log.Warn("who is on call: no answer", "err", err)
			return nil
		}
		return r
	}
	ts := &s.talk
	ts.mu.Lock()
	defer ts.mu.Unlock()
	age := time.Since(ts.at)
	if (ts.reach != nil && age < reachFresh) || (ts.reach == nil && age < reachOffline) {
		return ts.reach
	}
	ctx, cancel := context.WithTimeout(ctx, talkTimeout)
	defer cancel()
	r, err := s.cfg.Talk.Reach(ctx, s.cfg.Position)
	if err != nil {
		r = nil
	}
	ts.reach, ts.at = r, time.Now()
	return r
}

// take counts one call-back against the totem's hourly limit, or says in
// how many seconds one may be sent.
func (ts *talkState) take(now time.Time) (int, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.sent = slices.DeleteFunc(ts.sent, func(t time.Time) bool { return now.Sub(t) >= time.Hour })
	if len(ts.sent) >= ts.perHour {
		return int(math.Ceil(ts.sent[0].Add(time.Hour).Sub(now).Seconds())), false
	}
	ts.sent = append(ts.sent, now)
	return 0, true
}

type deskOut struct {
	ID     string            `json:"id"`
	Name   content.Localized `json:"name"`
	Phones []deskPhone       `json:"phones"`
	Speaks bool              `json:"speaks"` // its staff, or one of its phone desks, speak the visitor's language
}

// deskPhone is a number to call: a phone desk (a phone channel) with its
// own hours, open now or when it opens, and the languages spoken there;
// or, for a service without one, one of its phone numbers.
type deskPhone struct {
	Number    string             `json:"number"`
	Open      *content.OpenState `json:"open,omitempty"`
	Languages []string           `json:"languages,omitempty"`
}

// talkInfo answers GET /api/v1/talk?lang=: whether the portal can be
// reached now, who is on call per language, and the nearest phone desks
// (mediation services' phone channels, or their phone numbers), those
// speaking lang first.
func (s *Server) talkInfo(c *fiber.Ctx) error {
	prefs, err := langParam(c)
	if err != nil {
		return err
	}
	lang := baseTag(prefs)
	at, err := s.origin(c)
	if err != nil {
		return err
	}
	out := fiber.Map{"online": false, "languages": []TalkLanguage{}, "topics": CallbackTopics}
	if r := s.reachNow(c.UserContext(), at); r != nil {
		out["online"], out["languages"] = true, r.Languages
	}
	desks, err := s.desks(c.UserContext(), lang, prefs, at)
	if err != nil {
		return err
	}
	out["desks"] = desks
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(out)
}

func (s *Server) desks(ctx context.Context, lang, prefs string, at orb.Point) ([]deskOut, error) {
	out := []deskOut{}
	for _, speaks := range []string{lang, ""} {
		hits, err := s.store.NearbyHits(ctx, content.NearbyQuery{Center: at, RadiusM: content.MaxRadiusM, Limit: 20, Category: "mediation", Speaks: speaks})
		if err != nil {
			return nil, err
		}
		sums, err := s.store.Summaries(ctx, hits, prefs, at, time.Time{})
		if err != nil {
			return nil, err
		}
		for _, sum := range sums {
			if len(out) == maxDesks {
				return out, nil
			}
			if slices.ContainsFunc(out, func(d deskOut) bool { return d.ID == sum.ID }) {
				continue
			}
			d, err := s.desk(ctx, sum, lang, prefs, at)
			if err != nil {
				return nil, err
			}
			if len(d.Phones) > 0 {
				d.Speaks = d.Speaks || speaks != ""
				out = append(out, d)
			}
		}
	}
	return out, nil
}

// desk is a service's numbers to call: its phone desks with their hours,
// or its phone numbers when it has none.
func (s *Server) desk(ctx context.Context, sum content.Summary, lang, prefs string, at orb.Point) (deskOut, error) {
	d := deskOut{ID: sum.ID, Name: sum.Name, Phones: []deskPhone{}}
	v, err := s.store.ServiceView(ctx, sum.ID, prefs, at, time.Now())
	if err != nil {
		return d, err
	}
	for _, ch := range v.Channels {
		if ch.Kind == content.ChannelPhone {
			open := ch.Open
			d.Phones = append(d.Phones, deskPhone{Number: ch.Phone, Open: &open, Languages: ch.Languages})
			d.Speaks = d.Speaks || slices.Contains(ch.Languages, lang)
		}
	}
	if len(d.Phones) == 0 {
		for _, p := range v.Phones {
			d.Phones = append(d.Phones, deskPhone{Number: p.Number})
		}
	}
	return d, nil
}

// callbackCreate answers POST /api/v1/callback {number, language, topic}:
// checked here, then forwarded to the portal over the totem's link; 202
// once the portal has queued it. The totem keeps nothing of it.
func (s *Server) callbackCreate(c *fiber.Ctx) error {
	if s.cfg.Talk == nil || s.cfg.Role != "totem" {
		return notFound("this node forwards no call-backs (phones send theirs to /callback/v1/requests)")
	}
	if !c.Context().RemoteIP().IsLoopback() {
		return apierr.Forbidden("only this totem's own screen sends call-backs")
	}
	if len(c.Body()) > maxCallbackBody {
		return badRequest("body", "is larger than 1 KiB")
	}
	var in CallbackIn
	if err := json.Unmarshal(c.Body(), &in); err != nil {
		return badRequest("body", "is not a JSON object with number, language and topic")
	}
	if err := s.checkCallback(c.UserContext(), &in); err != nil {
		return err
	}
	if wait, ok := s.talk.take(time.Now()); !ok {
		e := apierr.RateLimited(wait)
		e.Code, e.Message = "totem_busy", "this totem has forwarded enough call-backs for now: "+e.Message
		return e
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), talkTimeout)
	defer cancel()
	err := s.cfg.Talk.Callback(ctx, in)
	in = CallbackIn{} // the number goes no further
	if errors.Is(err, ErrTalkOffline) {
		return &apierr.Error{Status: fiber.StatusServiceUnavailable, Code: "offline", Message: "the portal cannot be reached now: call a phone desk"}
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"received": true})
}

// checkCallback checks a call-back before it leaves the totem; the portal
// checks it again. The language is one of the screens' or one someone is
// on call for.
func (s *Server) checkCallback(ctx context.Context, in *CallbackIn) error {
	var b strings.Builder
	for i, r := range strings.TrimSpace(in.Number) {
		switch {
		case r >= '0' && r <= '9', r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.':
		default:
			return badRequest("number", "is not a phone number: digits only, a leading + allowed")
		}
	}
	if !callbackNumber.MatchString(b.String()) {
		return badRequest("number", "is not a phone number (6–15 digits, a leading + allowed)")
	}
	in.Number = b.String()
	known := isoLanguage.MatchString(in.Language) && slices.ContainsFunc(Languages, func(l Language) bool { return l.Tag == in.Language })
	if !known && isoLanguage.MatchString(in.Language) {
		if r := s.reachNow(ctx, s.cfg.Position); r != nil {
			known = slices.ContainsFunc(r.Languages, func(l TalkLanguage) bool { return l.Language == in.Language })
		}
	}
	if !known {
		return badRequest("language", "is not a language someone can be called back in")
	}
	if !slices.Contains(CallbackTopics, in.Topic) {
		return badRequest("topic", fmt.Sprintf("must be one of %s", strings.Join(CallbackTopics, ", ")))
	}
	return nil
}

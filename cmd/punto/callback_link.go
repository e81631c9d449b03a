package main

import (
	"context"
	"errors"
	"time"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/callback"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/kiosk"
	"github.com/punto-totem/punto/mediation"
	"github.com/punto-totem/punto/portal"
	"github.com/punto-totem/punto/relay"
)

// callbackDesk answers totems' asks on the portal: who is on call by
// phone in the totem's territory (the mediators' availability), and
// call-backs into the same queue as phones' (source "totem:ID").
type callbackDesk struct {
	callbacks *callback.Store
	mediation *mediation.Store
}

func (d callbackDesk) Reach(ctx context.Context, territory string) (*relay.Reach, error) {
	oc, err := d.mediation.OnCallIn(ctx, territory, time.Now())
	if err != nil {
		return nil, err
	}
	r := &relay.Reach{Territory: territory, Languages: make([]relay.ReachLang, len(oc))}
	for i, o := range oc {
		r.Languages[i] = relay.ReachLang{Language: o.Language, Now: o.Now, Hours: make([]relay.ReachHours, len(o.Week))}
		for j, sl := range o.Week {
			r.Languages[i].Hours[j] = relay.ReachHours{Weekday: sl.Weekday, From: sl.From, To: sl.To}
		}
	}
	return r, nil
}

func (d callbackDesk) Callback(ctx context.Context, territory, totem string, ask relay.CallbackAsk) error {
	_, err := d.callbacks.Create(ctx, callback.In{Number: ask.Number, Language: ask.Language, Topic: ask.Topic, Territory: territory, Source: "totem:" + totem})
	if e := portal.CallbackError(err); e != nil {
		return e
	}
	return err
}

// portalTalk is a totem's screen's way to its portal: over the totem's
// link (relay), nothing stored.
type portalTalk struct{ c *relay.Client }

func (p portalTalk) Online() bool { return p.c.Online() }

// Reach asks the portal; where the totem stands is the portal's to know.
func (p portalTalk) Reach(ctx context.Context, _ orb.Point) (*kiosk.TalkReach, error) {
	r, err := p.c.Reach(ctx)
	if err != nil {
		return nil, err
	}
	return talkReach(r), nil
}

func talkReach(r *relay.Reach) *kiosk.TalkReach {
	out := &kiosk.TalkReach{Languages: make([]kiosk.TalkLanguage, len(r.Languages))}
	for i, l := range r.Languages {
		out.Languages[i] = kiosk.TalkLanguage{Language: l.Language, Now: l.Now, Hours: make([]kiosk.TalkHours, len(l.Hours))}
		for j, h := range l.Hours {
			out.Languages[i].Hours[j] = kiosk.TalkHours(h)
		}
	}
	return out
}

func (p portalTalk) Callback(ctx context.Context, in kiosk.CallbackIn) error {
	err := p.c.Callback(ctx, relay.CallbackAsk(in))
	if errors.Is(err, relay.ErrOffline) {
		return kiosk.ErrTalkOffline
	}
	return err
}

// phoneTalk says, on the portal, who is on call by phone where a phone
// stands (the territory there); phones send their call-backs to the
// portal's own endpoint, not through this.
type phoneTalk struct {
	catalog *content.Store
	desk    callbackDesk
}

func (p phoneTalk) Online() bool { return true }

func (p phoneTalk) Reach(ctx context.Context, at orb.Point) (*kiosk.TalkReach, error) {
	in, err := p.catalog.TerritoriesAt(ctx, at)
	if err != nil || len(in) == 0 {
		return &kiosk.TalkReach{Languages: []kiosk.TalkLanguage{}}, err
	}
	r, err := p.desk.Reach(ctx, in[0].ID)
	if err != nil {
		return nil, err
	}
	return talkReach(r), nil
}

func (p phoneTalk) Callback(context.Context, kiosk.CallbackIn) error { return kiosk.ErrTalkOffline }

package relay

import (
	"context"
	"crypto/ed25519"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/internal/apierr"
)

// desk records the asks the portal's side took, and refuses a number
// that starts with 0 as the call-back queue would (400 naming it).
type desk struct {
	mu    sync.Mutex
	asked []string // territory/totem/language
}

func (d *desk) Reach(_ context.Context, territory string) (*Reach, error) {
	return &Reach{Territory: territory, Languages: []ReachLang{{Language: "ar", Now: true, Hours: []ReachHours{{Weekday: 1, From: "09:00", To: "13:00"}}}}}, nil
}

func (d *desk) Callback(_ context.Context, territory, totem string, ask CallbackAsk) error {
	if ask.Number[0] == '0' {
		return apierr.BadRequest("number", "is not a phone number")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.asked = append(d.asked, territory+"/"+totem+"/"+ask.Language)
	return nil
}

// A totem asks over its link: who is reachable in its territory, and a
// call-back, attributed by the portal to the totem and its territory; a
// refusal comes back as the portal's error; with the link down, asks
// fail at once as offline.
func TestAsksOverTheLink(t *testing.T) {
	t.Parallel()
	_, key, _ := ed25519.GenerateKey(nil)
	store := openCatalog(t, tempDB(t, "portal.db"), true)
	d := &desk{}
	hub, err := NewHub(HubConfig{Store: store, Fleet: fleetOf(t, store), Key: key, Log: quiet, Desk: d})
	if err != nil {
		t.Fatal(err)
	}
	p := startPortalHub(t, store, hub)
	c, stop := totemAt(t, p, key.Public().(ed25519.PublicKey), "totem-ancona", &screen{}, time.Minute)
	waitFor(t, "the link welcomed", c.Online)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := c.Reach(ctx)
	if err != nil || r.Territory != "ats-11-ancona" || len(r.Languages) != 1 || !r.Languages[0].Now {
		t.Fatalf("reach: %+v %v", r, err)
	}
	if err := c.Callback(ctx, CallbackAsk{Number: "+393331112233", Language: "ar", Topic: "health"}); err != nil {
		t.Fatal(err)
	}
	d.mu.Lock()
	got := d.asked
	d.mu.Unlock()
	if len(got) != 1 || got[0] != "ats-11-ancona/totem-ancona/ar" {
		t.Errorf("the desk took %v", got)
	}
	var e *apierr.Error
	if err := c.Callback(ctx, CallbackAsk{Number: "0123", Language: "ar", Topic: "health"}); !errors.As(err, &e) || e.Status != 400 || e.Field != "number" {
		t.Errorf("a refused call-back: %v", err)
	}
	// A totem asking past maxAsks a minute is refused (429).
	refused := 0
	for range maxAsks {
		if _, err := c.Reach(ctx); errors.As(err, &e) && e.Status == 429 {
			refused++
		}
	}
	if refused == 0 {
		t.Errorf("%d asks in a minute, none refused", maxAsks+3)
	}
	stop()
	if _, err := c.Reach(ctx); !errors.Is(err, ErrOffline) {
		t.Errorf("with the link down: %v", err)
	}
}

// An answer counts only signed by the portal's key under its own
// context, for this connection, before it expires.
func TestAnswerChecks(t *testing.T) {
	t.Parallel()
	pub, key, _ := ed25519.GenerateKey(nil)
	_, other, _ := ed25519.GenerateKey(nil)
	now := time.Now()
	a := answerMsg{Nonce: "N1", ID: "a", Expires: now.Add(time.Minute), Status: 202}
	good, err := signAnswer(key, a)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := openAnswer(pub, "N1", good[1:], now); err != nil || got.Status != 202 {
		t.Fatalf("a good answer: %+v %v", got, err)
	}
	tampered := append([]byte{}, good...)
	tampered[len(tampered)-2] ^= 1
	forged, _ := signAnswer(other, a)
	late := a
	late.Expires = now.Add(-time.Second)
	expired, _ := signAnswer(key, late)
	payload := good[1+ed25519.SignatureSize:]
	feedSigned := feed.Sign(key, payload) // a feed signature over the same bytes
	for name, frame := range map[string][]byte{"tampered": tampered[1:], "forged": forged[1:], "expired": expired[1:], "feed-signed": feedSigned, "short": good[1:10]} {
		if _, err := openAnswer(pub, "N1", frame, now); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := openAnswer(pub, "N2", good[1:], now); err == nil {
		t.Error("an answer for another connection: accepted")
	}
}

package portal

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/callback"
	"github.com/punto-totem/punto/internal/browsertest"
)

// TestPhoneCallback: on a phone reaching the portal, in Arabic, a visitor
// opens a list of services, asks to talk to someone in their language,
// types a number, picks a topic by its pictogram and sends: the request is
// in the queue of the territory where the phone stands when it says thanks.
func TestPhoneCallback(t *testing.T) {
	t.Parallel()
	st := euiStore(t)
	ctx := context.Background()
	ed := edOf(t, st, nil)
	key, err := callback.LoadOrCreateKey(filepath.Join(t.TempDir(), "callback.key"))
	if err != nil {
		t.Fatal(err)
	}
	cs, err := callback.Open(ctx, callback.Config{Editorial: ed, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	base := euiListen(t, st, func(app *fiber.App) error {
		return Mount(app, Config{Editorial: ed, Totems: fleetOf(t, st), Publisher: &euiPublisher{st: st}, Log: log, Callbacks: cs})
	})
	admin, err := ed.AccountByName(ctx, euiAdmin)
	if err != nil {
		t.Fatal(err)
	}
	phone := browsertest.Start(t, 390, 844, 180*time.Second)
	browsertest.SetLanguage(t, phone, "ar")
	shown := func(name string) chromedp.Action {
		return browsertest.Visible(`body[data-screen="` + name + `"] main > .page > *`)
	}
	euiMust(t, phone, chromedp.Navigate(base+"/"), shown("home"), browsertest.Click("#lang"), shown("languages"),
		browsertest.Click(`.lang[lang="ar"]`), shown("home"),
		browsertest.Click(`.tile[data-category="mediation"]`), shown("results"), browsertest.Visible("#talk"))
	if dir := euiEval[string](t, phone, `document.documentElement.dir`); dir != "rtl" {
		t.Errorf("page direction %q", dir)
	}
	euiScroll(t, phone, "#talk")
	euiMust(t, phone, browsertest.Click("#talk"), browsertest.Visible("#callback-number"))
	euiAxe(t, phone, "the call-back form in Arabic")
	euiNoSidewaysScroll(t, phone, "the call-back form")
	// Sent without a topic: the form asks for one and sends nothing.
	euiType(t, phone, "#callback-number", "+39 333 765 4321")
	euiMust(t, phone, browsertest.Click("#callback-send"))
	euiWait(t, phone, "the topic asked for", `document.querySelector(".callback-status").textContent.length > 0`)
	if list, _ := cs.List(ctx, admin); len(list) != 0 {
		t.Fatalf("sent without a topic: %+v", list)
	}
	euiMust(t, phone, browsertest.Click(`input[name="callback-topic"][value="health"]`), browsertest.Click("#callback-send"))
	euiWait(t, phone, "the thanks", `!!document.querySelector(".callback-done")`)
	// The thanks comes once the portal has queued it: it is there now.
	list, err := cs.List(ctx, admin)
	if err != nil || len(list) != 1 {
		t.Fatalf("the call-back is not in the queue when the phone says thanks: %v %v", list, err)
	}
	if c := list[0]; c.Number != "+393337654321" || c.Language != "ar" || c.Topic != "health" || c.Territory != "ats-11-ancona" || c.Source != "phone" {
		t.Errorf("call-back %+v", c)
	}
	if v := euiEval[int](t, phone, `document.querySelectorAll("#callback-number").length`); v != 0 {
		t.Error("the number is still on screen")
	}
	euiAxe(t, phone, "the call-back sent")
	euiShot(t, phone, "phone-callback-ar")
}

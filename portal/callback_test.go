package portal

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/callback"
	"github.com/punto-totem/punto/internal/testenv"
)

func TestCallbackAPI(t *testing.T) {
	t.Parallel()
	st := demoStore(t)
	e := &env{t: t, app: fiber.New(), st: st, pub: &recorder{st: st}, clock: testenv.NewClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))}
	ed := edOf(t, st, e.clock.Now)
	key, err := callback.LoadOrCreateKey(filepath.Join(t.TempDir(), "callback.key"))
	if err != nil {
		t.Fatal(err)
	}
	cs, err := callback.Open(context.Background(), callback.Config{Editorial: ed, Key: key, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	if err := Mount(e.app, Config{Editorial: ed, Totems: fleetOf(t, st), Publisher: e.pub, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: e.clock.Now,
		Callbacks: cs, CallbackPerAddress: 6}); err != nil {
		t.Fatal(err)
	}
	for _, u := range [][3]string{{coordPG, "coordinator", "zona-2-perugia"}, {editorName, "editor", anconaTerritory}} {
		if err := addUser(t, st, u[0], u[1], []string{u[2]}, coordPass); err != nil {
			t.Fatal(err)
		}
	}
	phone := e.anon()
	ask := func(number string) *resp {
		return phone.do("POST", CallbackPath, map[string]any{"number": number, "language": "ar", "topic": "health", "territory": "zona-2-perugia"})
	}
	if r := phone.do("POST", CallbackPath, map[string]any{"number": "+39 333 1234567", "language": "xx", "topic": "health", "territory": "zona-2-perugia"}); r.status != 400 || r.field() != "language" {
		t.Errorf("bad language: %d %s", r.status, r.raw)
	}
	if r := phone.do("POST", CallbackPath, map[string]any{"number": "+39 333 1234567", "language": "ar", "topic": "health", "territory": "zona-2-perugia"}, "Origin", "https://elsewhere.example"); r.status != 403 {
		t.Errorf("from another origin: %d %s", r.status, r.raw)
	}
	for i := 0; i < 3; i++ {
		if r := ask("+39 333 1234567"); r.status != 202 {
			t.Fatalf("call-back %d: %d %s", i+1, r.status, r.raw)
		}
	}
	if r := ask("+39 333 1234567"); r.status != 429 || r.header.Get("Retry-After") == "" {
		t.Errorf("a fourth for the number: %d %s", r.status, r.raw)
	}
	if r := ask("+39 333 7654321"); r.status != 202 {
		t.Errorf("another number: %d %s", r.status, r.raw)
	}
	// The address has asked 6 times (the refused ones count): the next is
	// refused whatever the number.
	if r := ask("+39 333 0000001"); r.status != 429 {
		t.Errorf("past the address limit: %d %s", r.status, r.raw)
	}
	pg := e.login(coordPG, coordPass)
	r := pg.do("GET", "/editor/api/callbacks", nil)
	list, _ := r.json["callbacks"].([]any)
	if r.status != 200 || len(list) != 4 || at(list, 0, "number") != "+393331234567" {
		t.Fatalf("queue: %d %s", r.status, r.raw)
	}
	if r := e.login(editorName, coordPass).do("GET", "/editor/api/callbacks", nil); r.status != 403 {
		t.Errorf("an editor's queue: %d %s", r.status, r.raw)
	}
	if r := pg.do("POST", fmt.Sprintf("/editor/api/callbacks/%v/done", at(list, 0, "id")), nil); r.status != 200 {
		t.Errorf("done: %d %s", r.status, r.raw)
	}
	if r := pg.do("GET", "/editor/api/callbacks", nil); len(r.json["callbacks"].([]any)) != 3 {
		t.Errorf("after done: %s", r.raw)
	}
	if r := pg.do("POST", "/editor/api/callbacks/999/done", nil); r.status != 404 {
		t.Errorf("done twice: %d", r.status)
	}
}

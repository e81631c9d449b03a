package callback_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/punto-totem/punto/callback"
	"github.com/punto-totem/punto/editorial"
	"github.com/punto-totem/punto/internal/testenv"
	"github.com/punto-totem/punto/mediation"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// The number a visitor types, as it would appear in a file if stored in
// clear (digits only, and as typed).
const typed, digits = "+39 333 123 4567", "+393331234567"

func TestCallbackQueue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testenv.DemoStore(t)
	clock := testenv.NewClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	ed, err := editorial.Open(ctx, editorial.Config{Catalog: st, Now: clock.Now, HashCost: &editorial.HashCost{MemoryKiB: 64, Passes: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer ed.Close()
	ms, err := mediation.Open(ctx, mediation.Config{Editorial: ed, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer ms.Close()
	keyPath := filepath.Join(t.TempDir(), "callback.key")
	key, err := callback.LoadOrCreateKey(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(keyPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v %v", fi.Mode(), err)
	}
	cs, err := callback.Open(ctx, callback.Config{Editorial: ed, Mediation: ms, Key: key, Now: clock.Now, Retention: 72 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	acct := func(name, role string, terr ...string) *editorial.Account {
		a, err := ed.CreateAccount(ctx, "test", name, role, terr, "a long password 1")
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	pg := acct("coord.pg@example.org", "coordinator", "zona-2-perugia")
	tr := acct("coord.tr@example.org", "coordinator", "zona-10-terni")
	ar := acct("amina@example.org", "mediator")
	pa := acct("harpreet@example.org", "mediator")
	for _, m := range []mediation.Mediator{
		{Name: "Amina", Email: ar.Name, Languages: []string{"ar"}, Territories: []string{"zona-2-perugia"}, Modes: []string{"phone"}, Active: true},
		{Name: "Harpreet", Email: pa.Name, Languages: []string{"pa"}, Territories: []string{"zona-2-perugia"}, Modes: []string{"phone"}, Active: true},
	} {
		if _, err := ms.SaveMediator(ctx, pg, m); err != nil {
			t.Fatal(err)
		}
	}

	for _, tc := range []struct {
		name, field string
		in          callback.In
	}{
		{"letters", "number", callback.In{Number: "call me", Language: "ar", Topic: "health", Territory: "zona-2-perugia"}},
		{"too short", "number", callback.In{Number: "12345", Language: "ar", Topic: "health", Territory: "zona-2-perugia"}},
		{"language", "language", callback.In{Number: typed, Language: "arabic", Topic: "health", Territory: "zona-2-perugia"}},
		{"topic", "topic", callback.In{Number: typed, Language: "ar", Topic: "tax", Territory: "zona-2-perugia"}},
		{"territory", "territory", callback.In{Number: typed, Language: "ar", Topic: "health", Territory: "nowhere"}},
	} {
		var fe *callback.FieldError
		if _, err := cs.Create(ctx, tc.in); !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("%s: %v, want a refusal of %s", tc.name, err, tc.field)
		}
	}
	in := callback.In{Number: typed, Language: "ar", Topic: "health", Territory: "zona-2-perugia", Source: "totem:perugia-1"}
	id, err := cs.Create(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	// The coordinator of Perugia and the Arabic mediator see it, with the
	// number; Terni's coordinator and the Punjabi mediator do not.
	for _, c := range []struct {
		who  *editorial.Account
		want int
	}{{pg, 1}, {ar, 1}, {tr, 0}, {pa, 0}} {
		list, err := cs.List(ctx, c.who)
		if err != nil || len(list) != c.want {
			t.Errorf("%s sees %d (%v), want %d", c.who.Name, len(list), err, c.want)
		}
		if c.want == 1 && list[0].Number != digits {
			t.Errorf("number %q", list[0].Number)
		}
	}
	if err := cs.Done(ctx, tr, id); !errors.Is(err, callback.ErrForbidden) {
		t.Errorf("Terni closes it: %v", err)
	}
	// Three a day per number: the fourth is refused, whoever types it how.
	for i, n := range []string{"+39 333-123-4567", "+39.333.123.4567"} {
		in.Number = n
		if _, err := cs.Create(ctx, in); err != nil {
			t.Fatalf("request %d: %v", i+2, err)
		}
	}
	in.Number = digits
	var le *callback.LimitError
	if _, err := cs.Create(ctx, in); !errors.As(err, &le) || le.Wait <= 0 || le.Wait > 24*time.Hour {
		t.Errorf("a fourth request: %v", err)
	}
	if err := cs.Done(ctx, ar, id); err != nil {
		t.Fatal(err)
	}
	if list, _ := cs.List(ctx, pg); len(list) != 2 {
		t.Errorf("%d left after one closed", len(list))
	}
	// Past the retention the rest go; the count stays; nothing of the
	// number is left in the file or its log.
	clock.Add(73 * time.Hour)
	if n, err := cs.Purge(ctx); err != nil || n != 2 {
		t.Errorf("purged %d: %v", n, err)
	}
	if _, err := cs.Create(ctx, in); err != nil {
		t.Errorf("a new day: %v", err)
	}
	if n, err := cs.Purge(ctx); err != nil || n != 0 {
		t.Errorf("purged %d: %v", n, err)
	}
	counts, err := cs.Counts(ctx, "2026-12-01", "2026-12-31")
	if err != nil || len(counts) != 2 || counts[0].N != 3 || counts[1].N != 1 {
		t.Errorf("counts %+v %v", counts, err)
	}
	for _, f := range []string{st.Path(), st.Path() + "-wal"} {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, s := range []string{digits, "3331234567", typed} {
			if bytes.Contains(raw, []byte(s)) {
				t.Errorf("%s holds the number %q in clear", filepath.Base(f), s)
			}
		}
	}
	// Another key opens nothing.
	other, _ := callback.NewKey(bytes.Repeat([]byte{7}, 32))
	cs2, err := callback.Open(ctx, callback.Config{Editorial: ed, Key: other, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer cs2.Close()
	if _, err := cs2.List(ctx, pg); err == nil {
		t.Error("the numbers open with another key")
	}
}

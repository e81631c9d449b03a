package editorial

import (
	"context"
	"strings"
	"testing"

	"github.com/punto-totem/punto/fleet"
	"github.com/punto-totem/punto/internal/testenv"
)

const anconaTerritory = "ats-11-ancona"

func TestMain(m *testing.M) { testenv.Main(m) }

// newStore is an editorial store on a fresh copy of the demo catalog,
// with cheap password hashes.
func newStore(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	st := testenv.DemoStore(t)
	fl, err := fleet.Open(ctx, st.Path())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fl.Close() })
	ed, err := Open(ctx, Config{Catalog: st, Totems: fl, HashCost: &HashCost{MemoryKiB: 64, Passes: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ed.Close() })
	return ed
}

func TestCommandLineUsers(t *testing.T) {
	t.Parallel()
	ed := newStore(t)
	ctx := context.Background()
	if _, err := ed.CreateAccount(ctx, "command line", "admin@example.org", "admin", nil, "admin password 1"); err != nil {
		t.Fatal(err)
	}
	if _, err := ed.CreateAccount(ctx, "command line", "anna", "editor", []string{anconaTerritory}, "anna's password"); err != nil {
		t.Fatal(err)
	}
	if _, err := ed.CreateAccount(ctx, "command line", "bruno@example.org", "editor", []string{"zona-2-perugia"}, "bruno's password"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, role, pass string
		terr             []string
		err              string
	}{
		{"x@example.org", "editor", "long enough password", nil, "at least one territory"},
		{"x@example.org", "editor", "short", []string{anconaTerritory}, "at least 12"},
		{"x@example.org", "boss", "long enough password", nil, "is not one of admin, editor"},
		{"anna", "admin", "long enough password", nil, "exists already"},
	} {
		_, err := ed.CreateAccount(ctx, "command line", tt.name, tt.role, tt.terr, tt.pass)
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("CreateAccount(%s, %s): %v, want %q", tt.name, tt.role, err, tt.err)
		}
	}
	users, err := ed.Accounts(ctx)
	if err != nil || len(users) != 3 || users[1].Name != "anna" || users[1].Territories[0] != anconaTerritory {
		t.Fatalf("users %+v %v", users, err)
	}
	if err := ed.DisableUser(ctx, "command line", "ANNA"); err != nil {
		t.Fatal(err)
	}
	if err := ed.DisableUser(ctx, "command line", "nobody"); err == nil {
		t.Error("disabling nobody")
	}
	users, _ = ed.Accounts(ctx)
	if !users[1].Disabled {
		t.Errorf("anna not disabled")
	}
}

func TestPasswordHash(t *testing.T) {
	t.Parallel()
	s := &Store{hash: DefaultHashCost}
	h, err := s.hashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("PHC string %q", h)
	}
	for _, tt := range []struct {
		pw   string
		want bool
	}{{"correct horse battery staple", true}, {"correct horse battery stapl", false}, {"", false}} {
		if ok, err := verifyPassword(h, tt.pw); ok != tt.want || err != nil {
			t.Errorf("verify %q: %v %v", tt.pw, ok, err)
		}
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA", "$argon2id$v=19$m=1,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA", strings.Replace(h, "$v=19", "$v=16", 1)} {
		if ok, err := verifyPassword(bad, "x"); ok || err == nil {
			t.Errorf("malformed %q accepted", bad)
		}
	}
	if h2, _ := s.hashPassword("correct horse battery staple"); h2 == h {
		t.Error("no salt")
	}
	a, b := GeneratePassword(), GeneratePassword()
	if len(a) < 20 || a == b || CheckPassword(a) != nil {
		t.Errorf("generated %q %q", a, b)
	}
	for _, tt := range []struct {
		pw string
		ok bool
	}{{"elevenchars", false}, {"twelve chars", true}, {"àèìòùàèìòùàè", true}, {strings.Repeat("x", 257), false}} {
		if err := CheckPassword(tt.pw); (err == nil) != tt.ok {
			t.Errorf("policy on %q: %v", tt.pw, err)
		}
	}
}

package fleet

import (
	"context"
	"errors"
	"testing"

	"github.com/paulmach/orb"
)

func TestTotemTokens(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	tok, err := s.AddTotem(ctx, "ancona-1", "Ancona, municipio", orb.Point{13.5, 43.6})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthenticateTotem(ctx, "ancona-1", tok); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]string{{"ancona-1", tok + "x"}, {"ancona-2", tok}, {"ancona-1", ""}} {
		if _, err := s.AuthenticateTotem(ctx, c[0], c[1]); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("%v: %v", c, err)
		}
	}
	if err := s.RevokeTotem(ctx, "ancona-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthenticateTotem(ctx, "ancona-1", tok); !errors.Is(err, ErrUnauthorized) {
		t.Fatal("a revoked token still works")
	}
	if _, err := s.AddTotem(ctx, "bad id", "", orb.Point{13, 43}); err == nil {
		t.Fatal("bad id accepted")
	}
	ts, _ := s.Totems(ctx)
	if len(ts) != 1 || !ts[0].Revoked {
		t.Fatalf("totems: %+v", ts)
	}
}

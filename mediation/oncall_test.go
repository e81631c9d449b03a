package mediation_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/mediation"
)

// Who is on call by phone in Perugia, per language: only active phone
// mediators of the territory, their weekly windows merged, and whether
// one is on call at the moment asked about.
func TestOnCallIn(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.setup()
	ctx := context.Background()
	if _, err := w.ms.SaveMediator(ctx, w.pg, mediation.Mediator{Name: "Afternoons (demo)", Email: "pm@example.org", Languages: []string{"pa"}, Territories: []string{perugia},
		Modes: []string{"phone"}, Active: true, Week: []mediation.Slot{{Weekday: 2, From: "12:00", To: "15:00"}, {Weekday: 4, From: "16:00", To: "18:00"}}}); err != nil {
		t.Fatal(err)
	}
	tuesday := time.Date(2026, 12, 1, 14, 30, 0, 0, content.Rome)
	got, err := w.ms.OnCallIn(ctx, perugia, tuesday)
	if err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprint(got); s != "[{hi false [{2 09:00 13:00}]} {pa true [{2 09:00 15:00} {4 16:00 18:00}]}]" {
		t.Errorf("on call in Perugia on Tuesday at 14:30: %s", s)
	}
	if got, _ := w.ms.OnCallIn(ctx, perugia, tuesday.AddDate(0, 0, -1)); len(got) != 2 || got[1].Now {
		t.Errorf("on Monday: %v", got)
	}
	if got, _ := w.ms.OnCallIn(ctx, terni, tuesday); len(got) != 0 {
		t.Errorf("Terni has no phone mediator: %v", got)
	}
}

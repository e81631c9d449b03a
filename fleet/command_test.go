package fleet

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/punto-totem/punto/content"
)

func TestCommandDelivery(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	cmd := &Command{ID: NewCommandID(), Action: CommandReload, Totems: []string{"t1", "t2"}}
	if err := s.AddCommand(ctx, cmd, "admin", time.Now().Add(time.Minute), []byte("signed")); err != nil {
		t.Fatal(err)
	}
	old := &Command{ID: NewCommandID(), Action: CommandReload, Totems: []string{"t1"}}
	if err := s.AddCommand(ctx, old, "admin", time.Now().Add(-time.Minute), []byte("lapsed")); err != nil {
		t.Fatal(err)
	}
	ids, signed, err := s.PendingCommands(ctx, "t1", time.Now())
	if err != nil || !slices.Equal(ids, []string{cmd.ID}) || string(signed[0]) != "signed" {
		t.Fatalf("pending for t1: %v %q %v", ids, signed, err)
	}
	if ids, _, _ := s.PendingCommands(ctx, "t3", time.Now()); len(ids) != 0 {
		t.Fatalf("a command for t1 and t2 is pending for t3: %v", ids)
	}
	for _, step := range []struct{ totem, state string }{{"t1", "sent"}, {"t1", "done"}, {"t2", "refused"}, {"t1", "sent"}, {"t3", "done"}} {
		if err := s.CommandReported(ctx, cmd.ID, step.totem, step.state, "because"); err != nil {
			t.Fatal(err)
		}
	}
	if ids, _, _ := s.PendingCommands(ctx, "t1", time.Now()); len(ids) != 0 {
		t.Fatalf("a command carried out is still pending: %v", ids)
	}
	list, err := s.Commands(ctx, 10)
	if err != nil || len(list) != 2 {
		t.Fatalf("commands: %+v %v", list, err)
	}
	states := map[string]string{}
	for _, r := range list {
		for _, tg := range r.Targets {
			states[r.ID+"/"+tg.Totem] = tg.State
		}
	}
	want := map[string]string{cmd.ID + "/t1": "done", cmd.ID + "/t2": "refused", old.ID + "/t1": "expired"}
	for k, v := range want {
		if states[k] != v {
			t.Errorf("%s: %s, want %s (all: %v)", k, states[k], v, states)
		}
	}
	if len(states) != 3 {
		t.Errorf("a totem the command does not name got a state: %v", states)
	}

	// On a totem: a command is carried out once.
	exp := time.Now().Add(time.Minute)
	for i, want := range []bool{false, true, true} {
		already, err := s.CommandSeen(ctx, "cmd-x", exp)
		if err != nil || already != want {
			t.Fatalf("seen #%d: %v %v, want %v", i, already, err, want)
		}
	}
}

func TestCommandValidate(t *testing.T) {
	ok := Command{ID: "cmd-1", Action: CommandMessage, Totems: []string{"t1"}, Text: content.Text{"it": "Chiuso alle 18"}, Minutes: 10}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		edit  func(*Command)
		field string
	}{
		{"no totem", func(c *Command) { c.Totems = nil }, "totems"},
		{"bad totem", func(c *Command) { c.Totems = []string{"t 1"} }, "totems"},
		{"unknown action", func(c *Command) { c.Action = "format-disk" }, "action"},
		{"no text", func(c *Command) { c.Text = nil }, "text"},
		{"no minutes", func(c *Command) { c.Minutes = 0 }, "minutes"},
		{"a day and more", func(c *Command) { c.Minutes = MaxCommandMinutes + 1 }, "minutes"},
		{"reload with text", func(c *Command) { c.Action = CommandReload }, "action"},
		{"bad id", func(c *Command) { c.ID = "" }, "id"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := ok
			cmd.Totems = slices.Clone(ok.Totems)
			c.edit(&cmd)
			var ve *content.ValidationError
			if err := cmd.Validate(); !errors.As(err, &ve) || ve.Field != c.field {
				t.Fatalf("got %v, want an error on %s", err, c.field)
			}
		})
	}
}

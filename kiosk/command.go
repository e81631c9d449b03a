package kiosk

import (
	"fmt"
	"sync"
	"time"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/fleet"
)

// operatorMessage is a message the portal ordered shown on this screen
// for some minutes. It lives in memory only: a restart clears it.
type operatorMessage struct {
	mu    sync.Mutex
	id    string
	text  content.Text
	until time.Time
}

func (m *operatorMessage) set(id string, text content.Text, until time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.id, m.text, m.until = id, text, until
}

// at returns the message in force at the moment at, if any.
func (m *operatorMessage) at(at time.Time) (id string, text content.Text, until time.Time, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.id == "" || !at.Before(m.until) {
		return "", nil, time.Time{}, false
	}
	return m.id, m.text, m.until, true
}

// Command carries out a command from the portal on this node's screens:
// reload them, or show a message for some minutes. (A restart is the
// process's business, not the screen's.)
func (s *Server) Command(cmd fleet.Command) error {
	switch cmd.Action {
	case fleet.CommandReload:
		s.live.send("command", map[string]string{"action": cmd.Action, "id": cmd.ID})
	case fleet.CommandMessage:
		s.message.set(cmd.ID, cmd.Text, time.Now().Add(time.Duration(cmd.Minutes)*time.Minute))
		s.live.send("command", map[string]string{"action": cmd.Action, "id": cmd.ID})
	default:
		return fmt.Errorf("kiosk: the screen cannot %s", cmd.Action)
	}
	s.cfg.Log.Info("command carried out on the screens", "id", cmd.ID, "action", cmd.Action, "screens", s.live.count())
	return nil
}

package content

import (
	"slices"
	"time"
)

// Command is an order from the portal to the totems it names, signed like
// the feed's batches and valid until its envelope expires. It is defined
// here, beside the Envelope that carries it and checks it when a totem
// opens one. The fleet package (punto/fleet) gives commands their IDs,
// encodes them and keeps their records.
type Command struct {
	ID     string    `json:"id"`
	Action string    `json:"action"` // reload, message or restart
	Totems []string  `json:"totems"`
	Issued time.Time `json:"issued"`
	// A message shows on the screen for Minutes, in the visitor's language
	// when Text has it.
	Text    Text `json:"text,omitempty"`
	Minutes int  `json:"minutes,omitempty"`
}

// The command actions.
const (
	CommandReload  = "reload"  // reload the screen (it starts afresh at the attract screen)
	CommandMessage = "message" // show a message on the screen now, for some minutes
	CommandRestart = "restart" // restart the service: it exits cleanly and its supervisor starts it
)

// MaxCommandMinutes bounds how long a message shows.
const MaxCommandMinutes = 24 * 60

// Validate checks a command before it is signed, and again when a totem
// opens it.
func (c *Command) Validate() error {
	if !ValidID(c.ID) {
		return invalid("id", "%q is not a valid id", c.ID)
	}
	if len(c.Totems) == 0 {
		return invalid("totems", "names no totem")
	}
	for i, id := range c.Totems {
		if !ValidID(id) {
			return invalid("totems", "totems[%d]: %q is not a valid id", i, id)
		}
	}
	switch c.Action {
	case CommandReload, CommandRestart:
		if len(c.Text) > 0 || c.Minutes != 0 {
			return invalid("action", "a %s command carries no text or minutes", c.Action)
		}
	case CommandMessage:
		if err := validText("text", c.Text, true); err != nil {
			return err
		}
		if c.Minutes < 1 || c.Minutes > MaxCommandMinutes {
			return invalid("minutes", "must be between 1 and %d", MaxCommandMinutes)
		}
	default:
		return invalid("action", "%q is not reload, message or restart", c.Action)
	}
	return nil
}

// For reports whether the command names the totem id.
func (c *Command) For(id string) bool { return slices.Contains(c.Totems, id) }

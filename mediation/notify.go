package mediation

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/punto-totem/punto/editorial"
	"github.com/punto-totem/punto/mail"
)

// summary is a request in a few lines in lang, without its notes: mail
// is no place for them.
func summary(r *Request, lang string) string {
	where := r.Address
	if r.Mode != ModeInPerson {
		where = r.Mode
	}
	w := func(key string) string { return word(lang, key) }
	lines := []string{
		fmt.Sprintf("%s: %s", w("body"), r.OrgName),
		fmt.Sprintf("%s: %s", w("language"), r.Language),
		fmt.Sprintf("%s: %s %s–%s (%.1f h)", w("when"), r.Date, r.From, r.To, r.Duration),
		fmt.Sprintf("%s: %s (%s)", w("where"), where, r.Territory),
		fmt.Sprintf("%s: %s, %s", w("topic"), r.Topic, r.Urgency),
		fmt.Sprintf("%s: %s", w("state"), r.State),
	}
	if r.MediatorName != "" {
		lines = append(lines, w("mediator_is")+": "+r.MediatorName)
	}
	return strings.Join(lines, "\n")
}

// notify writes the mails an event causes to the outbox, inside tx.
// formerMediator is the address of the mediator the request had before
// the change, who is told when it is withdrawn from them.
func (s *Store) notify(ctx context.Context, tx *sql.Tx, r *Request, event string, formerMediator ...string) error {
	o := s.cfg.Outbox
	if o == nil {
		return nil
	}
	send := func(to, key string, att mail.Attachment) error {
		if mail.CheckAddress(to) != nil {
			return nil // a login that is no address (an admin's): nobody to tell
		}
		langs, err := mailLangs(ctx, tx, to)
		if err != nil {
			return err
		}
		subject, text := compose(langs, func(l string) string { return fmt.Sprintf(word(l, key), r.ID) }, func(l string) string {
			body := fmt.Sprintf(word(l, key), r.ID) + "\n\n" + summary(r, l)
			if s.cfg.PortalURL != "" {
				body += fmt.Sprintf("\n\n%s:\n%s#/mediation/requests/%d", word(l, "open"), s.cfg.PortalURL, r.ID)
			}
			return body
		})
		return o.EnqueueTx(ctx, tx, mail.Message{To: to, Subject: subject, Text: text, Attachment: att})
	}
	ics := func(cancel bool, to string) mail.Attachment {
		return mail.Attachment{Name: "mediazione.ics", ContentType: "text/calendar; charset=utf-8; method=" + map[bool]string{true: "CANCEL", false: "REQUEST"}[cancel],
			Data: invitation(r, o.From(), to, cancel)}
	}
	former := ""
	if len(formerMediator) > 0 {
		former = formerMediator[0]
	}
	switch event {
	case "received":
		if err := send(r.Requester, "received", mail.Attachment{}); err != nil {
			return err
		}
		coords, err := s.coordinators(ctx, r.Territory)
		if err != nil {
			return err
		}
		for _, c := range coords {
			if err := send(c, "new", mail.Attachment{}); err != nil {
				return err
			}
		}
	case "assigned", "rescheduled":
		if err := send(r.Requester, event, mail.Attachment{}); err != nil {
			return err
		}
		if former != "" && former != r.mediatorTo {
			if err := send(former, "withdrawn", ics(true, former)); err != nil {
				return err
			}
		}
		if r.mediatorTo != "" {
			return send(r.mediatorTo, "mediator", ics(false, r.mediatorTo))
		}
	case "confirmed":
		return send(r.Requester, "confirmed", mail.Attachment{})
	case "cancelled", "declined":
		if err := send(r.Requester, event, mail.Attachment{}); err != nil {
			return err
		}
		if r.mediatorTo != "" {
			return send(r.mediatorTo, "withdrawn", ics(true, r.mediatorTo))
		}
	}
	return nil
}

// coordinators lists the addresses of the active coordinators of a
// territory.
func (s *Store) coordinators(ctx context.Context, territory string) ([]string, error) {
	accts, err := s.ed.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, a := range accts {
		if a.Role == editorial.RoleCoordinator && !a.Disabled && slices.Contains(a.Territories, territory) {
			out = append(out, a.Name)
		}
	}
	return out, nil
}

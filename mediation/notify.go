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

// subjects of the mails, in Italian and English, by event.
var subjects = map[string]string{
	"received":    "Richiesta di mediazione n. %d ricevuta / Mediation request %d received",
	"new":         "Nuova richiesta di mediazione n. %d / New mediation request %d",
	"assigned":    "Mediatore assegnato alla richiesta n. %d / Mediator assigned to request %d",
	"confirmed":   "Mediazione n. %d confermata / Mediation %d confirmed",
	"cancelled":   "Richiesta di mediazione n. %d annullata / Mediation request %d cancelled",
	"declined":    "Richiesta di mediazione n. %d non accolta / Mediation request %d declined",
	"rescheduled": "Richiesta di mediazione n. %d spostata / Mediation request %d rescheduled",
	"mediator":    "Incarico di mediazione n. %d / Mediation assignment %d",
	"withdrawn":   "Incarico di mediazione n. %d annullato / Mediation assignment %d withdrawn",
}

// summary is a request in a few lines, without its notes: mail is no
// place for them.
func summary(r *Request) string {
	where := r.Address
	if r.Mode != ModeInPerson {
		where = r.Mode
	}
	lines := []string{
		fmt.Sprintf("Ente / Body: %s", r.OrgName),
		fmt.Sprintf("Lingua / Language: %s", r.Language),
		fmt.Sprintf("Quando / When: %s %s–%s (%.1f h)", r.Date, r.From, r.To, r.Duration),
		fmt.Sprintf("Dove / Where: %s (%s)", where, r.Territory),
		fmt.Sprintf("Tema / Topic: %s, %s", r.Topic, r.Urgency),
		fmt.Sprintf("Stato / State: %s", r.State),
	}
	if r.MediatorName != "" {
		lines = append(lines, "Mediatore / Mediator: "+r.MediatorName)
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
	link := ""
	if s.cfg.PortalURL != "" {
		link = fmt.Sprintf("\n\n%s#/mediation/requests/%d", s.cfg.PortalURL, r.ID)
	}
	send := func(to, key string, att mail.Attachment) error {
		if mail.CheckAddress(to) != nil {
			return nil // a login that is no address (an admin's): nobody to tell
		}
		subject := fmt.Sprintf(subjects[key], r.ID, r.ID)
		return o.EnqueueTx(ctx, tx, mail.Message{To: to, Subject: subject, Text: subject + "\n\n" + summary(r) + link, Attachment: att})
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

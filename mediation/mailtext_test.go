package mediation_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/punto-totem/punto/mediation"
)

// Mail comes in the language its address reads: a mediator's
// mail_language, a requester's language; Italian and English, one after
// the other, for an address with none. An unknown one is refused naming
// the field, and nothing is written.
func TestMailLanguages(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	right, org, _ := w.setup()
	right.MailLanguage = "de"
	if _, err := w.ms.SaveMediator(ctx, w.pg, *right); !isField(err, "mail_language") {
		t.Errorf("mail in German: %v", err)
	}
	right.MailLanguage = "en"
	if _, err := w.ms.SaveMediator(ctx, w.pg, *right); err != nil {
		t.Fatal(err)
	}
	if m, err := w.ms.Mediator(ctx, w.pg, right.ID); err != nil || m.MailLanguage != "en" {
		t.Fatalf("the mediator's mail language: %+v %v", m, err)
	}
	r, err := w.ms.CreateRequest(ctx, w.rq, punjabiTuesday())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.ms.Assign(ctx, w.pg, r.ID, right.ID, 0, false); err != nil {
		t.Fatal(err)
	}
	got := w.outbox()
	want := []string{
		fmt.Sprintf("%s|Richiesta di mediazione n. %d ricevuta / Mediation request %d received", w.rq.Name, r.ID, r.ID),
		fmt.Sprintf("%s|Nuova richiesta di mediazione n. %d / New mediation request %d", w.pg.Name, r.ID, r.ID),
		fmt.Sprintf("%s|Mediatore assegnato alla richiesta n. %d / Mediator assigned to request %d", w.rq.Name, r.ID, r.ID),
		fmt.Sprintf("%s|Mediation assignment %d", w.med.Name, r.ID),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("mails:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err := w.ms.SetMailLanguage(ctx, w.pg, w.rq.Name, "xx"); !isField(err, "language") {
		t.Errorf("an unknown language: %v", err)
	}
	if err := w.ms.SetMailLanguage(ctx, w.rq, w.rq.Name, "en"); err == nil {
		t.Error("a requester sets mail languages")
	}
	if err := w.ms.SetMailLanguage(ctx, w.pg, w.rq.Name, "it"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ms.Cancel(ctx, w.pg, r.ID); err != nil {
		t.Fatal(err)
	}
	got = w.outbox()
	if last := got[len(got)-2]; last != fmt.Sprintf("%s|Richiesta di mediazione n. %d annullata", w.rq.Name, r.ID) {
		t.Errorf("the requester's mail in Italian: %q", last)
	}
	// An invitation in English, and no mail for a language nobody reads.
	if _, err := w.ms.Invite(ctx, w.pg, org.ID, "nuovo@scuola.example.org", "de"); !isField(err, "language") {
		t.Errorf("an invitation in German: %v", err)
	}
	if _, err := w.ms.Invite(ctx, w.pg, org.ID, "nuovo@scuola.example.org", "en"); err != nil {
		t.Fatal(err)
	}
	got = w.outbox()
	if last := got[len(got)-1]; last != "nuovo@scuola.example.org|Invitation to the mediation portal" {
		t.Errorf("the invitation: %q", last)
	}
	if mediation.MailLanguages()[0] != "en" || len(mediation.MailLanguages()) < 2 {
		t.Errorf("mail languages %v", mediation.MailLanguages())
	}
}

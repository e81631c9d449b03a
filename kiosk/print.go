package kiosk

import (
	"context"
	"errors"
	"html/template"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/internal/apierr"
	"github.com/punto-totem/punto/printing"
)

// printTimeout bounds making and printing one card: chromium starts, lays
// the card out, lp hands it to CUPS (about 2 s on an idle totem), and the
// printer prints it (printing.Printer.Wait, 30 s at most). The server's
// write timeout starts once the handler is done.
const printTimeout = 60 * time.Second

// Cards a totem prints: at most cardBurst at once, then one every
// cardEvery (a visitor takes a card or two; a child tapping Print on and
// on does not empty the roll).
const (
	cardBurst = 3
	cardEvery = 10 * time.Second
)

// printLimit lets one card be made at a time, within a token bucket.
type printLimit struct {
	mu     sync.Mutex
	busy   bool
	tokens float64
	last   time.Time
}

// take reserves the printer, or says in how many seconds to try again.
func (l *printLimit) take(now time.Time) (wait int, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last.IsZero() {
		l.tokens = cardBurst
	} else {
		l.tokens = min(cardBurst, l.tokens+now.Sub(l.last).Seconds()/cardEvery.Seconds())
	}
	l.last = now
	if l.busy {
		return int(printTimeout.Seconds()), false
	}
	if l.tokens < 1 {
		return int(math.Ceil((1 - l.tokens) * cardEvery.Seconds())), false
	}
	l.tokens--
	l.busy = true
	return 0, true
}

func (l *printLimit) done() {
	l.mu.Lock()
	l.busy = false
	l.mu.Unlock()
}

// printCard answers POST /api/v1/services/{id}/print?lang=…[&second=…]: the
// totem prints the service's card on its printer, in the visitor's
// language and in Italian. Only the screen on this machine prints
// (loopback); the request carries nothing about the visitor but the
// language, and nothing of it is kept: the card is made in memory and
// handed to CUPS under the title "Punto".
func (s *Server) printCard(c *fiber.Ctx) error {
	if s.cfg.Role != "totem" || s.cfg.Printer == nil {
		return notFound("this node has no printer")
	}
	if !c.Context().RemoteIP().IsLoopback() {
		return apierr.Forbidden("only this totem's own screen prints")
	}
	id := c.Params("id")
	if !content.ValidID(id) {
		return badRequest("id", "is not a valid service id")
	}
	if len(c.Body()) > 0 {
		return badRequest("body", "must be empty: the service and the language go in the URL")
	}
	prefs, err := langParam(c)
	if err != nil {
		return err
	}
	if !s.msgs.Has(prefs) {
		return badRequest("lang", "Punto has no interface in "+content.PrimaryLang(prefs))
	}
	card, err := s.card(c.UserContext(), id, prefs, time.Now())
	if err != nil {
		return err
	}
	wait, ok := s.printing.take(time.Now())
	if !ok {
		return apierr.RateLimited(wait)
	}
	defer s.printing.done()
	ctx, cancel := context.WithTimeout(context.Background(), printTimeout)
	defer cancel()
	p := s.cfg.Printer
	if err := p.Check(ctx); err != nil {
		return s.printFailed(err)
	}
	job, err := p.Print(ctx, card)
	if err != nil {
		return s.printFailed(err)
	}
	s.cfg.Log.Info("card printed", "queue", p.Queue, "job", job)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"printed": true, "job": job})
}

// printFailed is the answer when the card could not be printed: 503, with
// what CUPS said when the queue refused it.
func (s *Server) printFailed(err error) error {
	s.cfg.Log.Error("card not printed", "queue", s.cfg.Printer.Queue, "err", err)
	if errors.Is(err, printing.ErrQueue) {
		return &apierr.Error{Status: fiber.StatusServiceUnavailable, Code: "printer_failed",
			Message: "the card was not printed: " + strings.TrimPrefix(err.Error(), printing.ErrQueue.Error()+": ")}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &apierr.Error{Status: fiber.StatusServiceUnavailable, Code: "printer_failed", Message: "the card took too long to make: try again"}
	}
	return &apierr.Error{Status: fiber.StatusServiceUnavailable, Code: "printer_failed", Message: "the card could not be made"}
}

// card gathers a service's card: its essentials in the visitor's
// languages (prefs) and, unless they read Italian, in Italian, with the
// QR code of its page, the same deep link the detail screen's code has.
func (s *Server) card(ctx context.Context, id, prefs string, at time.Time) (*printing.Card, error) {
	langs := []string{prefs}
	if content.BaseLang(prefs) != "it" {
		langs = append(langs, "it")
	}
	card := &printing.Card{}
	for _, lang := range langs {
		v, err := s.store.ServiceView(ctx, id, lang, s.cfg.Position, at)
		if err != nil {
			return nil, err
		}
		card.Sections = append(card.Sections, s.cardSection(v, lang))
	}
	card.URL = strings.TrimSuffix(s.cfg.PublicURL, "/") + "/s/" + id + "?" + langQuery(prefs)
	svg, err := qrSVG(card.URL)
	if err != nil {
		return nil, err
	}
	card.QR = template.HTML(svg) // made here, from a URL of our own
	card.QRCaption, card.QRLang = s.msgs.Localize(prefs, "ui.scan_hint").Text, content.BaseLang(prefs)
	return card, nil
}

// cardSection is one language's part of a card.
func (s *Server) cardSection(v *content.ServiceView, lang string) printing.Section {
	t := func(id string) string { return s.msgs.Localize(lang, id).Text }
	sec := printing.Section{
		Lang: content.BaseLang(lang), Dir: dirOf(lang), LookingFor: t("print.looking_for"),
		Name:    printing.Text{Text: v.Name.Text, Lang: v.Name.Lang},
		Address: printing.Labeled{Label: t("ui.address")}, Hours: t("ui.hours"), Phone: printing.Labeled{Label: t("ui.phone")},
	}
	if v.Organization != nil && v.Organization.Name.Text != v.Name.Text {
		sec.Org = &printing.Text{Text: v.Organization.Name.Text, Lang: v.Organization.Name.Lang}
	}
	if len(v.Locations) > 0 {
		loc := v.Locations[0]
		// A place not on the map may have no comune: no dangling comma.
		sec.Address.Lines = []string{strings.Trim(strings.TrimSpace(loc.Address+", "+strings.TrimSpace(loc.PostalCode+" "+loc.Comune)), ", ")}
	}
	for _, d := range v.Hours.Days {
		date, err := time.Parse(time.DateOnly, d.Date)
		if err != nil {
			continue
		}
		spans := make([]string, len(d.Slots))
		for i, sl := range d.Slots {
			spans[i] = sl.Opens + "–" + sl.Closes
		}
		hours := strings.Join(spans, ", ")
		if hours == "" {
			hours = t("ui.closed")
		}
		if d.Holiday != "" {
			hours += " · " + t("holiday."+d.Holiday)
		}
		sec.Days = append(sec.Days, printing.Day{Label: t("weekday."+strconv.Itoa(d.Weekday)) + " " + date.Format("02/01"), Hours: hours})
	}
	for _, p := range v.Phones {
		sec.Phone.Lines = append(sec.Phone.Lines, p.Number)
	}
	return sec
}

package mediation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/editorial"
)

// The states of a request.
const (
	StateRequested = "requested"
	StateAssigned  = "assigned"
	StateConfirmed = "confirmed"
	StateDone      = "done"
	StateCancelled = "cancelled"
	StateDeclined  = "declined"
)

// States lists them in order.
var States = []string{StateRequested, StateAssigned, StateConfirmed, StateDone, StateCancelled, StateDeclined}

// Limits of a request's fields.
const (
	MaxNotes        = 2000 // characters
	maxAddress      = 300
	maxContact      = 200
	MaxDurationMins = 12 * 60
	// maxAhead is how far ahead a request may be made.
	maxAhead = 2 * 365 * 24 * time.Hour
)

// RequestIn is the form a body fills in.
type RequestIn struct {
	// Org is the requesting body: a requester's own is taken when 0; a
	// coordinator names one.
	Org       int64  `json:"org"`
	Language  string `json:"language"`
	Mode      string `json:"mode"`    // in_person, phone or video
	Address   string `json:"address"` // in person: where
	Territory string `json:"territory"`
	Date      string `json:"date"` // YYYY-MM-DD, Italian time
	From      string `json:"from"` // HH:MM
	To        string `json:"to"`
	// DurationHours is the expected length (within the window).
	DurationHours float64 `json:"duration_hours"`
	Topic         string  `json:"topic"`
	Urgency       string  `json:"urgency"` // normal (default) or urgent
	// Notes must not name the migrant; they go at close plus retention.
	Notes        string `json:"notes"`
	ContactName  string `json:"contact_name"`
	ContactPhone string `json:"contact_phone"`
}

// Request is one request with its state.
type Request struct {
	ID           int64      `json:"id"`
	Org          int64      `json:"org"`
	OrgName      string     `json:"org_name"`
	Requester    string     `json:"requester"`
	Territory    string     `json:"territory"`
	Language     string     `json:"language"`
	Mode         string     `json:"mode"`
	Address      string     `json:"address"`
	Date         string     `json:"date"`
	From         string     `json:"from"`
	To           string     `json:"to"`
	StartsAt     time.Time  `json:"starts_at"`
	EndsAt       time.Time  `json:"ends_at"`
	Duration     float64    `json:"duration_hours"`
	Topic        string     `json:"topic"`
	Urgency      string     `json:"urgency"`
	Notes        string     `json:"notes"`
	ContactName  string     `json:"contact_name"`
	ContactPhone string     `json:"contact_phone"`
	State        string     `json:"state"`
	Mediator     *int64     `json:"mediator,omitempty"`
	MediatorName string     `json:"mediator_name,omitempty"`
	Budget       *int64     `json:"budget,omitempty"`
	UsedHours    *float64   `json:"used_hours,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`

	durationMin int
	mediatorTo  string // the mediator's address
}

// hours turns minutes into hours (to the minute).
func hours(min int) float64 { return float64(min) / 60 }

// minutes turns hours into whole minutes.
func minutes(h float64) int { return int(math.Round(h * 60)) }

// when reads a date and window in Italian time.
func when(date, from, to string) (time.Time, time.Time, error) {
	d, err := day(date)
	if err != nil {
		return time.Time{}, time.Time{}, invalid("date", err.Error())
	}
	a, b, err := window("window", from, to)
	if err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			fe.Field = strings.TrimPrefix(fe.Field, "window.")
		}
		return time.Time{}, time.Time{}, err
	}
	start := time.Date(d.Year(), d.Month(), d.Day(), 0, a, 0, 0, content.Rome)
	end := time.Date(d.Year(), d.Month(), d.Day(), 0, b, 0, 0, content.Rome)
	return start.UTC(), end.UTC(), nil
}

// checkWhen validates a window: in the future, not too far, holding the
// expected duration.
func (s *Store) checkWhen(date, from, to string, durMin int) (time.Time, time.Time, error) {
	start, end, err := when(date, from, to)
	if err != nil {
		return start, end, err
	}
	now := s.now()
	if !start.After(now) {
		return start, end, invalid("date", "the request is in the past")
	}
	if start.After(now.Add(maxAhead)) {
		return start, end, invalid("date", "is more than two years ahead")
	}
	if durMin > int(end.Sub(start).Minutes()) {
		return start, end, invalid("duration_hours", "is longer than the window from–to")
	}
	return start, end, nil
}

func checkText(field, v string, limit int, required bool) (string, error) {
	v = strings.TrimSpace(v)
	if required && v == "" {
		return v, invalid(field, "is required")
	}
	if n := utf8.RuneCountInString(v); n > limit {
		return v, invalid(field, fmt.Sprintf("is %d characters: at most %d", n, limit))
	}
	if !utf8.ValidString(v) {
		return v, invalid(field, "is not valid UTF-8")
	}
	return v, nil
}

// checkRequest validates a form; it returns the window and the duration
// in minutes.
func (s *Store) checkRequest(ctx context.Context, in *RequestIn) (time.Time, time.Time, int, error) {
	var zero time.Time
	var err error
	if in.Language, err = Lang(in.Language); err != nil {
		return zero, zero, 0, invalid("language", err.Error())
	}
	if !slices.Contains(Modes, in.Mode) {
		return zero, zero, 0, invalid("mode", fmt.Sprintf("%q is not one of %s", in.Mode, strings.Join(Modes, ", ")))
	}
	if in.Address, err = checkText("address", in.Address, maxAddress, in.Mode == ModeInPerson); err != nil {
		return zero, zero, 0, err
	}
	if err := s.checkTerritory(ctx, "territory", in.Territory); err != nil {
		return zero, zero, 0, err
	}
	if math.IsNaN(in.DurationHours) || in.DurationHours <= 0 || minutes(in.DurationHours) < 1 {
		return zero, zero, 0, invalid("duration_hours", "must be more than 0")
	}
	dur := minutes(in.DurationHours)
	if dur > MaxDurationMins {
		return zero, zero, 0, invalid("duration_hours", "must be at most 12 hours")
	}
	start, end, err := s.checkWhen(in.Date, in.From, in.To, dur)
	if err != nil {
		return zero, zero, 0, err
	}
	if !slices.Contains(Topics, in.Topic) {
		return zero, zero, 0, invalid("topic", fmt.Sprintf("%q is not one of %s", in.Topic, strings.Join(Topics, ", ")))
	}
	if in.Urgency == "" {
		in.Urgency = "normal"
	}
	if in.Urgency != "normal" && in.Urgency != "urgent" {
		return zero, zero, 0, invalid("urgency", "must be normal or urgent")
	}
	if in.Notes, err = checkText("notes", in.Notes, MaxNotes, false); err != nil {
		return zero, zero, 0, err
	}
	if in.ContactName, err = checkText("contact_name", in.ContactName, maxContact, true); err != nil {
		return zero, zero, 0, err
	}
	if in.ContactPhone, err = checkText("contact_phone", in.ContactPhone, 40, false); err != nil {
		return zero, zero, 0, err
	}
	return start, end, dur, nil
}

// CreateRequest records a body's request, audited, with the mails to the
// requester and to the territory's coordinators, in one transaction.
func (s *Store) CreateRequest(ctx context.Context, actor *editorial.Account, in RequestIn) (*Request, error) {
	var org *Org
	var err error
	switch actor.Role {
	case editorial.RoleRequester:
		if org, err = s.RequesterOrg(ctx, actor.Name); err != nil {
			return nil, forbidden("this account belongs to no body")
		}
		if in.Org != 0 && in.Org != org.ID {
			return nil, invalid("org", "is not your body")
		}
	case editorial.RoleAdmin, editorial.RoleCoordinator:
		if org, err = s.org(ctx, in.Org); errors.Is(err, ErrNotFound) {
			return nil, invalid("org", "no such body")
		} else if err != nil {
			return nil, err
		}
	default:
		return nil, forbidden("only a requester or a coordinator may request a mediator")
	}
	start, end, dur, err := s.checkRequest(ctx, &in)
	if err != nil {
		return nil, err
	}
	if actor.Role == editorial.RoleCoordinator {
		if err := inTerritory(actor, in.Territory); err != nil {
			return nil, err
		}
	}
	now := s.now()
	var id int64
	err = s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO mediation_request(org_id, requester, territory_id, lang, mode, address, starts_at, ends_at,
			duration_min, topic, urgency, notes, contact_name, contact_phone, state, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			org.ID, actor.Name, in.Territory, in.Language, in.Mode, in.Address, formatTime(start), formatTime(end),
			dur, in.Topic, in.Urgency, in.Notes, in.ContactName, in.ContactPhone, StateRequested, formatTime(now), formatTime(now))
		if err != nil {
			return fmt.Errorf("mediation: request: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		r, err := s.request(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.audit(ctx, tx, actor, "request.create", "request", id, nil, r.audited()); err != nil {
			return err
		}
		return s.notify(ctx, tx, r, "received")
	})
	if err != nil {
		return nil, err
	}
	return s.request(ctx, s.db.R, id)
}

// audited is the request as the audit log keeps it: without its notes,
// which the log must not outlive.
func (r *Request) audited() *Request {
	c := *r
	c.Notes = ""
	return &c
}

const requestColumns = `r.id, r.org_id, o.name, r.requester, r.territory_id, r.lang, r.mode, r.address, r.starts_at, r.ends_at,
	r.duration_min, r.topic, r.urgency, r.notes, r.contact_name, r.contact_phone, r.state, r.mediator_id, coalesce(m.name, ''),
	coalesce(m.email, ''), r.budget_id, r.used_min, r.created_at, r.updated_at, r.closed_at
	FROM mediation_request r JOIN mediation_org o ON o.id = r.org_id LEFT JOIN mediation_mediator m ON m.id = r.mediator_id`

func scanRequest(row interface{ Scan(...any) error }) (*Request, error) {
	var r Request
	var starts, ends, created, updated string
	var mediator, budget, used sql.NullInt64
	var closed sql.NullString
	err := row.Scan(&r.ID, &r.Org, &r.OrgName, &r.Requester, &r.Territory, &r.Language, &r.Mode, &r.Address, &starts, &ends,
		&r.durationMin, &r.Topic, &r.Urgency, &r.Notes, &r.ContactName, &r.ContactPhone, &r.State, &mediator, &r.MediatorName,
		&r.mediatorTo, &budget, &used, &created, &updated, &closed)
	if err != nil {
		return nil, err
	}
	r.StartsAt, r.EndsAt = parseTime(starts), parseTime(ends)
	r.CreatedAt, r.UpdatedAt = parseTime(created), parseTime(updated)
	local, localEnd := r.StartsAt.In(content.Rome), r.EndsAt.In(content.Rome)
	r.Date, r.From, r.To = local.Format(time.DateOnly), local.Format("15:04"), localEnd.Format("15:04")
	r.Duration = hours(r.durationMin)
	if mediator.Valid {
		r.Mediator = &mediator.Int64
	}
	if budget.Valid {
		r.Budget = &budget.Int64
	}
	if used.Valid {
		h := hours(int(used.Int64))
		r.UsedHours = &h
	}
	if closed.Valid {
		t := parseTime(closed.String)
		r.ClosedAt = &t
	}
	return &r, nil
}

func (s *Store) request(ctx context.Context, q querier, id int64) (*Request, error) {
	r, err := scanRequest(q.QueryRowContext(ctx, "SELECT "+requestColumns+" WHERE r.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(fmt.Sprintf("no request %d", id))
	}
	if err != nil {
		return nil, fmt.Errorf("mediation: request: %w", err)
	}
	return r, nil
}

// maySee reports whether actor may see r: an admin, a coordinator of its
// territory, its mediator, or a requester of its body.
func (s *Store) maySee(ctx context.Context, actor *editorial.Account, r *Request) bool {
	switch actor.Role {
	case editorial.RoleAdmin, editorial.RoleCoordinator:
		return coversTerritory(actor, r.Territory)
	case editorial.RoleMediator:
		return r.mediatorTo != "" && r.mediatorTo == actor.Name
	case editorial.RoleRequester:
		o, err := s.RequesterOrg(ctx, actor.Name)
		return err == nil && o.ID == r.Org
	}
	return false
}

// Request reads one request the actor may see.
func (s *Store) Request(ctx context.Context, actor *editorial.Account, id int64) (*Request, error) {
	r, err := s.request(ctx, s.db.R, id)
	if err != nil {
		return nil, err
	}
	if !s.maySee(ctx, actor, r) {
		return nil, forbidden("this request is not yours to see")
	}
	return r, nil
}

// Filter selects requests for the queue; empty fields select all.
type Filter struct {
	Territory string
	Language  string
	State     string
	From, To  string // dates YYYY-MM-DD (Italian), inclusive
	Limit     int
}

// Requests lists what the actor may see, soonest first: a coordinator's
// territories, a mediator's own assignments, a requester's body.
func (s *Store) Requests(ctx context.Context, actor *editorial.Account, f Filter) ([]*Request, error) {
	var where []string
	var args []any
	switch actor.Role {
	case editorial.RoleAdmin:
	case editorial.RoleCoordinator:
		if len(actor.Territories) == 0 {
			return []*Request{}, nil
		}
		where = append(where, "r.territory_id IN ("+strings.Repeat("?,", len(actor.Territories)-1)+"?)")
		for _, t := range actor.Territories {
			args = append(args, t)
		}
	case editorial.RoleMediator:
		where, args = append(where, "m.email = ?"), append(args, actor.Name)
	case editorial.RoleRequester:
		o, err := s.RequesterOrg(ctx, actor.Name)
		if err != nil {
			return []*Request{}, nil
		}
		where, args = append(where, "r.org_id = ?"), append(args, o.ID)
	default:
		return nil, forbidden("mediation requests are for coordinators, mediators and requesters")
	}
	if f.Territory != "" {
		where, args = append(where, "r.territory_id = ?"), append(args, f.Territory)
	}
	if f.Language != "" {
		code, err := Lang(f.Language)
		if err != nil {
			return nil, invalid("language", err.Error())
		}
		where, args = append(where, "r.lang = ?"), append(args, code)
	}
	if f.State != "" {
		if !slices.Contains(States, f.State) {
			return nil, invalid("state", fmt.Sprintf("%q is not one of %s", f.State, strings.Join(States, ", ")))
		}
		where, args = append(where, "r.state = ?"), append(args, f.State)
	}
	for _, b := range []struct {
		field, v, op string
		add          int
	}{{"from", f.From, ">=", 0}, {"to", f.To, "<", 1}} {
		if b.v == "" {
			continue
		}
		d, err := day(b.v)
		if err != nil {
			return nil, invalid(b.field, err.Error())
		}
		t := time.Date(d.Year(), d.Month(), d.Day()+b.add, 0, 0, 0, 0, content.Rome)
		where, args = append(where, "r.starts_at "+b.op+" ?"), append(args, formatTime(t))
	}
	q := "SELECT " + requestColumns
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	out := []*Request{}
	err := queryAll(ctx, s.db.R, q+" ORDER BY r.starts_at, r.id LIMIT ?", append(args, limit), func(rows *sql.Rows) error {
		r, err := scanRequest(rows)
		if err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

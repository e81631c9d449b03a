package mediation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/punto-totem/punto/editorial"
)

// change runs one step of a request's life in one transaction: fn checks
// and writes it and names the mail it causes ("" for none); the audit
// entry (with the request before and after) and the mails commit with it.
func (s *Store) change(ctx context.Context, actor *editorial.Account, id int64, action string, fn func(tx *sql.Tx, r *Request) (string, error)) (*Request, error) {
	err := s.write(ctx, func(tx *sql.Tx) error {
		r, err := s.request(ctx, tx, id)
		if err != nil {
			return err
		}
		if !s.maySee(ctx, actor, r) {
			return forbidden("this request is not yours to change")
		}
		event, err := fn(tx, r)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE mediation_request SET updated_at = ? WHERE id = ?", formatTime(s.now()), id); err != nil {
			return err
		}
		after, err := s.request(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.audit(ctx, tx, actor, action, "request", id, r.audited(), after.audited()); err != nil {
			return err
		}
		if event == "" {
			return nil
		}
		return s.notify(ctx, tx, after, event, r.mediatorTo)
	})
	if err != nil {
		return nil, err
	}
	return s.request(ctx, s.db.R, id)
}

func needState(r *Request, states ...string) error {
	if !slices.Contains(states, r.State) {
		return conflict(fmt.Sprintf("request %d is %s", r.ID, r.State))
	}
	return nil
}

// Assign gives request id to a mediator who speaks its language, covers
// its territory and is free then, drawing on a budget (0: the territory's
// only one). Going past the hours left needs override, audited apart.
func (s *Store) Assign(ctx context.Context, actor *editorial.Account, id, mediator, budget int64, override bool) (*Request, error) {
	return s.change(ctx, actor, id, "request.assign", func(tx *sql.Tx, r *Request) (string, error) {
		if err := inTerritory(actor, r.Territory); err != nil {
			return "", err
		}
		if err := needState(r, StateRequested, StateAssigned); err != nil {
			return "", err
		}
		m, err := s.mediator(ctx, tx, mediator)
		if errors.Is(err, ErrNotFound) {
			return "", invalid("mediator", fmt.Sprintf("no mediator %d", mediator))
		}
		if err != nil {
			return "", err
		}
		switch {
		case !m.Active:
			return "", invalid("mediator", m.Name+" is not active")
		case !slices.Contains(m.Languages, r.Language):
			return "", invalid("mediator", m.Name+" does not speak "+r.Language)
		case !slices.Contains(m.Territories, r.Territory):
			return "", invalid("mediator", m.Name+" does not cover "+r.Territory)
		case !slices.Contains(m.Modes, r.Mode):
			return "", invalid("mediator", m.Name+" does not work "+r.Mode)
		case !available(m, r.StartsAt, r.EndsAt):
			return "", invalid("mediator", m.Name+" is not available then")
		}
		if busy, _, err := s.busy(ctx, tx, m.ID, r); err != nil {
			return "", err
		} else if busy {
			return "", invalid("mediator", m.Name+" has another assignment then")
		}
		b, err := s.pickBudget(ctx, tx, r, budget)
		if err != nil {
			return "", err
		}
		if err := s.overBudget(ctx, tx, actor, r, b, r.durationMin, override); err != nil {
			return "", err
		}
		_, err = tx.ExecContext(ctx, "UPDATE mediation_request SET state = ?, mediator_id = ?, budget_id = ? WHERE id = ?", StateAssigned, m.ID, b.ID, r.ID)
		return "assigned", err
	})
}

// overBudget refuses drawing min minutes on b past its hours left unless
// override is set; an override is audited on its own line.
func (s *Store) overBudget(ctx context.Context, tx *sql.Tx, actor *editorial.Account, r *Request, b *Budget, min int, override bool) error {
	leftMin := int(math.Round(b.Left * 60))
	if min <= leftMin {
		return nil
	}
	if !override {
		return conflict(fmt.Sprintf("budget %s (%s) has %.2f h left, %.2f h are needed: a coordinator may override", b.Programme, b.Territory, b.Left, hours(min)))
	}
	return s.audit(ctx, tx, actor, "budget.override", "budget", b.ID, b, map[string]any{"request": r.ID, "hours": hours(min), "left_hours": b.Left})
}

// Confirm confirms an assignment: the coordinator, or the mediator.
func (s *Store) Confirm(ctx context.Context, actor *editorial.Account, id int64) (*Request, error) {
	return s.change(ctx, actor, id, "request.confirm", func(tx *sql.Tx, r *Request) (string, error) {
		if actor.Role != editorial.RoleMediator {
			if err := inTerritory(actor, r.Territory); err != nil {
				return "", err
			}
		}
		if err := needState(r, StateAssigned); err != nil {
			return "", err
		}
		_, err := tx.ExecContext(ctx, "UPDATE mediation_request SET state = ? WHERE id = ?", StateConfirmed, r.ID)
		return "confirmed", err
	})
}

// Decline refuses a request (no mediator can go): the coordinator.
func (s *Store) Decline(ctx context.Context, actor *editorial.Account, id int64) (*Request, error) {
	return s.finish(ctx, actor, id, "request.decline", StateDeclined, "declined")
}

// Cancel withdraws a request: the coordinator, or the body that made it.
func (s *Store) Cancel(ctx context.Context, actor *editorial.Account, id int64) (*Request, error) {
	return s.finish(ctx, actor, id, "request.cancel", StateCancelled, "cancelled")
}

func (s *Store) finish(ctx context.Context, actor *editorial.Account, id int64, action, state, event string) (*Request, error) {
	return s.change(ctx, actor, id, action, func(tx *sql.Tx, r *Request) (string, error) {
		if !(state == StateCancelled && actor.Role == editorial.RoleRequester) {
			if err := inTerritory(actor, r.Territory); err != nil {
				return "", err
			}
		}
		if err := needState(r, StateRequested, StateAssigned, StateConfirmed); err != nil {
			return "", err
		}
		now := s.now()
		_, err := tx.ExecContext(ctx, "UPDATE mediation_request SET state = ?, closed_at = ?, purge_at = ? WHERE id = ?",
			state, formatTime(now), formatTime(now.Add(s.cfg.Retention)), r.ID)
		return event, err
	})
}

// Reschedule moves a request's window: the coordinator. An assigned or
// confirmed request goes back to assigned if its mediator is free then,
// else to requested.
func (s *Store) Reschedule(ctx context.Context, actor *editorial.Account, id int64, date, from, to string) (*Request, error) {
	return s.change(ctx, actor, id, "request.reschedule", func(tx *sql.Tx, r *Request) (string, error) {
		if err := inTerritory(actor, r.Territory); err != nil {
			return "", err
		}
		if err := needState(r, StateRequested, StateAssigned, StateConfirmed); err != nil {
			return "", err
		}
		start, end, err := s.checkWhen(date, from, to, r.durationMin)
		if err != nil {
			return "", err
		}
		state, mediator := StateRequested, any(nil)
		if r.Mediator != nil {
			moved := *r
			moved.StartsAt, moved.EndsAt = start, end
			m, err := s.mediator(ctx, tx, *r.Mediator)
			if err != nil {
				return "", err
			}
			busy, _, err := s.busy(ctx, tx, m.ID, &moved)
			if err != nil {
				return "", err
			}
			if available(m, start, end) && !busy {
				state, mediator = StateAssigned, m.ID
			}
		}
		_, err = tx.ExecContext(ctx, "UPDATE mediation_request SET starts_at = ?, ends_at = ?, state = ?, mediator_id = ?, budget_id = CASE WHEN ? IS NULL THEN NULL ELSE budget_id END WHERE id = ?",
			formatTime(start), formatTime(end), state, mediator, mediator, r.ID)
		return "rescheduled", err
	})
}

// CloseRequest ends a request that took place, with the hours actually used
// (they count against its budget; past the hours left needs override).
func (s *Store) CloseRequest(ctx context.Context, actor *editorial.Account, id int64, used float64, override bool) (*Request, error) {
	return s.change(ctx, actor, id, "request.close", func(tx *sql.Tx, r *Request) (string, error) {
		if err := inTerritory(actor, r.Territory); err != nil {
			return "", err
		}
		if err := needState(r, StateAssigned, StateConfirmed); err != nil {
			return "", err
		}
		if math.IsNaN(used) || used <= 0 || minutes(used) < 1 {
			return "", invalid("hours", "must be more than 0")
		}
		if minutes(used) > MaxDurationMins {
			return "", invalid("hours", "must be at most 12")
		}
		if r.Budget == nil {
			return "", conflict(fmt.Sprintf("request %d draws on no budget", r.ID))
		}
		b, err := s.budgetExcept(ctx, tx, *r.Budget, r.ID)
		if err != nil {
			return "", err
		}
		if err := s.overBudget(ctx, tx, actor, r, b, minutes(used), override); err != nil {
			return "", err
		}
		now := s.now()
		_, err = tx.ExecContext(ctx, "UPDATE mediation_request SET state = ?, used_min = ?, closed_at = ?, purge_at = ? WHERE id = ?",
			StateDone, minutes(used), formatTime(now), formatTime(now.Add(s.cfg.Retention)), r.ID)
		return "", err
	})
}

// PurgeNotes empties the notes of requests closed longer ago than the
// retention, and says how many. The old pages leave the write-ahead log
// too: it is checkpointed and truncated after a purge.
func (s *Store) PurgeNotes(ctx context.Context) (int64, error) {
	res, err := s.db.W.ExecContext(ctx, "UPDATE mediation_request SET notes = '' WHERE notes != '' AND purge_at IS NOT NULL AND purge_at <= ?", formatTime(s.now()))
	if err != nil {
		return 0, fmt.Errorf("mediation: purge: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 || s.cfg.LeaveCheckpoints {
		return n, err
	}
	// A reader holding an old snapshot may keep the checkpoint from
	// finishing; the next purge tries again.
	if _, err := s.db.W.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return n, fmt.Errorf("mediation: purge checkpoint: %w", err)
	}
	return n, nil
}

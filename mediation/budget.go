package mediation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/punto-totem/punto/editorial"
)

// Budget is the hours a programme funds in a territory, for example
// "FAMI 2026, Perugia, 1,200 h". Used counts the hours of closed
// requests; Reserved the expected hours of those assigned or confirmed;
// Left what remains of both.
type Budget struct {
	ID        int64     `json:"id"`
	Programme string    `json:"programme"`
	Territory string    `json:"territory"`
	Hours     float64   `json:"hours"`
	Used      float64   `json:"used_hours"`
	Reserved  float64   `json:"reserved_hours"`
	Left      float64   `json:"left_hours"`
	CreatedAt time.Time `json:"created_at"`
}

const maxBudgetHours = 1_000_000

// SaveBudget creates (id 0) or changes a budget in one of the
// coordinator's territories, audited.
func (s *Store) SaveBudget(ctx context.Context, actor *editorial.Account, id int64, programme, territory string, h float64) (*Budget, error) {
	programme = strings.TrimSpace(programme)
	if programme == "" || utf8.RuneCountInString(programme) > maxName {
		return nil, invalid("programme", fmt.Sprintf("must be 1–%d characters", maxName))
	}
	if err := s.checkTerritory(ctx, "territory", territory); err != nil {
		return nil, err
	}
	if math.IsNaN(h) || h <= 0 || h > maxBudgetHours {
		return nil, invalid("hours", fmt.Sprintf("must be more than 0 and at most %d", maxBudgetHours))
	}
	if err := inTerritory(actor, territory); err != nil {
		return nil, err
	}
	var before *Budget
	if id != 0 {
		b, err := s.budget(ctx, s.db.R, id)
		if err != nil {
			return nil, err
		}
		if err := inTerritory(actor, b.Territory); err != nil {
			return nil, err
		}
		before = b
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM mediation_budget WHERE programme = ? AND territory_id = ? AND id != ?", programme, territory, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return invalid("programme", "this programme has a budget in this territory already")
		}
		if id == 0 {
			res, err := tx.ExecContext(ctx, "INSERT INTO mediation_budget(programme, territory_id, minutes, created_at) VALUES (?, ?, ?, ?)",
				programme, territory, minutes(h), formatTime(s.now()))
			if err != nil {
				return fmt.Errorf("mediation: budget: %w", err)
			}
			if id, err = res.LastInsertId(); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, "UPDATE mediation_budget SET programme = ?, territory_id = ?, minutes = ? WHERE id = ?",
			programme, territory, minutes(h), id); err != nil {
			return fmt.Errorf("mediation: budget: %w", err)
		}
		after, err := s.budget(ctx, tx, id)
		if err != nil {
			return err
		}
		action := "budget.create"
		if before != nil {
			action = "budget.update"
		}
		return s.audit(ctx, tx, actor, action, "budget", id, before, after)
	})
	if err != nil {
		return nil, err
	}
	return s.budget(ctx, s.db.R, id)
}

// budget reads a budget with its figures (except request except).
func (s *Store) budgetExcept(ctx context.Context, q querier, id, except int64) (*Budget, error) {
	var b Budget
	var total, used, reserved int
	var created string
	err := q.QueryRowContext(ctx, `SELECT b.id, b.programme, b.territory_id, b.minutes, b.created_at,
		coalesce((SELECT sum(used_min) FROM mediation_request WHERE budget_id = b.id AND state = 'done' AND id != ?), 0),
		coalesce((SELECT sum(duration_min) FROM mediation_request WHERE budget_id = b.id AND state IN ('assigned', 'confirmed') AND id != ?), 0)
		FROM mediation_budget b WHERE b.id = ?`, except, except, id).Scan(&b.ID, &b.Programme, &b.Territory, &total, &created, &used, &reserved)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(fmt.Sprintf("no budget %d", id))
	}
	if err != nil {
		return nil, fmt.Errorf("mediation: budget: %w", err)
	}
	b.CreatedAt = parseTime(created)
	b.Hours, b.Used, b.Reserved, b.Left = hours(total), hours(used), hours(reserved), hours(total-used-reserved)
	return &b, nil
}

func (s *Store) budget(ctx context.Context, q querier, id int64) (*Budget, error) {
	return s.budgetExcept(ctx, q, id, 0)
}

// Budgets lists the budgets of the actor's territories (one territory if
// given), by programme.
func (s *Store) Budgets(ctx context.Context, actor *editorial.Account, territory string) ([]*Budget, error) {
	if err := coordinator(actor); err != nil {
		return nil, err
	}
	var ids []int64
	if err := queryAll(ctx, s.db.R, "SELECT id, territory_id FROM mediation_budget ORDER BY programme, territory_id", nil, func(r *sql.Rows) error {
		var id int64
		var t string
		if err := r.Scan(&id, &t); err != nil {
			return err
		}
		if coversTerritory(actor, t) && (territory == "" || t == territory) {
			ids = append(ids, id)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	out := []*Budget{}
	for _, id := range ids {
		b, err := s.budget(ctx, s.db.R, id)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// pickBudget returns the budget an assignment draws on: the one named, or
// the territory's only one.
func (s *Store) pickBudget(ctx context.Context, tx *sql.Tx, r *Request, id int64) (*Budget, error) {
	if id == 0 {
		var ids []int64
		rows, err := tx.QueryContext(ctx, "SELECT id FROM mediation_budget WHERE territory_id = ? ORDER BY id", r.Territory)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var v int64
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return nil, err
			}
			ids = append(ids, v)
		}
		rows.Close()
		switch len(ids) {
		case 0:
			return nil, invalid("budget", fmt.Sprintf("territory %s has no hours budget: a coordinator creates one first", r.Territory))
		case 1:
			id = ids[0]
		default:
			return nil, invalid("budget", "the territory has several budgets: name one")
		}
	}
	b, err := s.budgetExcept(ctx, tx, id, r.ID)
	if errors.Is(err, ErrNotFound) {
		return nil, invalid("budget", fmt.Sprintf("no budget %d", id))
	}
	if err != nil {
		return nil, err
	}
	if b.Territory != r.Territory {
		return nil, invalid("budget", fmt.Sprintf("budget %d is for territory %s, not %s", id, b.Territory, r.Territory))
	}
	return b, nil
}

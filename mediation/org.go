package mediation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/punto-totem/punto/editorial"
	"github.com/punto-totem/punto/mail"
)

// Org is a public body that requests mediators: a school, a hospital, a
// comune's office, the Questura.
type Org struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	Territory  string    `json:"territory"`
	Requesters []string  `json:"requesters"`
	CreatedAt  time.Time `json:"created_at"`
}

// CreateOrg adds a body in one of the coordinator's territories, audited.
func (s *Store) CreateOrg(ctx context.Context, actor *editorial.Account, name, territory string) (*Org, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > maxName {
		return nil, invalid("name", fmt.Sprintf("must be 1–%d characters", maxName))
	}
	if err := s.checkTerritory(ctx, "territory", territory); err != nil {
		return nil, err
	}
	if err := inTerritory(actor, territory); err != nil {
		return nil, err
	}
	o := &Org{Name: name, Territory: territory, Requesters: []string{}, CreatedAt: s.now()}
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "INSERT INTO mediation_org(name, territory_id, created_at) VALUES (?, ?, ?)", o.Name, o.Territory, formatTime(o.CreatedAt))
		if err != nil {
			return fmt.Errorf("mediation: org: %w", err)
		}
		if o.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "org.create", "org", o.ID, nil, o)
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

func (s *Store) org(ctx context.Context, id int64) (*Org, error) {
	o := &Org{Requesters: []string{}}
	var created string
	err := s.db.R.QueryRowContext(ctx, "SELECT id, name, territory_id, created_at FROM mediation_org WHERE id = ?", id).Scan(&o.ID, &o.Name, &o.Territory, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(fmt.Sprintf("no body %d", id))
	}
	if err != nil {
		return nil, fmt.Errorf("mediation: org: %w", err)
	}
	o.CreatedAt = parseTime(created)
	err = queryAll(ctx, s.db.R, "SELECT email FROM mediation_requester WHERE org_id = ? ORDER BY email", []any{id}, func(r *sql.Rows) error {
		var e string
		if err := r.Scan(&e); err != nil {
			return err
		}
		o.Requesters = append(o.Requesters, e)
		return nil
	})
	return o, err
}

// Org reads a body: a coordinator of its territory, or one of its
// requesters.
func (s *Store) Org(ctx context.Context, actor *editorial.Account, id int64) (*Org, error) {
	o, err := s.org(ctx, id)
	if err != nil {
		return nil, err
	}
	if coversTerritory(actor, o.Territory) {
		return o, nil
	}
	if actor.Role == editorial.RoleRequester {
		if mine, err := s.RequesterOrg(ctx, actor.Name); err == nil && mine.ID == o.ID {
			return o, nil
		}
	}
	return nil, forbidden("this body is not in your territories")
}

// Orgs lists the bodies of the coordinator's territories (a requester:
// their own).
func (s *Store) Orgs(ctx context.Context, actor *editorial.Account) ([]*Org, error) {
	if actor.Role == editorial.RoleRequester {
		o, err := s.RequesterOrg(ctx, actor.Name)
		if errors.Is(err, ErrNotFound) {
			return []*Org{}, nil
		}
		if err != nil {
			return nil, err
		}
		return []*Org{o}, nil
	}
	if err := coordinator(actor); err != nil {
		return nil, err
	}
	var ids []int64
	if err := queryAll(ctx, s.db.R, "SELECT id, territory_id FROM mediation_org ORDER BY name, id", nil, func(r *sql.Rows) error {
		var id int64
		var t string
		if err := r.Scan(&id, &t); err != nil {
			return err
		}
		if coversTerritory(actor, t) {
			ids = append(ids, id)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	out := []*Org{}
	for _, id := range ids {
		o, err := s.org(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// AddRequester makes the login email a requester of body id, audited.
// The account itself (role requester) is editorial's.
func (s *Store) AddRequester(ctx context.Context, actor *editorial.Account, id int64, email string) (*Org, error) {
	email = editorial.NormalizeName(email)
	if err := mail.CheckAddress(email); err != nil {
		return nil, invalid("email", "is not an e-mail address")
	}
	o, err := s.org(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := inTerritory(actor, o.Territory); err != nil {
		return nil, err
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		var other int64
		err := tx.QueryRowContext(ctx, "SELECT org_id FROM mediation_requester WHERE email = ?", email).Scan(&other)
		switch {
		case err == nil && other != id:
			return invalid("email", "this address is a requester of another body")
		case err == nil:
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO mediation_requester(email, org_id) VALUES (?, ?)", email, id); err != nil {
			return fmt.Errorf("mediation: requester: %w", err)
		}
		return s.audit(ctx, tx, actor, "org.requester", "org", id, nil, map[string]string{"requester": email})
	})
	if err != nil {
		return nil, err
	}
	return s.org(ctx, id)
}

// RequesterOrg is the body a requester's login belongs to.
func (s *Store) RequesterOrg(ctx context.Context, email string) (*Org, error) {
	var id int64
	err := s.db.R.QueryRowContext(ctx, "SELECT org_id FROM mediation_requester WHERE email = ?", editorial.NormalizeName(email)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("this account belongs to no body")
	}
	if err != nil {
		return nil, fmt.Errorf("mediation: requester: %w", err)
	}
	return s.org(ctx, id)
}

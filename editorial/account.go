package editorial

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/punto-totem/punto/content"
)

// The roles an account can have.
const (
	RoleAdmin  = "admin"
	RoleEditor = "editor"
	// RoleCoordinator keeps the mediators, requests and hours of their
	// territories (mediation on call); it edits no catalog record.
	RoleCoordinator = "coordinator"
	// RoleMediator sees only their own assignments.
	RoleMediator = "mediator"
	// RoleRequester asks for mediators for a public body.
	RoleRequester = "requester"
)

// Roles lists every role an account can have.
var Roles = []string{RoleAdmin, RoleEditor, RoleCoordinator, RoleMediator, RoleRequester}

// Account is a person who signs in to the editor. An editor may change
// only what lies in their territories; an admin everything.
type Account struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	Role        string     `json:"role"`
	Territories []string   `json:"territories"`
	Disabled    bool       `json:"disabled"`
	CreatedAt   time.Time  `json:"created_at"`
	LastLoginAt *time.Time `json:"last_login_at,omitempty"`

	hash string // argon2id PHC string; never leaves the package
}

// IsAdmin reports whether the account may do everything.
func (a *Account) IsAdmin() bool { return a.Role == RoleAdmin }

// namePattern: an e-mail address or a user name, compared in lower case.
var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._+@-]{2,253}$`)

// NormalizeName is how account names are compared: trimmed, lower case.
func NormalizeName(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func checkName(name string) error {
	if !namePattern.MatchString(name) {
		return errors.New("must be an e-mail address or a user name of 3–254 letters, digits and . _ - + @")
	}
	return nil
}

func checkRole(role string) error {
	if !slices.Contains(Roles, role) {
		return fmt.Errorf("%q is not one of %s", role, strings.Join(Roles, ", "))
	}
	return nil
}

// checkTerritories dedupes the territory IDs and checks each exists.
func (s *Store) checkTerritories(ctx context.Context, role string, ids []string) ([]string, error) {
	out := []string{}
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" || slices.Contains(out, id) {
			continue
		}
		if _, err := s.cat.Territory(ctx, id); err != nil {
			if errors.Is(err, content.ErrNotFound) {
				return nil, invalid("territories", fmt.Sprintf("no territory %q", id))
			}
			return nil, err
		}
		out = append(out, id)
	}
	if (role == RoleEditor || role == RoleCoordinator) && len(out) == 0 {
		return nil, invalid("territories", "a "+role+" account needs at least one territory")
	}
	slices.Sort(out)
	return out, nil
}

const accountColumns = "id, name, role, password_hash, created_at, disabled_at, last_login_at"

func scanAccount(row interface{ Scan(...any) error }) (*Account, error) {
	var a Account
	var created string
	var disabled, last sql.NullString
	if err := row.Scan(&a.ID, &a.Name, &a.Role, &a.hash, &created, &disabled, &last); err != nil {
		return nil, err
	}
	a.CreatedAt = parseTime(created)
	a.Disabled = disabled.Valid
	if last.Valid {
		t := parseTime(last.String)
		a.LastLoginAt = &t
	}
	return &a, nil
}

// loadTerritories fills in the accounts' territories.
func (s *Store) loadTerritories(ctx context.Context, accts ...*Account) error {
	for _, a := range accts {
		a.Territories = []string{}
		rows, err := s.db.R.QueryContext(ctx, "SELECT territory_id FROM portal_account_territory WHERE account_id = ? ORDER BY territory_id", a.ID)
		if err != nil {
			return fmt.Errorf("editorial: account territories: %w", err)
		}
		for rows.Next() {
			var t string
			if err := rows.Scan(&t); err != nil {
				rows.Close()
				return err
			}
			a.Territories = append(a.Territories, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) accountWhere(ctx context.Context, where string, arg any) (*Account, error) {
	a, err := scanAccount(s.db.R.QueryRowContext(ctx, "SELECT "+accountColumns+" FROM portal_account WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("no such account")
	}
	if err != nil {
		return nil, fmt.Errorf("editorial: account: %w", err)
	}
	return a, s.loadTerritories(ctx, a)
}

// AccountByName reads an account by its name.
func (s *Store) AccountByName(ctx context.Context, name string) (*Account, error) {
	return s.accountWhere(ctx, "name = ?", NormalizeName(name))
}

// AccountByID reads an account by its ID.
func (s *Store) AccountByID(ctx context.Context, id int64) (*Account, error) {
	return s.accountWhere(ctx, "id = ?", id)
}

// Accounts lists every account by name.
func (s *Store) Accounts(ctx context.Context) ([]*Account, error) {
	rows, err := s.db.R.QueryContext(ctx, "SELECT "+accountColumns+" FROM portal_account ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("editorial: accounts: %w", err)
	}
	var out []*Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.loadTerritories(ctx, out...)
}

func setTerritories(ctx context.Context, tx *sql.Tx, id int64, territories []string) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM portal_account_territory WHERE account_id = ?", id); err != nil {
		return fmt.Errorf("editorial: account territories: %w", err)
	}
	for _, t := range territories {
		if _, err := tx.ExecContext(ctx, "INSERT INTO portal_account_territory(account_id, territory_id) VALUES (?, ?)", id, t); err != nil {
			return fmt.Errorf("editorial: account territories: %w", err)
		}
	}
	return nil
}

// CreateAccount validates and stores a new account, with its audit entry
// by actor.
func (s *Store) CreateAccount(ctx context.Context, actor, name, role string, territories []string, password string) (*Account, error) {
	name = NormalizeName(name)
	if err := checkName(name); err != nil {
		return nil, invalid("name", err.Error())
	}
	if err := checkRole(role); err != nil {
		return nil, invalid("role", err.Error())
	}
	territories, err := s.checkTerritories(ctx, role, territories)
	if err != nil {
		return nil, err
	}
	if err := CheckPassword(password); err != nil {
		return nil, invalid("password", err.Error())
	}
	hash, err := s.hashPassword(password)
	if err != nil {
		return nil, err
	}
	now := s.now()
	a := &Account{Name: name, Role: role, Territories: territories, CreatedAt: now}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM portal_account WHERE name = ?", name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return conflict("an account named " + name + " exists already")
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO portal_account(name, role, password_hash, created_at, password_changed_at)
			VALUES (?, ?, ?, ?, ?)`, name, role, hash, formatTime(now), formatTime(now))
		if err != nil {
			return fmt.Errorf("editorial: create account: %w", err)
		}
		if a.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if err := setTerritories(ctx, tx, a.ID, territories); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, AuditEntry{Actor: actor, Action: "account.create", Kind: "account", RecordID: fmt.Sprint(a.ID), After: JSONOf(a)})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// SetPassword replaces an account's password and ends its sessions (all
// but keep, if given).
func (s *Store) SetPassword(ctx context.Context, actor string, a *Account, password string, keep []byte) error {
	hash, err := s.hashPassword(password)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE portal_account SET password_hash = ?, password_changed_at = ? WHERE id = ?", hash, formatTime(s.now()), a.ID); err != nil {
			return fmt.Errorf("editorial: set password: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM portal_session WHERE account_id = ? AND token_hash != coalesce(?, x'')", a.ID, keep); err != nil {
			return fmt.Errorf("editorial: end sessions: %w", err)
		}
		return s.auditTx(ctx, tx, AuditEntry{Actor: actor, Action: "account.password", Kind: "account", RecordID: fmt.Sprint(a.ID), After: JSONOf(a)})
	})
}

// AccountChange is what an admin may change of an account; nil fields
// stay as they are.
type AccountChange struct {
	Role        *string   `json:"role"`
	Territories *[]string `json:"territories"`
	Disabled    *bool     `json:"disabled"`
}

// UpdateAccount changes an account's role, territories or state, audited
// by actor. Disabling ends its sessions. The last active admin stays.
func (s *Store) UpdateAccount(ctx context.Context, actor string, id int64, in AccountChange) (*Account, error) {
	a, err := s.AccountByID(ctx, id)
	if err != nil {
		return nil, err
	}
	before, next := *a, *a
	if in.Role != nil {
		if err := checkRole(*in.Role); err != nil {
			return nil, invalid("role", err.Error())
		}
		next.Role = *in.Role
	}
	terr := a.Territories
	if in.Territories != nil {
		terr = *in.Territories
	}
	if next.Territories, err = s.checkTerritories(ctx, next.Role, terr); err != nil {
		return nil, err
	}
	if in.Disabled != nil {
		next.Disabled = *in.Disabled
	}
	action := "account.update"
	switch {
	case next.Disabled && !before.Disabled:
		action = "account.disable"
	case !next.Disabled && before.Disabled:
		action = "account.enable"
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := keepAnAdmin(ctx, tx, &before, &next); err != nil {
			return err
		}
		if err := writeAccount(ctx, tx, &next, s.now()); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, AuditEntry{Actor: actor, Action: action, Kind: "account", RecordID: fmt.Sprint(a.ID), Before: JSONOf(&before), After: JSONOf(&next)})
	})
	if err != nil {
		return nil, err
	}
	return &next, nil
}

// keepAnAdmin refuses a change that leaves no active admin.
func keepAnAdmin(ctx context.Context, tx *sql.Tx, before, next *Account) error {
	if !before.IsAdmin() || before.Disabled || (next.IsAdmin() && !next.Disabled) {
		return nil
	}
	var admins int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM portal_account WHERE role = 'admin' AND disabled_at IS NULL").Scan(&admins); err != nil {
		return err
	}
	if admins <= 1 {
		return conflict("this is the last active admin")
	}
	return nil
}

// writeAccount stores an account's role, territories and state; a
// disabled account keeps the date it was first disabled, and loses its
// sessions.
func writeAccount(ctx context.Context, tx *sql.Tx, a *Account, now time.Time) error {
	q, args := "UPDATE portal_account SET role = ?, disabled_at = NULL WHERE id = ?", []any{a.Role, a.ID}
	if a.Disabled {
		q, args = "UPDATE portal_account SET role = ?, disabled_at = coalesce(disabled_at, ?) WHERE id = ?", []any{a.Role, formatTime(now), a.ID}
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("editorial: update account: %w", err)
	}
	if err := setTerritories(ctx, tx, a.ID, a.Territories); err != nil {
		return err
	}
	if a.Disabled {
		if _, err := tx.ExecContext(ctx, "DELETE FROM portal_session WHERE account_id = ?", a.ID); err != nil {
			return fmt.Errorf("editorial: end sessions: %w", err)
		}
	}
	return nil
}

// DisableUser disables an account by name and ends its sessions; the
// account stays, since the audit log names it. It is the command line's
// "user disable".
func (s *Store) DisableUser(ctx context.Context, actor, name string) error {
	a, err := s.AccountByName(ctx, name)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("editorial: no account named %s", NormalizeName(name))
	}
	if err != nil || a.Disabled {
		return err
	}
	after := *a
	after.Disabled = true
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := writeAccount(ctx, tx, &after, s.now()); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, AuditEntry{Actor: actor, Action: "account.disable", Kind: "account", RecordID: fmt.Sprint(a.ID), Before: JSONOf(a), After: JSONOf(&after)})
	})
}

// ChangePassword replaces a's own password after checking the current
// one; every other session of the account (all but keep) ends.
func (s *Store) ChangePassword(ctx context.Context, a *Account, current, next string, keep []byte) error {
	ok, err := verifyPassword(a.hash, current)
	if err != nil {
		return err
	}
	if !ok {
		return invalid("current", "is not your password")
	}
	if err := CheckPassword(next); err != nil {
		return invalid("new", err.Error())
	}
	return s.SetPassword(ctx, a.Name, a, next, keep)
}

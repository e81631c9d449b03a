package portal

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
	roleAdmin  = "admin"
	roleEditor = "editor"
)

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

func (a *Account) isAdmin() bool { return a.Role == roleAdmin }

var errNoAccount = errors.New("portal: no such account")

// timeFormat is how the portal's tables store times: UTC, fixed width, so
// that they sort as strings.
const timeFormat = "2006-01-02T15:04:05.000000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}

// namePattern: an e-mail address or a user name, compared in lower case.
var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._+@-]{2,253}$`)

func normalizeName(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func checkName(name string) error {
	if !namePattern.MatchString(name) {
		return errors.New("must be an e-mail address or a user name of 3–254 letters, digits and . _ - + @")
	}
	return nil
}

func checkRole(role string) error {
	if role != roleAdmin && role != roleEditor {
		return fmt.Errorf("%q is not admin or editor", role)
	}
	return nil
}

// checkTerritories dedupes the territory IDs and checks each exists.
func (p *portal) checkTerritories(ctx context.Context, role string, ids []string) ([]string, error) {
	out := []string{}
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" || slices.Contains(out, id) {
			continue
		}
		if _, err := p.st.Territory(ctx, id); err != nil {
			if errors.Is(err, content.ErrNotFound) {
				return nil, badRequest("territories", fmt.Sprintf("no territory %q", id))
			}
			return nil, err
		}
		out = append(out, id)
	}
	if role == roleEditor && len(out) == 0 {
		return nil, badRequest("territories", "an editor needs at least one territory")
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
func (p *portal) loadTerritories(ctx context.Context, accts ...*Account) error {
	for _, a := range accts {
		a.Territories = []string{}
		rows, err := p.r.QueryContext(ctx, "SELECT territory_id FROM portal_account_territory WHERE account_id = ? ORDER BY territory_id", a.ID)
		if err != nil {
			return fmt.Errorf("portal: account territories: %w", err)
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

func (p *portal) accountWhere(ctx context.Context, where string, arg any) (*Account, error) {
	a, err := scanAccount(p.r.QueryRowContext(ctx, "SELECT "+accountColumns+" FROM portal_account WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoAccount
	}
	if err != nil {
		return nil, fmt.Errorf("portal: account: %w", err)
	}
	return a, p.loadTerritories(ctx, a)
}

func (p *portal) accountByName(ctx context.Context, name string) (*Account, error) {
	return p.accountWhere(ctx, "name = ?", normalizeName(name))
}

func (p *portal) accountByID(ctx context.Context, id int64) (*Account, error) {
	return p.accountWhere(ctx, "id = ?", id)
}

// accounts lists every account by name.
func (p *portal) accounts(ctx context.Context) ([]*Account, error) {
	rows, err := p.r.QueryContext(ctx, "SELECT "+accountColumns+" FROM portal_account ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("portal: accounts: %w", err)
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
	return out, p.loadTerritories(ctx, out...)
}

// inTx runs fn in one transaction on the writer connection.
func (p *portal) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := p.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("portal: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("portal: commit: %w", err)
	}
	return nil
}

func setTerritories(ctx context.Context, tx *sql.Tx, id int64, territories []string) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM portal_account_territory WHERE account_id = ?", id); err != nil {
		return fmt.Errorf("portal: account territories: %w", err)
	}
	for _, t := range territories {
		if _, err := tx.ExecContext(ctx, "INSERT INTO portal_account_territory(account_id, territory_id) VALUES (?, ?)", id, t); err != nil {
			return fmt.Errorf("portal: account territories: %w", err)
		}
	}
	return nil
}

// createAccount validates and stores a new account, with its audit entry
// by actor.
func (p *portal) createAccount(ctx context.Context, actor, name, role string, territories []string, password string) (*Account, error) {
	name = normalizeName(name)
	if err := checkName(name); err != nil {
		return nil, badRequest("name", err.Error())
	}
	if err := checkRole(role); err != nil {
		return nil, badRequest("role", err.Error())
	}
	territories, err := p.checkTerritories(ctx, role, territories)
	if err != nil {
		return nil, err
	}
	if err := checkPassword(password); err != nil {
		return nil, badRequest("password", err.Error())
	}
	hash, err := hashPassword(password)
	if err != nil {
		return nil, err
	}
	now := p.now()
	a := &Account{Name: name, Role: role, Territories: territories, CreatedAt: now}
	err = p.inTx(ctx, func(tx *sql.Tx) error {
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
			return fmt.Errorf("portal: create account: %w", err)
		}
		if a.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if err := setTerritories(ctx, tx, a.ID, territories); err != nil {
			return err
		}
		return p.auditTx(ctx, tx, auditEntry{Actor: actor, Action: "account.create", Kind: "account", RecordID: fmt.Sprint(a.ID), After: jsonOf(a)})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// setPassword replaces an account's password and ends its sessions (all
// but keep, if given).
func (p *portal) setPassword(ctx context.Context, actor string, a *Account, password string, keep []byte) error {
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	return p.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE portal_account SET password_hash = ?, password_changed_at = ? WHERE id = ?", hash, formatTime(p.now()), a.ID); err != nil {
			return fmt.Errorf("portal: set password: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM portal_session WHERE account_id = ? AND token_hash != coalesce(?, x'')", a.ID, keep); err != nil {
			return fmt.Errorf("portal: end sessions: %w", err)
		}
		return p.auditTx(ctx, tx, auditEntry{Actor: actor, Action: "account.password", Kind: "account", RecordID: fmt.Sprint(a.ID), After: jsonOf(a)})
	})
}

// AddUser creates an account in the catalog file of st: name is an e-mail
// address or a user name, role "admin" or "editor" (an editor needs at
// least one territory, by ID), password at least 12 characters. It is how
// the first admin is made, from the command line.
func AddUser(ctx context.Context, st *content.Store, name, role string, territories []string, password string) error {
	_, err := cliPortal(st).createAccount(ctx, "command line", name, role, territories, password)
	return plainError(err)
}

// plainError turns an API error into a sentence for the command line.
func plainError(err error) error {
	var ae *apiError
	if errors.As(err, &ae) {
		return errors.New("portal: " + ae.Message)
	}
	return err
}

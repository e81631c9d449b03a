package portal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"
)

// accountList answers GET /accounts.
func (p *portal) accountList(c *fiber.Ctx) error {
	as, err := p.accounts(c.UserContext())
	if err != nil {
		return err
	}
	if as == nil {
		as = []*Account{}
	}
	return c.JSON(fiber.Map{"accounts": as})
}

type accountIn struct {
	Name        string   `json:"name"`
	Role        string   `json:"role"`
	Territories []string `json:"territories"`
	Password    *string  `json:"password"`
}

// accountCreate answers POST /accounts; without a password one is made
// and shown once.
func (p *portal) accountCreate(c *fiber.Ctx) error {
	var in accountIn
	if err := parseBody(c, &in); err != nil {
		return err
	}
	out := fiber.Map{}
	pw := ""
	if in.Password != nil {
		pw = *in.Password
	} else {
		pw = GeneratePassword()
		out["password"] = pw
	}
	a, err := p.createAccount(c.UserContext(), account(c).Name, in.Name, in.Role, in.Territories, pw)
	if err != nil {
		return err
	}
	out["account"] = a
	return c.Status(fiber.StatusCreated).JSON(out)
}

// accountParam reads the account named by the path's :id.
func (p *portal) accountParam(c *fiber.Ctx) (*Account, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return nil, notFound("no such account")
	}
	a, err := p.accountByID(c.UserContext(), id)
	if errors.Is(err, errNoAccount) {
		return nil, notFound("no such account")
	}
	return a, err
}

type accountPatch struct {
	Role        *string   `json:"role"`
	Territories *[]string `json:"territories"`
	Disabled    *bool     `json:"disabled"`
}

// accountUpdate answers PATCH /accounts/{id}.
func (p *portal) accountUpdate(c *fiber.Ctx) error {
	var in accountPatch
	if err := parseBody(c, &in); err != nil {
		return err
	}
	return p.updateAccount(c, in)
}

// accountDisable answers DELETE /accounts/{id}: accounts are disabled,
// never erased, since the audit log names them.
func (p *portal) accountDisable(c *fiber.Ctx) error {
	yes := true
	return p.updateAccount(c, accountPatch{Disabled: &yes})
}

func (p *portal) updateAccount(c *fiber.Ctx, in accountPatch) error {
	ctx := c.UserContext()
	a, err := p.accountParam(c)
	if err != nil {
		return err
	}
	before := *a
	next := *a
	if in.Role != nil {
		if err := checkRole(*in.Role); err != nil {
			return badRequest("role", err.Error())
		}
		next.Role = *in.Role
	}
	terr := a.Territories
	if in.Territories != nil {
		terr = *in.Territories
	}
	if next.Territories, err = p.checkTerritories(ctx, next.Role, terr); err != nil {
		return err
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
	now := p.now()
	err = p.inTx(ctx, func(tx *sql.Tx) error {
		if before.isAdmin() && !before.Disabled && (!next.isAdmin() || next.Disabled) {
			var admins int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM portal_account WHERE role = 'admin' AND disabled_at IS NULL").Scan(&admins); err != nil {
				return err
			}
			if admins <= 1 {
				return conflict("this is the last active admin")
			}
		}
		// A disabled account keeps the date it was first disabled.
		q, args := "UPDATE portal_account SET role = ?, disabled_at = NULL WHERE id = ?", []any{next.Role, a.ID}
		if next.Disabled {
			q, args = "UPDATE portal_account SET role = ?, disabled_at = coalesce(disabled_at, ?) WHERE id = ?", []any{next.Role, formatTime(now), a.ID}
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("portal: update account: %w", err)
		}
		if err := setTerritories(ctx, tx, a.ID, next.Territories); err != nil {
			return err
		}
		if next.Disabled {
			if _, err := tx.ExecContext(ctx, "DELETE FROM portal_session WHERE account_id = ?", a.ID); err != nil {
				return err
			}
		}
		return p.auditTx(ctx, tx, auditEntry{Actor: account(c).Name, Action: action, Kind: "account", RecordID: fmt.Sprint(a.ID), Before: jsonOf(&before), After: jsonOf(&next)})
	})
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"account": &next})
}

type passwordIn struct {
	Password *string `json:"password"`
}

// accountPassword answers POST /accounts/{id}/password: a new password,
// given or made; the account's sessions end.
func (p *portal) accountPassword(c *fiber.Ctx) error {
	var in passwordIn
	if len(c.Body()) > 0 {
		if err := parseBody(c, &in); err != nil {
			return err
		}
	}
	a, err := p.accountParam(c)
	if err != nil {
		return err
	}
	out := fiber.Map{}
	pw := ""
	if in.Password != nil {
		pw = *in.Password
		if err := checkPassword(pw); err != nil {
			return badRequest("password", err.Error())
		}
	} else {
		pw = GeneratePassword()
		out["password"] = pw
	}
	var keep []byte
	if a.ID == account(c).ID {
		keep = currentSession(c).hash
	}
	if err := p.setPassword(c.UserContext(), account(c).Name, a, pw, keep); err != nil {
		return err
	}
	return c.JSON(out)
}

// disableAccount is the command line's "user disable".
func (p *portal) disableAccount(ctx context.Context, actor, name string) error {
	a, err := p.accountByName(ctx, name)
	if err != nil {
		return err
	}
	if a.Disabled {
		return nil
	}
	return p.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE portal_account SET disabled_at = ? WHERE id = ?", formatTime(p.now()), a.ID); err != nil {
			return fmt.Errorf("portal: disable account: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM portal_session WHERE account_id = ?", a.ID); err != nil {
			return err
		}
		after := *a
		after.Disabled = true
		return p.auditTx(ctx, tx, auditEntry{Actor: actor, Action: "account.disable", Kind: "account", RecordID: fmt.Sprint(a.ID), Before: jsonOf(a), After: jsonOf(&after)})
	})
}

package portal

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// auditEntry is one line of the audit log: who did what to which record,
// when, with the record before and after.
type auditEntry struct {
	ID       int64           `json:"id"`
	At       time.Time       `json:"at"`
	Actor    string          `json:"actor"`
	Action   string          `json:"action"`
	Kind     string          `json:"kind"`
	RecordID string          `json:"record_id"`
	Seq      int64           `json:"seq,omitempty"`
	Before   json.RawMessage `json:"before"`
	After    json.RawMessage `json:"after"`
}

// jsonOf encodes v for the audit log (nil stays nil).
func jsonOf(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}

func nullJSON(b json.RawMessage) any {
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	return string(b)
}

// auditTx appends an entry inside the caller's transaction, so the entry
// and the change it records commit together.
func (p *portal) auditTx(ctx context.Context, tx *sql.Tx, e auditEntry) error {
	var seq any
	if e.Seq > 0 {
		seq = e.Seq
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO portal_audit(at, actor, action, kind, record_id, seq, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		formatTime(p.now()), e.Actor, e.Action, e.Kind, e.RecordID, seq, nullJSON(e.Before), nullJSON(e.After))
	if err != nil {
		return fmt.Errorf("portal: audit: %w", err)
	}
	return nil
}

// auditQuery selects entries, newest first.
type auditQuery struct {
	Actor, Action, Kind, RecordID string
	Before                        int64
	Limit                         int
}

func (p *portal) auditEntries(ctx context.Context, q auditQuery) ([]auditEntry, error) {
	var where []string
	var args []any
	for _, f := range []struct{ col, v string }{{"actor", q.Actor}, {"action", q.Action}, {"kind", q.Kind}, {"record_id", q.RecordID}} {
		if f.v != "" {
			where = append(where, f.col+" = ?")
			args = append(args, f.v)
		}
	}
	if q.Before > 0 {
		where = append(where, "id < ?")
		args = append(args, q.Before)
	}
	query := "SELECT id, at, actor, action, kind, record_id, coalesce(seq, 0), before, after FROM portal_audit"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := p.r.QueryContext(ctx, query+" ORDER BY id DESC LIMIT ?", append(args, q.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("portal: audit: %w", err)
	}
	defer rows.Close()
	out := []auditEntry{}
	for rows.Next() {
		var e auditEntry
		var at string
		var before, after sql.NullString
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Kind, &e.RecordID, &e.Seq, &before, &after); err != nil {
			return nil, fmt.Errorf("portal: audit: %w", err)
		}
		e.At = parseTime(at)
		if before.Valid {
			e.Before = json.RawMessage(before.String)
		}
		if after.Valid {
			e.After = json.RawMessage(after.String)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// auditLog answers GET /audit: an admin sees every entry, an editor their
// own.
func (p *portal) auditLog(c *fiber.Ctx) error {
	me := account(c)
	limit, err := intQuery(c, "limit", 100, 1, 500)
	if err != nil {
		return err
	}
	before, err := intQuery(c, "before", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	q := auditQuery{Action: c.Query("action"), Kind: c.Query("kind"), RecordID: c.Query("id"), Before: int64(before), Limit: limit}
	if me.isAdmin() {
		q.Actor = c.Query("actor")
	} else {
		q.Actor = me.Name
	}
	entries, err := p.auditEntries(c.UserContext(), q)
	if err != nil {
		return err
	}
	out := fiber.Map{"entries": entries}
	if len(entries) == limit {
		out["next_before"] = entries[len(entries)-1].ID
	}
	return c.JSON(out)
}

package editorial

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// AuditEntry is one line of the audit log: who did what to which record,
// when, with the record before and after.
type AuditEntry struct {
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

// JSONOf encodes v for the audit log (nil stays nil).
func JSONOf(v any) json.RawMessage {
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
func (s *Store) auditTx(ctx context.Context, tx *sql.Tx, e AuditEntry) error {
	return AuditTx(ctx, tx, s.now(), e)
}

// AuditTx appends an entry made at at inside tx, a transaction another
// store of the same file (mediation) opened, so that the entry commits
// with the change it records or not at all.
func AuditTx(ctx context.Context, tx *sql.Tx, at time.Time, e AuditEntry) error {
	var seq any
	if e.Seq > 0 {
		seq = e.Seq
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO portal_audit(at, actor, action, kind, record_id, seq, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		formatTime(at), e.Actor, e.Action, e.Kind, e.RecordID, seq, nullJSON(e.Before), nullJSON(e.After))
	if err != nil {
		return fmt.Errorf("editorial: audit: %w", err)
	}
	return nil
}

// Audit appends one entry on its own, for what changed outside the
// editorial tables (a totem registered, a command sent).
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return s.auditTx(ctx, tx, e) })
}

// AuditQuery selects entries, newest first.
type AuditQuery struct {
	Actor, Action, Kind, RecordID string
	Before                        int64 // entries with a smaller ID
	Limit                         int
}

// AuditEntries reads the entries q selects.
func (s *Store) AuditEntries(ctx context.Context, q AuditQuery) ([]AuditEntry, error) {
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
	rows, err := s.db.R.QueryContext(ctx, query+" ORDER BY id DESC LIMIT ?", append(args, q.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("editorial: audit: %w", err)
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		var e AuditEntry
		var at string
		var before, after sql.NullString
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Kind, &e.RecordID, &e.Seq, &before, &after); err != nil {
			return nil, fmt.Errorf("editorial: audit: %w", err)
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

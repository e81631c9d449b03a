package editorial

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Draft is an unpublished version of one record. There is at most one per
// record: whoever saves last replaces it.
type Draft struct {
	Kind      string          `json:"-"`
	ID        string          `json:"-"`
	Doc       json.RawMessage `json:"doc"`
	Author    string          `json:"author"`
	UpdatedAt time.Time       `json:"updated_at"`
	Sources   Sources         `json:"-"` // the translations' source hashes

	stamp string // updated_at as stored: publish removes the draft only if unchanged
}

// ErrNoDraft: the record has no draft.
var ErrNoDraft = fmt.Errorf("%w: no draft", ErrNotFound)

const draftColumns = "kind, id, doc, sources, author, updated_at"

func scanDraft(row interface{ Scan(...any) error }) (*Draft, error) {
	var d Draft
	var doc, sources string
	if err := row.Scan(&d.Kind, &d.ID, &doc, &sources, &d.Author, &d.stamp); err != nil {
		return nil, err
	}
	d.Doc = json.RawMessage(doc)
	d.UpdatedAt = parseTime(d.stamp)
	if err := json.Unmarshal([]byte(sources), &d.Sources); err != nil || d.Sources == nil {
		d.Sources = Sources{}
	}
	return &d, nil
}

// Draft reads the draft of one record, or ErrNoDraft.
func (s *Store) Draft(ctx context.Context, kind, id string) (*Draft, error) {
	d, err := scanDraft(s.db.R.QueryRowContext(ctx, "SELECT "+draftColumns+" FROM portal_draft WHERE kind = ? AND id = ?", kind, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoDraft
	}
	if err != nil {
		return nil, fmt.Errorf("editorial: draft: %w", err)
	}
	return d, nil
}

// Drafts lists the drafts of one kind ("" for all), newest first.
func (s *Store) Drafts(ctx context.Context, kind string) ([]*Draft, error) {
	q, args := "SELECT "+draftColumns+" FROM portal_draft", []any{}
	if kind != "" {
		q += " WHERE kind = ?"
		args = append(args, kind)
	}
	rows, err := s.db.R.QueryContext(ctx, q+" ORDER BY updated_at DESC, kind, id", args...)
	if err != nil {
		return nil, fmt.Errorf("editorial: drafts: %w", err)
	}
	defer rows.Close()
	var out []*Draft
	for rows.Next() {
		d, err := scanDraft(rows)
		if err != nil {
			return nil, fmt.Errorf("editorial: drafts: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// PutDraft stores a draft with its audit entry (before: the draft it
// replaces, or the published record).
func (s *Store) PutDraft(ctx context.Context, d *Draft, before json.RawMessage) error {
	sources, err := json.Marshal(d.Sources)
	if err != nil {
		return err
	}
	d.UpdatedAt = s.now()
	d.stamp = formatTime(d.UpdatedAt)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO portal_draft(kind, id, doc, sources, author, updated_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT(kind, id) DO UPDATE SET doc = excluded.doc, sources = excluded.sources, author = excluded.author, updated_at = excluded.updated_at`,
			d.Kind, d.ID, string(d.Doc), string(sources), d.Author, d.stamp)
		if err != nil {
			return fmt.Errorf("editorial: save draft: %w", err)
		}
		return s.auditTx(ctx, tx, AuditEntry{Actor: d.Author, Action: "draft.save", Kind: d.Kind, RecordID: d.ID, Before: before, After: d.Doc})
	})
}

// DeleteDraft discards a draft, with its audit entry by actor.
func (s *Store) DeleteDraft(ctx context.Context, actor string, d *Draft) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM portal_draft WHERE kind = ? AND id = ?", d.Kind, d.ID)
		if err != nil {
			return fmt.Errorf("editorial: discard draft: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNoDraft
		}
		return s.auditTx(ctx, tx, AuditEntry{Actor: actor, Action: "draft.discard", Kind: d.Kind, RecordID: d.ID, Before: d.Doc})
	})
}

package portal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// draft is an unpublished version of one record. There is at most one per
// record: whoever saves last replaces it.
type draft struct {
	Doc       json.RawMessage `json:"doc"`
	Author    string          `json:"author"`
	UpdatedAt time.Time       `json:"updated_at"`

	kind, id string
	sources  sourceMap
	stamp    string // updated_at as stored: publish removes the draft only if unchanged
}

var errNoDraft = errors.New("portal: no draft")

const draftColumns = "kind, id, doc, sources, author, updated_at"

func scanDraft(row interface{ Scan(...any) error }) (*draft, error) {
	var d draft
	var doc, sources string
	if err := row.Scan(&d.kind, &d.id, &doc, &sources, &d.Author, &d.stamp); err != nil {
		return nil, err
	}
	d.Doc = json.RawMessage(doc)
	d.UpdatedAt = parseTime(d.stamp)
	if err := json.Unmarshal([]byte(sources), &d.sources); err != nil || d.sources == nil {
		d.sources = sourceMap{}
	}
	return &d, nil
}

// draft reads the draft of one record, or errNoDraft.
func (p *portal) draft(ctx context.Context, kind, id string) (*draft, error) {
	d, err := scanDraft(p.r.QueryRowContext(ctx, "SELECT "+draftColumns+" FROM portal_draft WHERE kind = ? AND id = ?", kind, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoDraft
	}
	if err != nil {
		return nil, fmt.Errorf("portal: draft: %w", err)
	}
	return d, nil
}

// drafts lists the drafts of one kind ("" for all), newest first.
func (p *portal) drafts(ctx context.Context, kind string) ([]*draft, error) {
	q, args := "SELECT "+draftColumns+" FROM portal_draft", []any{}
	if kind != "" {
		q += " WHERE kind = ?"
		args = append(args, kind)
	}
	rows, err := p.r.QueryContext(ctx, q+" ORDER BY updated_at DESC, kind, id", args...)
	if err != nil {
		return nil, fmt.Errorf("portal: drafts: %w", err)
	}
	defer rows.Close()
	var out []*draft
	for rows.Next() {
		d, err := scanDraft(rows)
		if err != nil {
			return nil, fmt.Errorf("portal: drafts: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// putDraft stores a draft with its audit entry (before: the draft it
// replaces, or the published record).
func (p *portal) putDraft(ctx context.Context, d *draft, before json.RawMessage) error {
	sources, err := json.Marshal(d.sources)
	if err != nil {
		return err
	}
	d.UpdatedAt = p.now()
	d.stamp = formatTime(d.UpdatedAt)
	return p.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO portal_draft(kind, id, doc, sources, author, updated_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT(kind, id) DO UPDATE SET doc = excluded.doc, sources = excluded.sources, author = excluded.author, updated_at = excluded.updated_at`,
			d.kind, d.id, string(d.Doc), string(sources), d.Author, d.stamp)
		if err != nil {
			return fmt.Errorf("portal: save draft: %w", err)
		}
		return p.auditTx(ctx, tx, auditEntry{Actor: d.Author, Action: "draft.save", Kind: d.kind, RecordID: d.id, Before: before, After: d.Doc})
	})
}

// deleteDraft discards a draft, with its audit entry by actor.
func (p *portal) deleteDraft(ctx context.Context, actor string, d *draft) error {
	return p.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM portal_draft WHERE kind = ? AND id = ?", d.kind, d.id)
		if err != nil {
			return fmt.Errorf("portal: discard draft: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errNoDraft
		}
		return p.auditTx(ctx, tx, auditEntry{Actor: actor, Action: "draft.discard", Kind: d.kind, RecordID: d.id, Before: d.Doc})
	})
}

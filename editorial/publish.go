package editorial

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/punto-totem/punto/content"
)

// Publisher applies changes to the catalog as one batch of the change
// feed and sends them to every totem (the portal's hub implements it). It
// returns the sequence number of the batch's last change. also runs in
// the publish's own transaction, told that number: if it fails, nothing
// is published.
type Publisher interface {
	Publish(ctx context.Context, author string, changes []content.Change, also func(tx *sql.Tx, last int64) error) (seq int64, err error)
}

// Release is one record going out in a publish.
type Release struct {
	Change content.Change
	// Before is the published version it replaces (nil when new).
	Before json.RawMessage
	// Draft, if set, is the draft it publishes: removed unless saved again
	// since, and its translation sources become the record's.
	Draft *Draft
}

// Publish sends releases out as one batch of the change feed and records
// them in the same transaction: each gets an audit entry of action by
// actor, and the drafts they publish are removed. It returns the batch's
// last sequence number. Invalid changes come back as
// *content.ValidationError, the field prefixed with the change's index,
// and nothing is written.
func (s *Store) Publish(ctx context.Context, pub Publisher, actor, action string, rs []Release) (int64, error) {
	if len(rs) == 0 {
		return 0, invalid("changes", "nothing to publish")
	}
	changes := make([]content.Change, len(rs))
	for i, r := range rs {
		changes[i] = r.Change
	}
	return pub.Publish(ctx, actor, changes, func(tx *sql.Tx, last int64) error {
		return s.recordReleases(ctx, tx, actor, action, last, rs)
	})
}

// recordReleases removes the published drafts, commits their sources and
// audits each release; last is the batch's last sequence number.
func (s *Store) recordReleases(ctx context.Context, tx *sql.Tx, actor, action string, last int64, rs []Release) error {
	for i, r := range rs {
		if d := r.Draft; d != nil {
			// A draft saved again while this one went out stays.
			if _, err := tx.ExecContext(ctx, "DELETE FROM portal_draft WHERE kind = ? AND id = ? AND updated_at = ?", d.Kind, d.ID, d.stamp); err != nil {
				return fmt.Errorf("editorial: remove draft: %w", err)
			}
			if err := commitSources(ctx, tx, d.Kind, d.ID, d.Sources); err != nil {
				return err
			}
		}
		e := AuditEntry{Actor: actor, Action: action, Kind: r.Change.Kind, RecordID: r.Change.ID,
			Seq: last - int64(len(rs)-1-i), Before: withoutAudio(r.Change.Kind, r.Before), After: withoutAudio(r.Change.Kind, r.Change.Doc)}
		if err := s.auditTx(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

// withoutAudio is a recording's document as the audit keeps it: its hash,
// type and size, not the audio itself (up to 2 MiB at each upload).
func withoutAudio(kind string, doc json.RawMessage) json.RawMessage {
	if kind != content.KindRecording || len(doc) == 0 {
		return doc
	}
	var m map[string]any
	if json.Unmarshal(doc, &m) != nil {
		return doc
	}
	if a, ok := m["audio"].(string); ok {
		m["audio_bytes"] = len(a) / 4 * 3 // base64
		delete(m, "audio")
	}
	out, err := json.Marshal(m)
	if err != nil {
		return doc
	}
	return out
}

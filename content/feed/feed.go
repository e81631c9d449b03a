package feed

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/punto-totem/punto/content"
)

// HashSize is the length of a batch hash (SHA-256).
const HashSize = sha256.Size

// BatchBody is what a batch says: the sequence range it covers, the hash of
// the batch before it, when it was published, and its changes. Its JSON
// encoding, produced once at publish, is what is hashed, chained and
// signed; it travels byte for byte.
type BatchBody struct {
	First   int64            `json:"first"`
	Last    int64            `json:"last"`
	Prev    string           `json:"prev"` // hex SHA-256 of the previous batch's body; zeros for the first
	At      time.Time        `json:"at"`
	Changes []content.Change `json:"changes"`
}

// Batch is a stored batch: its body bytes and their hash.
type Batch struct {
	First, Last int64
	Hash        [HashSize]byte
	Body        []byte
}

// State is where a catalog stands in the change feed.
type State struct {
	Seq  int64
	Hash [HashSize]byte // of the batch that brought Seq; zeros at 0
	At   time.Time
}

// RejectError says why a batch or snapshot was refused. Nothing of it was
// applied.
type RejectError struct {
	Reason string // tampered, replay, out_of_order, expired, broken_chain, invalid
	Detail string
}

func (e *RejectError) Error() string {
	return "feed: batch rejected (" + e.Reason + "): " + e.Detail
}

func reject(reason, format string, args ...any) error {
	return &RejectError{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

func invalid(field, format string, args ...any) error {
	return &content.ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// MaxChanges bounds one publish.
const MaxChanges = 200000

// MaxBatchBytes bounds one batch's body: a totem reads a batch whole
// before it can check its signature, so it refuses larger messages
// unread. MaxEnvelopeBytes is the largest signed envelope: one such batch
// with its signature and expiry.
const (
	MaxBatchBytes    = 64 << 20
	MaxEnvelopeBytes = MaxBatchBytes + 64<<10
)

// stateTable is the feed's table that travels with the catalog: where the
// catalog stands in the feed. (change_log and feed_batch stay on the
// portal.)
const stateTable = "sync_state"

func scanState(row *sql.Row) (State, error) {
	var st State
	var hash []byte
	var at string
	if err := row.Scan(&st.Seq, &hash, &at); err != nil {
		return st, fmt.Errorf("feed: sync state: %w", err)
	}
	copy(st.Hash[:], hash)
	st.At, _ = time.Parse(time.RFC3339Nano, at)
	return st, nil
}

const sqlState = "SELECT seq, hash, at FROM sync_state WHERE one = 1"

func setState(b *content.Batch, seq int64, hash [HashSize]byte) error {
	_, err := b.Exec("UPDATE sync_state SET seq = ?, hash = ?, at = ? WHERE one = 1", seq, hash[:], time.Now().UTC().Format(time.RFC3339Nano))
	return err
}

// ReadState reads where the catalog stands in the feed.
func ReadState(ctx context.Context, cat *content.Store) (State, error) {
	return scanState(cat.Reader().QueryRowContext(ctx, sqlState))
}

// Publish applies changes to the catalog and appends them to the change
// log as one batch, all in one transaction: each change gets the next
// sequence number, the batch is chained to the one before. Invalid changes
// come back as *content.ValidationError (its field prefixed with the
// change's index) and nothing is written.
//
// also, if not nil, runs last in the same transaction, once the batch is
// appended, and is told the batch's last sequence number: what it writes
// (the editors' drafts removed, their audit entries) commits with the
// publish. If it returns an error, nothing is written and Publish returns
// that error.
func Publish(ctx context.Context, cat *content.Store, author string, changes []content.Change, also func(tx *sql.Tx, last int64) error) (*Batch, error) {
	if len(changes) == 0 {
		return nil, invalid("changes", "nothing to publish")
	}
	if len(changes) > MaxChanges {
		return nil, invalid("changes", "more than %d changes in one publish", MaxChanges)
	}
	var out *Batch
	err := cat.Write(ctx, func(b *content.Batch) error {
		st, err := scanState(b.QueryRow(sqlState))
		if err != nil {
			return err
		}
		now := time.Now().UTC()
		body := BatchBody{First: st.Seq + 1, Last: st.Seq + int64(len(changes)), Prev: hex.EncodeToString(st.Hash[:]), At: now, Changes: make([]content.Change, len(changes))}
		at := now.Format(time.RFC3339Nano)
		for i := range changes {
			c := changes[i]
			c.Seq = st.Seq + 1 + int64(i)
			if len(c.Doc) > 0 {
				// One canonical form: compact, so the bytes that are hashed
				// do not depend on how the editor spaced its JSON.
				var buf bytes.Buffer
				if err := json.Compact(&buf, c.Doc); err != nil {
					return prefixField(fmt.Sprintf("changes[%d]", i), invalid("doc", "%v", err))
				}
				c.Doc = buf.Bytes()
			}
			if err := b.Apply(&c); err != nil {
				return prefixField(fmt.Sprintf("changes[%d]", i), err)
			}
			if _, err := b.Exec("INSERT INTO change_log(seq, kind, id, op, author, at) VALUES (?, ?, ?, ?, ?, ?)", c.Seq, c.Kind, c.ID, c.Op, author, at); err != nil {
				return fmt.Errorf("feed: change log: %w", err)
			}
			body.Changes[i] = c
		}
		raw, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("feed: encode batch: %w", err)
		}
		if len(raw) > MaxBatchBytes {
			return invalid("changes", "the publish takes %d MiB, more than the %d MiB a batch may: publish it in parts", len(raw)>>20, MaxBatchBytes>>20)
		}
		fb := &Batch{First: body.First, Last: body.Last, Hash: sha256.Sum256(raw), Body: raw}
		if _, err := b.Exec("INSERT INTO feed_batch(last_seq, first_seq, hash, body, at) VALUES (?, ?, ?, ?, ?)", fb.Last, fb.First, fb.Hash[:], raw, at); err != nil {
			return fmt.Errorf("feed: feed batch: %w", err)
		}
		if err := setState(b, fb.Last, fb.Hash); err != nil {
			return err
		}
		if also != nil {
			if err := also(b.Tx(), fb.Last); err != nil {
				return err
			}
		}
		out = fb
		return nil
	})
	var ac *content.AfterCommitError
	if errors.As(err, &ac) {
		return out, err // published all the same
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func prefixField(prefix string, err error) error {
	var ve *content.ValidationError
	if errors.As(err, &ve) {
		return &content.ValidationError{Field: prefix + "." + ve.Field, Reason: ve.Reason}
	}
	return err
}

// BatchesAfter returns the stored batches that follow seq, oldest first,
// stopping once they hold at least maxChanges changes. ok is false when
// seq is not the end of a stored batch (the caller needs a snapshot).
func BatchesAfter(ctx context.Context, cat *content.Store, seq int64, maxChanges int) (out []Batch, ok bool, err error) {
	r := cat.Reader()
	if seq > 0 {
		var n int
		if err := r.QueryRowContext(ctx, "SELECT count(*) FROM feed_batch WHERE last_seq = ?", seq).Scan(&n); err != nil {
			return nil, false, fmt.Errorf("feed: %w", err)
		}
		if n == 0 {
			return nil, false, nil
		}
	}
	rows, err := r.QueryContext(ctx, "SELECT first_seq, last_seq, hash, body FROM feed_batch WHERE last_seq > ? ORDER BY last_seq", seq)
	if err != nil {
		return nil, false, fmt.Errorf("feed: %w", err)
	}
	defer rows.Close()
	total := 0
	for rows.Next() {
		var fb Batch
		var hash []byte
		if err := rows.Scan(&fb.First, &fb.Last, &hash, &fb.Body); err != nil {
			return nil, false, fmt.Errorf("feed: %w", err)
		}
		copy(fb.Hash[:], hash)
		out = append(out, fb)
		total += int(fb.Last - fb.First + 1)
		if total >= maxChanges {
			break
		}
	}
	return out, true, rows.Err()
}

// BatchHash returns the hash of the stored batch ending at seq (zeros for
// 0), or content.ErrNotFound.
func BatchHash(ctx context.Context, cat *content.Store, seq int64) ([HashSize]byte, error) {
	var h [HashSize]byte
	if seq == 0 {
		return h, nil
	}
	var hash []byte
	err := cat.Reader().QueryRowContext(ctx, "SELECT hash FROM feed_batch WHERE last_seq = ?", seq).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return h, fmt.Errorf("%w: batch %q", content.ErrNotFound, fmt.Sprint(seq))
	}
	if err != nil {
		return h, fmt.Errorf("feed: batch %d: %w", seq, err)
	}
	copy(h[:], hash)
	return h, nil
}

// ApplyBatches applies batch bodies received from the portal, in one
// transaction with the new sequence number: all of them or, if any is out
// of order, breaks the hash chain or holds an invalid change, none
// (*RejectError). The signature over them was checked by the caller.
func ApplyBatches(ctx context.Context, cat *content.Store, bodies [][]byte) (State, error) {
	var st State
	err := cat.Write(ctx, func(b *content.Batch) error {
		var err error
		if st, err = scanState(b.QueryRow(sqlState)); err != nil {
			return err
		}
		parsed := make([]BatchBody, len(bodies))
		for i, raw := range bodies {
			if err := json.Unmarshal(raw, &parsed[i]); err != nil {
				return reject("invalid", "batch %d: %v", i, err)
			}
		}
		for i, raw := range bodies {
			body := &parsed[i]
			switch {
			case body.Last < body.First || int64(len(body.Changes)) != body.Last-body.First+1:
				return reject("invalid", "batch %d-%d holds %d changes", body.First, body.Last, len(body.Changes))
			case body.Last <= st.Seq:
				return reject("replay", "batch %d-%d is not newer than the catalog's %d", body.First, body.Last, st.Seq)
			case body.First != st.Seq+1:
				return reject("out_of_order", "batch %d-%d does not follow %d", body.First, body.Last, st.Seq)
			case body.Prev != hex.EncodeToString(st.Hash[:]):
				return reject("broken_chain", "batch %d-%d does not follow the batch the catalog holds", body.First, body.Last)
			}
			for j := range body.Changes {
				c := &body.Changes[j]
				if c.Seq != body.First+int64(j) {
					return reject("invalid", "change %d of batch %d-%d has sequence %d", j, body.First, body.Last, c.Seq)
				}
				if err := b.Apply(c); err != nil {
					return reject("invalid", "change %d: %v", c.Seq, err)
				}
			}
			st.Seq, st.Hash = body.Last, sha256.Sum256(raw)
		}
		return setState(b, st.Seq, st.Hash)
	})
	return st, err
}

// Affected lists what the given batch bodies change, for screens to
// refresh: service IDs, and whether alerts, pages or anything else
// changed.
type Affected struct {
	Seq      int64    `json:"seq"`
	Services []string `json:"services,omitempty"`
	Alerts   bool     `json:"alerts,omitempty"`
	Pages    bool     `json:"pages,omitempty"`
	Other    bool     `json:"other,omitempty"` // organizations or territories: refresh everything
	All      bool     `json:"all,omitempty"`   // a snapshot replaced the catalog
}

// AffectedBy reads which records batch bodies touch.
func AffectedBy(seq int64, bodies [][]byte) Affected {
	a := Affected{Seq: seq}
	seen := map[string]bool{}
	for _, raw := range bodies {
		var body struct {
			Changes []struct{ Kind, ID string } `json:"changes"`
		}
		if json.Unmarshal(raw, &body) != nil {
			a.All = true
			continue
		}
		for _, c := range body.Changes {
			switch c.Kind {
			case content.KindService:
				if !seen[c.ID] && len(a.Services) < 1000 {
					seen[c.ID] = true
					a.Services = append(a.Services, c.ID)
				} else if !seen[c.ID] {
					a.All = true
				}
			case content.KindAlert:
				a.Alerts = true
			case content.KindPage:
				a.Pages = true
			case content.KindRecording:
				// Audio only: nothing on screen changes.
			case content.KindTerm:
				// Search's next answers change; nothing on screen does.
			case content.KindClosure:
				// The phone-first screen, and every page with a desk of
				// the territory.
				a.Alerts, a.Other = true, true
			default:
				a.Other = true
			}
		}
	}
	return a
}

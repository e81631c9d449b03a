package mail

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"log/slog"
	"time"

	"github.com/punto-totem/punto/internal/sqlitedb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Sender delivers one rendered message (SMTP implements it).
type Sender interface {
	Send(ctx context.Context, to string, msg []byte) error
}

// Config is what an outbox needs.
type Config struct {
	// Path is the SQLite file (the portal's catalog) the outbox lives in.
	Path string
	// SMTP delivers; nil keeps every message in the outbox, undelivered
	// (a portal without --smtp), to go out once one is configured.
	SMTP *SMTP
	// From is the sender's address when SMTP is nil (default
	// punto@localhost).
	From string
	// Backoff is the first wait after a failed delivery (default 30 s);
	// each failure doubles it, up to MaxBackoff (default 1 h).
	Backoff, MaxBackoff time.Duration
	Log                 *slog.Logger
	Now                 func() time.Time
}

// Outbox is the durable queue of outgoing mail.
type Outbox struct {
	cfg  Config
	db   *sqlitedb.DB
	send Sender
	kick chan struct{}
}

const timeFormat = "2006-01-02T15:04:05.000000Z07:00"

// Open opens (creating or upgrading) the outbox tables in cfg.Path.
func Open(ctx context.Context, cfg Config) (*Outbox, error) {
	if cfg.Backoff <= 0 {
		cfg.Backoff = 30 * time.Second
	}
	if cfg.MaxBackoff < cfg.Backoff {
		cfg.MaxBackoff = max(time.Hour, cfg.Backoff)
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.From == "" {
		cfg.From = "punto@localhost"
	}
	if cfg.SMTP != nil {
		cfg.From = cfg.SMTP.From
	}
	db, err := sqlitedb.OpenModule(ctx, cfg.Path, "mail", migrations, false)
	if err != nil {
		return nil, err
	}
	o := &Outbox{cfg: cfg, db: db, kick: make(chan struct{}, 1)}
	if cfg.SMTP != nil {
		o.send = cfg.SMTP
	}
	return o, nil
}

// Close closes the outbox's connections.
func (o *Outbox) Close() error { return o.db.Close() }

func (o *Outbox) now() time.Time { return o.cfg.Now().UTC() }

// EnqueueTx writes m to the outbox inside tx, a transaction on the same
// file, so that the mail exists if and only if the change it tells of
// commits. Call Kick after the commit to send it at once.
func (o *Outbox) EnqueueTx(ctx context.Context, tx *sql.Tx, m Message) error {
	now := o.now()
	raw, err := m.render(o.cfg.From, now)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO mail_outbox(created_at, to_addr, subject, body, next_at) VALUES (?, ?, ?, ?, ?)`,
		now.Format(timeFormat), m.To, m.Subject, raw, now.Format(timeFormat))
	if err != nil {
		return fmt.Errorf("mail: enqueue: %w", err)
	}
	return nil
}

// Kick wakes the sender: something was enqueued.
func (o *Outbox) Kick() {
	select {
	case o.kick <- struct{}{}:
	default:
	}
}

// Status counts the outbox's messages.
type Status struct {
	Pending int `json:"pending"`
	Sent    int `json:"sent"`
	// Failing is how many pending messages failed at least once.
	Failing int `json:"failing"`
}

// Status counts what is waiting and what went out.
func (o *Outbox) Status(ctx context.Context) (Status, error) {
	var s Status
	err := o.db.R.QueryRowContext(ctx, `SELECT
		count(*) FILTER (WHERE sent_at IS NULL),
		count(*) FILTER (WHERE sent_at IS NOT NULL),
		count(*) FILTER (WHERE sent_at IS NULL AND attempts > 0) FROM mail_outbox`).Scan(&s.Pending, &s.Sent, &s.Failing)
	if err != nil {
		return s, fmt.Errorf("mail: status: %w", err)
	}
	return s, nil
}

// Run delivers due messages until ctx ends, waking when kicked and when
// the next retry falls due. Without SMTP it returns at once.
func (o *Outbox) Run(ctx context.Context) {
	if o.send == nil {
		o.cfg.Log.Warn("no --smtp: mail stays in the outbox")
		return
	}
	for {
		wait, err := o.deliverDue(ctx)
		if err != nil && ctx.Err() == nil {
			o.cfg.Log.Error("mail outbox", "err", err)
			wait = o.cfg.Backoff
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-o.kick:
		case <-t.C:
		}
		t.Stop()
	}
}

type pending struct {
	id       int64
	to       string
	body     []byte
	attempts int
}

// deliverDue sends every due message once and returns how long until
// the next one falls due (an hour when none waits).
func (o *Outbox) deliverDue(ctx context.Context) (time.Duration, error) {
	now := o.now()
	rows, err := o.db.R.QueryContext(ctx, `SELECT id, to_addr, body, attempts FROM mail_outbox
		WHERE sent_at IS NULL AND next_at <= ? ORDER BY id LIMIT 50`, now.Format(timeFormat))
	if err != nil {
		return 0, fmt.Errorf("mail: due: %w", err)
	}
	var due []pending
	for rows.Next() {
		var p pending
		if err := rows.Scan(&p.id, &p.to, &p.body, &p.attempts); err != nil {
			rows.Close()
			return 0, err
		}
		due = append(due, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, p := range due {
		if err := o.deliver(ctx, p); err != nil {
			return 0, err
		}
	}
	var next sql.NullString
	if err := o.db.R.QueryRowContext(ctx, "SELECT min(next_at) FROM mail_outbox WHERE sent_at IS NULL").Scan(&next); err != nil {
		return 0, fmt.Errorf("mail: next: %w", err)
	}
	if !next.Valid {
		return time.Hour, nil
	}
	at, _ := time.Parse(timeFormat, next.String)
	return max(at.Sub(o.now()), time.Millisecond), nil
}

// deliver sends one message and records the outcome: sent (the body is
// dropped), or a later retry.
func (o *Outbox) deliver(ctx context.Context, p pending) error {
	sendErr := o.send.Send(ctx, p.to, p.body)
	now := o.now()
	if sendErr == nil {
		_, err := o.db.W.ExecContext(ctx, "UPDATE mail_outbox SET sent_at = ?, body = NULL, attempts = attempts + 1, last_error = '' WHERE id = ?",
			now.Format(timeFormat), p.id)
		if err != nil {
			return fmt.Errorf("mail: mark sent: %w", err)
		}
		return nil
	}
	wait := o.cfg.Backoff
	for i := 0; i < p.attempts && wait < o.cfg.MaxBackoff; i++ {
		wait *= 2
	}
	wait = min(wait, o.cfg.MaxBackoff)
	o.cfg.Log.Warn("mail not delivered: will retry", "id", p.id, "attempt", p.attempts+1, "retry_in", wait, "err", sendErr)
	_, err := o.db.W.ExecContext(ctx, "UPDATE mail_outbox SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ?",
		now.Add(wait).Format(timeFormat), sendErr.Error(), p.id)
	if err != nil {
		return fmt.Errorf("mail: retry: %w", err)
	}
	return nil
}

// From is the sender's address of every message.
func (o *Outbox) From() string { return o.cfg.From }

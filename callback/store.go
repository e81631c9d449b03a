package callback

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/editorial"
	"github.com/punto-totem/punto/internal/sqlitedb"
	"github.com/punto-totem/punto/mediation"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Defaults.
const (
	DefaultRetention = 72 * time.Hour
	// PerNumberDay is how many call-backs one number may ask for a day.
	PerNumberDay = 3
)

// Config is what the call-back store needs.
type Config struct {
	// Editorial holds the accounts and the audit log; its catalog the
	// territories. The tables live in the same file.
	Editorial *editorial.Store
	// Mediation, if set, lets a mediator see the call-backs of their
	// languages and territories.
	Mediation *mediation.Store
	// Key encrypts the numbers; it must not live in the database file.
	Key *Key
	// Retention deletes a request this long after it was made (default
	// 72 h).
	Retention time.Duration
	Now       func() time.Time
	// LeaveCheckpoints: another process checkpoints the file (Litestream,
	// replicating it), so a purge does not truncate the write-ahead log
	// itself, which would wait on that process's read lock and take the
	// log from under it. The deleted pages then stay in the replica's
	// log for its retention.
	LeaveCheckpoints bool
}

// Store is the call-back queue of a portal.
type Store struct {
	cfg Config
	db  *sqlitedb.DB
	cat *content.Store
	// deleted is set when requests were deleted since the last
	// checkpoint: their (encrypted) pages may linger in the WAL.
	deleted atomic.Bool
}

// Open opens the call-back tables in the editorial store's file.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Editorial == nil || cfg.Key == nil {
		return nil, errors.New("callback: Config.Editorial and Config.Key are required")
	}
	if cfg.Retention <= 0 {
		cfg.Retention = DefaultRetention
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cat := cfg.Editorial.Catalog()
	db, err := sqlitedb.OpenModule(ctx, cat.Path(), "callback", migrations, true)
	if err != nil {
		return nil, err
	}
	return &Store{cfg: cfg, db: db, cat: cat}, nil
}

// Close closes the store's connections.
func (s *Store) Close() error { return s.db.Close() }

const timeFormat = "2006-01-02T15:04:05Z"

func (s *Store) now() time.Time { return s.cfg.Now().UTC() }

// The kinds of refusal.
var (
	ErrForbidden = errors.New("callback: forbidden")
	ErrNotFound  = errors.New("callback: not found")
)

// FieldError is bad input: the field at fault and why.
type FieldError struct{ Field, Reason string }

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// LimitError refuses a number that asked too often today.
type LimitError struct{ Wait time.Duration }

func (e *LimitError) Error() string {
	return "callback: this number has asked for enough call-backs today"
}

// In is a visitor's call-back request.
type In struct {
	Number    string `json:"number"`
	Language  string `json:"language"`
	Topic     string `json:"topic"`
	Territory string `json:"territory"`
	// Source is "phone", or "totem:ID" for a totem's (set by the server).
	Source string `json:"-"`
}

var numberPattern = regexp.MustCompile(`^\+?[0-9]{6,15}$`)

// Normalize keeps the digits (and a leading +) of a phone number typed
// with spaces, dots or dashes.
func Normalize(n string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(n) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return "!"
		}
	}
	return b.String()
}

// Create records a request; the number is stored encrypted. It refuses
// the fourth request of a number in a day.
func (s *Store) Create(ctx context.Context, in In) (int64, error) {
	number := Normalize(in.Number)
	if !numberPattern.MatchString(number) {
		return 0, &FieldError{"number", "is not a phone number (6–15 digits, a leading + allowed)"}
	}
	lang, err := mediation.Lang(in.Language)
	if err != nil {
		return 0, &FieldError{"language", err.Error()}
	}
	if !slices.Contains(mediation.Topics, in.Topic) {
		return 0, &FieldError{"topic", fmt.Sprintf("%q is not one of %s", in.Topic, strings.Join(mediation.Topics, ", "))}
	}
	if _, err := s.cat.Territory(ctx, in.Territory); err != nil {
		if errors.Is(err, content.ErrNotFound) || in.Territory == "" {
			return 0, &FieldError{"territory", fmt.Sprintf("no territory %q", in.Territory)}
		}
		return 0, err
	}
	if in.Source == "" {
		in.Source = "phone"
	}
	sealed, err := s.cfg.Key.seal(number)
	if err != nil {
		return 0, err
	}
	tag := s.cfg.Key.tag(number)
	now := s.now()
	local := now.In(content.Rome)
	day := local.Format(time.DateOnly)
	var id int64
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		err := tx.QueryRowContext(ctx, "SELECT n FROM callback_number_day WHERE number_tag = ? AND day = ?", tag, day).Scan(&n)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if n >= PerNumberDay {
			midnight := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, content.Rome)
			return &LimitError{Wait: midnight.Sub(now)}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO callback_number_day(number_tag, day, n) VALUES (?, ?, 1)
			ON CONFLICT(number_tag, day) DO UPDATE SET n = n + 1`, tag, day); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO callback_request(created_at, expires_at, lang, topic, territory_id, source, number_enc, number_tag)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, now.Format(timeFormat), now.Add(s.cfg.Retention).Format(timeFormat), lang, in.Topic, in.Territory, in.Source, sealed, tag)
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO callback_count(day, lang, topic, territory_id, n) VALUES (?, ?, ?, ?, 1)
			ON CONFLICT(day, lang, topic, territory_id) DO UPDATE SET n = n + 1`, day, lang, in.Topic, in.Territory)
		return err
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// Callback is one request in the queue, its number decrypted.
type Callback struct {
	ID        int64     `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Number    string    `json:"number"`
	Language  string    `json:"language"`
	Topic     string    `json:"topic"`
	Territory string    `json:"territory"`
	Source    string    `json:"source"`
}

// scope says which requests actor may see: a coordinator those of their
// territories, a mediator those of their languages and territories, an
// admin all.
func (s *Store) scope(ctx context.Context, actor *editorial.Account) (func(lang, territory string) bool, error) {
	switch actor.Role {
	case editorial.RoleAdmin:
		return func(string, string) bool { return true }, nil
	case editorial.RoleCoordinator:
		return func(_, t string) bool { return slices.Contains(actor.Territories, t) }, nil
	case editorial.RoleMediator:
		if s.cfg.Mediation == nil {
			break
		}
		m, err := s.cfg.Mediation.MediatorByEmail(ctx, actor.Name)
		if errors.Is(err, mediation.ErrNotFound) {
			break
		}
		if err != nil {
			return nil, err
		}
		return func(l, t string) bool {
			return m.Active && slices.Contains(m.Languages, l) && slices.Contains(m.Territories, t)
		}, nil
	}
	return nil, fmt.Errorf("%w: call-backs are for coordinators and mediators", ErrForbidden)
}

// List gives the requests actor may see, oldest first.
func (s *Store) List(ctx context.Context, actor *editorial.Account) ([]Callback, error) {
	may, err := s.scope(ctx, actor)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, created_at, expires_at, lang, topic, territory_id, source, number_enc FROM callback_request
		WHERE expires_at > ? ORDER BY id`, s.now().Format(timeFormat))
	if err != nil {
		return nil, fmt.Errorf("callback: list: %w", err)
	}
	defer rows.Close()
	out := []Callback{}
	for rows.Next() {
		var c Callback
		var created, expires string
		var sealed []byte
		if err := rows.Scan(&c.ID, &created, &expires, &c.Language, &c.Topic, &c.Territory, &c.Source, &sealed); err != nil {
			return nil, err
		}
		if !may(c.Language, c.Territory) {
			continue
		}
		if c.Number, err = s.cfg.Key.open(sealed); err != nil {
			return nil, err
		}
		c.CreatedAt, _ = time.Parse(timeFormat, created)
		c.ExpiresAt, _ = time.Parse(timeFormat, expires)
		out = append(out, c)
	}
	return out, rows.Err()
}

// Done deletes a request once someone has called back: it is not kept.
// The audit entry names the request, never the number.
func (s *Store) Done(ctx context.Context, actor *editorial.Account, id int64) error {
	may, err := s.scope(ctx, actor)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var lang, terr string
		err := tx.QueryRowContext(ctx, "SELECT lang, territory_id FROM callback_request WHERE id = ?", id).Scan(&lang, &terr)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: no call-back %d", ErrNotFound, id)
		}
		if err != nil {
			return err
		}
		if !may(lang, terr) {
			return fmt.Errorf("%w: this call-back is not for you", ErrForbidden)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM callback_request WHERE id = ?", id); err != nil {
			return err
		}
		s.deleted.Store(true)
		return editorial.AuditTx(ctx, tx, s.now(), editorial.AuditEntry{Actor: actor.Name, Action: "callback.done", Kind: "callback", RecordID: fmt.Sprint(id),
			After: editorial.JSONOf(map[string]string{"language": lang, "territory": terr})})
	})
}

// Purge deletes the requests past their retention and the per-number
// counts of past days, then truncates the write-ahead log, so that no
// deleted number lingers there. It says how many requests went.
func (s *Store) Purge(ctx context.Context) (int64, error) {
	now := s.now()
	res, err := s.db.W.ExecContext(ctx, "DELETE FROM callback_request WHERE expires_at <= ?", now.Format(timeFormat))
	if err != nil {
		return 0, fmt.Errorf("callback: purge: %w", err)
	}
	n, _ := res.RowsAffected()
	if _, err := s.db.W.ExecContext(ctx, "DELETE FROM callback_number_day WHERE day < ?", now.In(content.Rome).Format(time.DateOnly)); err != nil {
		return n, fmt.Errorf("callback: purge: %w", err)
	}
	if !s.cfg.LeaveCheckpoints && (n > 0 || s.deleted.Swap(false)) {
		if _, err := s.db.W.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			return n, fmt.Errorf("callback: purge checkpoint: %w", err)
		}
	}
	return n, nil
}

// Count is the aggregate that stays: call-backs asked for on a day.
type Count struct {
	Day       string `json:"day"`
	Language  string `json:"language"`
	Topic     string `json:"topic"`
	Territory string `json:"territory"`
	N         int    `json:"n"`
}

// Counts reads the aggregate from day from to day to (inclusive).
func (s *Store) Counts(ctx context.Context, from, to string) ([]Count, error) {
	rows, err := s.db.R.QueryContext(ctx, "SELECT day, lang, topic, territory_id, n FROM callback_count WHERE day >= ? AND day <= ? ORDER BY day, lang, topic, territory_id", from, to)
	if err != nil {
		return nil, fmt.Errorf("callback: counts: %w", err)
	}
	defer rows.Close()
	out := []Count{}
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Day, &c.Language, &c.Topic, &c.Territory, &c.N); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

package mediation

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/editorial"
	"github.com/punto-totem/punto/internal/sqlitedb"
	"github.com/punto-totem/punto/mail"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DefaultRetention is how long a closed request keeps its notes.
const DefaultRetention = 30 * 24 * time.Hour

// Config is what the mediation store needs.
type Config struct {
	// Editorial holds the accounts and the audit log; its catalog the
	// territories. The mediation tables live in the same file.
	Editorial *editorial.Store
	// Outbox, if set, sends the mails (to requesters, mediators and
	// coordinators) a change causes.
	Outbox *mail.Outbox
	// Retention is how long a closed request keeps its notes (default
	// DefaultRetention).
	Retention time.Duration
	// PortalURL is the editor's address named in the mails
	// (e.g. https://portale.example.org/editor).
	PortalURL string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// LeaveCheckpoints: another process checkpoints the file (Litestream,
	// replicating it), so a purge does not truncate the write-ahead log
	// itself (see callback.Config).
	LeaveCheckpoints bool
}

// Store is the mediation state of a portal.
type Store struct {
	cfg Config
	db  *sqlitedb.DB
	ed  *editorial.Store
	cat *content.Store
}

// Open opens the mediation tables in the editorial store's file, creating
// or upgrading them.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Editorial == nil {
		return nil, errors.New("mediation: Config.Editorial is nil")
	}
	if cfg.Retention <= 0 {
		cfg.Retention = DefaultRetention
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cat := cfg.Editorial.Catalog()
	db, err := sqlitedb.OpenModule(ctx, cat.Path(), "mediation", migrations, true)
	if err != nil {
		return nil, err
	}
	return &Store{cfg: cfg, db: db, ed: cfg.Editorial, cat: cat}, nil
}

// Close closes the store's connections.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) now() time.Time { return s.cfg.Now().UTC() }

// timeFormat is how the tables store times: UTC, fixed width, sortable.
const timeFormat = "2006-01-02T15:04:05Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}

// write runs fn in one transaction, then wakes the outbox: the change, its
// audit entry and its mails commit together or not at all.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if err := s.db.Tx(ctx, fn); err != nil {
		return err
	}
	if s.cfg.Outbox != nil {
		s.cfg.Outbox.Kick()
	}
	return nil
}

// audit appends an entry to editorial's log inside tx.
func (s *Store) audit(ctx context.Context, tx *sql.Tx, actor *editorial.Account, action, kind string, id int64, before, after any) error {
	return editorial.AuditTx(ctx, tx, s.now(), editorial.AuditEntry{Actor: actor.Name, Action: action, Kind: kind,
		RecordID: fmt.Sprint(id), Before: editorial.JSONOf(before), After: editorial.JSONOf(after)})
}

// checkTerritory returns the territory's ID if the catalog has it.
func (s *Store) checkTerritory(ctx context.Context, field, id string) error {
	if id == "" {
		return invalid(field, "is required")
	}
	if _, err := s.cat.Territory(ctx, id); err != nil {
		if errors.Is(err, content.ErrNotFound) {
			return invalid(field, fmt.Sprintf("no territory %q", id))
		}
		return err
	}
	return nil
}

// coversTerritory reports whether a may act on what lies in territory:
// an admin everywhere, a coordinator in their own territories.
func coversTerritory(a *editorial.Account, territory string) bool {
	switch a.Role {
	case editorial.RoleAdmin:
		return true
	case editorial.RoleCoordinator:
		return slices.Contains(a.Territories, territory)
	}
	return false
}

// coordinator refuses anyone but an admin or a coordinator.
func coordinator(a *editorial.Account) error {
	if a.Role != editorial.RoleAdmin && a.Role != editorial.RoleCoordinator {
		return forbidden("only a coordinator may do this")
	}
	return nil
}

// inTerritory refuses a coordinator acting outside their territories.
func inTerritory(a *editorial.Account, territory string) error {
	if err := coordinator(a); err != nil {
		return err
	}
	if !coversTerritory(a, territory) {
		return forbidden(fmt.Sprintf("territory %s is not one of yours", territory))
	}
	return nil
}

// queryAll runs a query and scans each row with scan.
func queryAll(ctx context.Context, db *sql.DB, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("mediation: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("mediation: %w", err)
		}
	}
	return rows.Err()
}

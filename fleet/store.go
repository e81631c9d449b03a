package fleet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/internal/sqlitedb"
)

// Store holds the fleet's tables: totem and totem_heartbeat (the registry),
// command, command_target and command_seen (remote commands), needs_count
// and needs_report (the needs figures). They live in the catalog file,
// whose migrations create them; the store has connections of its own to
// that file (internal/sqlitedb: one writer that takes the write lock at
// BEGIN, beside a pool of readers), and never goes through the catalog's.
type Store struct {
	db *sqlitedb.DB
}

// tables are the fleet's tables, all created by the catalog's migrations.
var tables = []string{"totem", "totem_heartbeat", "command", "command_target", "command_seen", "needs_count", "needs_report"}

// Open opens the fleet's tables in the catalog file at path. The catalog
// must have been opened first (content.Open), which creates the file and
// brings its schema, these tables included, up to date. Close the store
// when done.
func Open(ctx context.Context, path string) (*Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("fleet: %w", err)
	}
	db, err := sqlitedb.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("fleet: %w", err)
	}
	var n int
	err = db.R.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('"+strings.Join(tables, "', '")+"')").Scan(&n)
	if err == nil && n != len(tables) {
		err = fmt.Errorf("%s lacks the fleet's tables: open it as a catalog first (content.Open)", path)
	}
	if err != nil {
		return nil, errors.Join(fmt.Errorf("fleet: %w", err), db.Close())
	}
	return &Store{db: db}, nil
}

// Close closes the store's connections.
func (s *Store) Close() error { return s.db.Close() }

// invalid is a validation error, of the catalog's kind so that callers
// tell it apart the same way.
func invalid(field, format string, args ...any) error {
	return &content.ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

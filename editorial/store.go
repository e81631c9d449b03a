package editorial

import (
	"context"
	"errors"
	"time"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/fleet"
	"github.com/punto-totem/punto/internal/sqlitedb"
)

// Config is what the editorial store needs.
type Config struct {
	// Catalog is the master catalog; the editorial tables live in its file.
	Catalog *content.Store
	// Totems, if set, is the totem registry (the access rules check
	// alerts aimed at totems or areas with it).
	Totems TotemRegistry
	// Now is the clock (default time.Now); tests move it to expire sessions.
	Now func() time.Time
	// HashCost sets argon2id's cost for new password hashes (default:
	// 19 MiB, 2 passes); tests lower it.
	HashCost *HashCost
}

// TotemRegistry lists the registered totems.
type TotemRegistry interface {
	Totems(ctx context.Context) ([]fleet.Totem, error)
}

type noTotems struct{}

func (noTotems) Totems(context.Context) ([]fleet.Totem, error) { return nil, nil }

// Store is the editorial state of a portal.
type Store struct {
	db     *sqlitedb.DB
	cat    *content.Store
	totems TotemRegistry
	clock  func() time.Time
	hash   HashCost
}

// Open opens the editorial tables in the catalog's file, creating or
// upgrading them.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Catalog == nil {
		return nil, errors.New("editorial: Config.Catalog is nil")
	}
	db, err := sqlitedb.Open(ctx, cfg.Catalog.Path())
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, db.W); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	s := &Store{db: db, cat: cfg.Catalog, totems: cfg.Totems, clock: cfg.Now, hash: DefaultHashCost}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.totems == nil {
		s.totems = noTotems{}
	}
	if cfg.HashCost != nil {
		s.hash = *cfg.HashCost
	}
	return s, nil
}

// Close closes the store's connections (not the catalog).
func (s *Store) Close() error { return s.db.Close() }

// Catalog is the catalog the store edits.
func (s *Store) Catalog() *content.Store { return s.cat }

func (s *Store) now() time.Time { return s.clock().UTC() }

// timeFormat is how the editorial tables store times: UTC, fixed width,
// so that they sort as strings.
const timeFormat = "2006-01-02T15:04:05.000000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(timeFormat, s)
	return t
}

package content

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// ErrNotCatalog is returned when a file is a database but not a catalog.
var ErrNotCatalog = errors.New("content: not a Punto catalog")

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one numbered step of the schema, applied in its own
// transaction. Steps are append-only: never edit one that has shipped.
type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("content: migration %q: name must start with a number", e.Name())
		}
		body, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("content: migration %q: expected version %d", m.name, i+1)
		}
	}
	return ms, nil
}

// goSteps are the parts of migrations that SQL alone cannot do, run after
// the step's SQL in its transaction.
var goSteps = map[int]func(context.Context, *sql.Tx) error{
	9:  backfillUUIDs,
	16: dropLocationGeomNotNull,
}

// dropLocationGeomNotNull makes location.geom nullable by rewriting its
// column definition in sqlite_schema (https://sqlite.org/lang_altertable.html,
// "making other kinds of table schema changes": removing a NOT NULL needs
// no change to the stored rows), then bumps schema_version so that every
// connection reads the new definition.
func dropLocationGeomNotNull(ctx context.Context, tx *sql.Tx) error {
	var def string
	if err := tx.QueryRowContext(ctx, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'location'").Scan(&def); err != nil {
		return err
	}
	re := regexp.MustCompile(`(?i)(\bgeom\s+BLOB)\s+NOT\s+NULL`)
	if !re.MatchString(def) {
		return errors.New("location.geom: definition not as expected")
	}
	def = re.ReplaceAllString(def, "$1")
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA schema_version").Scan(&version); err != nil {
		return err
	}
	for _, q := range []string{
		"PRAGMA writable_schema = ON",
		"UPDATE sqlite_schema SET sql = " + quoteSQL(def) + " WHERE type = 'table' AND name = 'location'",
		fmt.Sprintf("PRAGMA schema_version = %d", version+1),
		"PRAGMA writable_schema = OFF",
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	var ok string
	if err := tx.QueryRowContext(ctx, "PRAGMA integrity_check(location)").Scan(&ok); err != nil {
		return err
	}
	if ok != "ok" {
		return fmt.Errorf("location after the change: %s", ok)
	}
	return nil
}

// quoteSQL is s as an SQL string literal.
func quoteSQL(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// SchemaVersion is the schema version this build writes.
func SchemaVersion() int {
	ms, _ := loadMigrations()
	return len(ms)
}

// migrate brings the database to the latest schema. The version lives in
// PRAGMA user_version, updated in the same transaction as each step.
func migrate(ctx context.Context, db *sql.DB) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	var current int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("content: read schema version: %w", err)
	}
	if current == 0 {
		// A new file is empty; a file with tables but no version is some
		// other database, which Punto must not write its schema into.
		var tables int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table'").Scan(&tables); err != nil {
			return fmt.Errorf("content: read schema: %w", err)
		}
		if tables > 0 {
			return ErrNotCatalog
		}
	}
	if current > len(ms) {
		return fmt.Errorf("content: catalog schema version %d is newer than this program (%d): upgrade punto", current, len(ms))
	}
	for _, m := range ms[current:] {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return fmt.Errorf("content: migration %s: %w", m.name, err)
		}
		if step := goSteps[m.version]; step != nil {
			if err := step(ctx, tx); err != nil {
				tx.Rollback()
				return fmt.Errorf("content: migration %s: %w", m.name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
			tx.Rollback()
			return fmt.Errorf("content: migration %s: %w", m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("content: migration %s: %w", m.name, err)
		}
	}
	return nil
}

package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// Migrate brings one module's tables to its latest schema. The steps are
// the files NNNN_name.sql of files, numbered from 1 and append-only, each
// applied in its own transaction together with the module's version in
// the schema_module table. The catalog's own schema uses PRAGMA
// user_version (content.migrate); the other stores of the file use this.
func Migrate(ctx context.Context, w *sql.DB, module string, files fs.FS) error {
	steps, err := loadSteps(module, files)
	if err != nil {
		return err
	}
	if _, err := w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_module (
		module  TEXT PRIMARY KEY,
		version INTEGER NOT NULL
	) WITHOUT ROWID`); err != nil {
		return fmt.Errorf("sqlitedb: %s schema: %w", module, err)
	}
	var current int
	err = w.QueryRowContext(ctx, "SELECT version FROM schema_module WHERE module = ?", module).Scan(&current)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlitedb: %s schema: %w", module, err)
	}
	if current > len(steps) {
		return fmt.Errorf("sqlitedb: %s schema version %d is newer than this program (%d): upgrade punto", module, current, len(steps))
	}
	for _, st := range steps[current:] {
		if err := applyStep(ctx, w, module, st); err != nil {
			return err
		}
	}
	return nil
}

type step struct {
	version int
	name    string
	sql     string
}

func loadSteps(module string, files fs.FS) ([]step, error) {
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		return nil, err
	}
	var steps []step
	for _, name := range names {
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("sqlitedb: %s migration %q: name must start with a number", module, name)
		}
		body, err := fs.ReadFile(files, name)
		if err != nil {
			return nil, err
		}
		steps = append(steps, step{version: v, name: name, sql: string(body)})
	}
	sort.Slice(steps, func(i, j int) bool { return steps[i].version < steps[j].version })
	for i, st := range steps {
		if st.version != i+1 {
			return nil, fmt.Errorf("sqlitedb: %s migration %q: expected version %d", module, st.name, i+1)
		}
	}
	return steps, nil
}

func applyStep(ctx context.Context, w *sql.DB, module string, st step) error {
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, st.sql)
	if err == nil {
		_, err = tx.ExecContext(ctx, `INSERT INTO schema_module(module, version) VALUES (?, ?)
			ON CONFLICT(module) DO UPDATE SET version = excluded.version`, module, st.version)
	}
	if err == nil {
		err = tx.Commit()
	}
	if err != nil {
		return errors.Join(fmt.Errorf("sqlitedb: %s migration %s: %w", module, st.name, err), ignoreDone(tx.Rollback()))
	}
	return nil
}

// OpenModule opens path for a module that keeps tables of its own beside
// the catalog's, and brings them up to date from the migrations folder of
// files. secureDelete overwrites what the module deletes (data about
// people) instead of leaving it in the file's free pages.
func OpenModule(ctx context.Context, path, module string, files fs.FS, secureDelete bool) (*DB, error) {
	db, err := Open(ctx, path)
	if err != nil {
		return nil, err
	}
	sub, err := fs.Sub(files, "migrations")
	if err == nil {
		err = Migrate(ctx, db.W, module, sub)
	}
	if err == nil && secureDelete {
		// The writer pool is one connection: the pragma holds for it.
		_, err = db.W.ExecContext(ctx, "PRAGMA secure_delete = ON")
	}
	if err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return db, nil
}

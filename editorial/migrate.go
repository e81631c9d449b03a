package editorial

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"strings"

	"github.com/punto-totem/punto/internal/sqlitedb"
)

//go:embed migrations/*.sql
var migrations embed.FS

func migrate(ctx context.Context, w *sql.DB) error {
	files, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	if err := sqlitedb.Migrate(ctx, w, "editorial", files); err != nil {
		return err
	}
	// Step 2 rewrites a CHECK in sqlite_schema by its text: a table whose
	// text differed would refuse the new roles, so say so now.
	var def string
	if err := w.QueryRowContext(ctx, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'portal_account'").Scan(&def); err != nil {
		return fmt.Errorf("editorial: portal_account: %w", err)
	}
	if !strings.Contains(def, "'requester'") {
		return fmt.Errorf("editorial: portal_account's role check was not widened to the mediation roles: %s", def)
	}
	// Moving the schema cookie
	// makes every connection to the file read the schema again.
	var v int
	if err := w.QueryRowContext(ctx, "PRAGMA schema_version").Scan(&v); err != nil {
		return fmt.Errorf("editorial: schema version: %w", err)
	}
	if _, err := w.ExecContext(ctx, fmt.Sprintf("PRAGMA schema_version = %d", v+1)); err != nil {
		return fmt.Errorf("editorial: schema version: %w", err)
	}
	return nil
}

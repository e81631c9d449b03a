package editorial

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

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
	// Step 2 rewrites a CHECK in sqlite_schema: moving the schema cookie
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

package editorial

import (
	"context"
	"database/sql"
	"embed"
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
	return sqlitedb.Migrate(ctx, w, "editorial", files)
}

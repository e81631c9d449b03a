package exchange

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/punto-totem/punto/content"
)

// What a streamed import remembers across records (the IDs it has read,
// digests of the organizations and locations given, the organizations it
// left out) is kept in a temporary table of the import's own transaction,
// not in memory: memory stays the same whatever the number of records.
// The table lives on the writer's connection (SQLite's temporary store,
// paged to disk past its cache), is emptied when an import starts and
// goes with the connection.

// What a row of the seen table is about.
const (
	seenService  = iota + 1 // a service read
	seenOrg                 // an organization given (digest of its record)
	seenLeftOut             // an organization left out (lenient) or refused
	seenLocation            // a location given (digest of its record)
	seenOrgRow              // a flat CSV organization: its columns as first given, and that line
)

// seenTable is the temporary table of a streamed import.
type seenTable struct{ b *content.Batch }

// newSeenTable makes the batch's seen table, empty.
func newSeenTable(b *content.Batch) (*seenTable, error) {
	for _, q := range []string{
		`CREATE TEMP TABLE IF NOT EXISTS import_seen(kind INTEGER NOT NULL, id TEXT NOT NULL,
			digest INTEGER NOT NULL DEFAULT 0, line INTEGER NOT NULL DEFAULT 0, doc TEXT NOT NULL DEFAULT '',
			PRIMARY KEY(kind, id)) WITHOUT ROWID`,
		`DELETE FROM temp.import_seen`,
	} {
		if _, err := b.Exec(q); err != nil {
			return nil, fmt.Errorf("exchange: import table: %w", err)
		}
	}
	return &seenTable{b: b}, nil
}

// seenRow is what the table holds about one record.
type seenRow struct {
	digest uint64
	line   int
	doc    string
}

// get reads what the table holds about id (ok is false when nothing).
func (t *seenTable) get(kind int, id string) (r seenRow, ok bool, err error) {
	var d int64
	err = t.b.QueryRow("SELECT digest, line, doc FROM temp.import_seen WHERE kind = ? AND id = ?", kind, id).Scan(&d, &r.line, &r.doc)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return seenRow{}, false, nil
	case err != nil:
		return seenRow{}, false, fmt.Errorf("exchange: import table: %w", err)
	}
	r.digest = uint64(d)
	return r, true, nil
}

// has reports whether the table holds id.
func (t *seenTable) has(kind int, id string) (bool, error) {
	_, ok, err := t.get(kind, id)
	return ok, err
}

// put notes id, replacing what the table held about it.
func (t *seenTable) put(kind int, id string, r seenRow) error {
	if _, err := t.b.Exec("INSERT OR REPLACE INTO temp.import_seen(kind, id, digest, line, doc) VALUES (?, ?, ?, ?, ?)",
		kind, id, int64(r.digest), r.line, r.doc); err != nil {
		return fmt.Errorf("exchange: import table: %w", err)
	}
	return nil
}

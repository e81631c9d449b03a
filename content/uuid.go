package content

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/google/uuid"
)

// uuidSpace is the UUIDv5 namespace of Punto's records: a record's UUID
// derived from its kind and slug is the same on every portal and totem.
var uuidSpace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/punto-totem/punto/records"))

// RecordUUID is the UUID a record of kind ("organization", "service",
// "location") with slug id gets when it comes without one: UUIDv5, stable.
func RecordUUID(kind, id string) string {
	return uuid.NewSHA1(uuidSpace, []byte(kind+"/"+id)).String()
}

// PartUUID is the UUID of a part that Punto keeps without an ID of its own
// (a phone, a schedule, a service at a location): UUIDv5 of its owner's
// UUID and its path under the owner ("phone/0").
func PartUUID(owner, path string) string {
	ns, err := uuid.Parse(owner)
	if err != nil {
		ns = uuidSpace
	}
	return uuid.NewSHA1(ns, []byte(path)).String()
}

// ValidUUID reports whether s is a UUID in canonical form (lower-case
// hex, hyphenated), the only form Punto stores.
func ValidUUID(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && u.String() == s
}

// CanonicalUUID returns s in canonical form, or "" when s is no UUID.
func CanonicalUUID(s string) string {
	if len(s) != 36 {
		return ""
	}
	u, err := uuid.Parse(s)
	if err != nil {
		return ""
	}
	return u.String()
}

// backfillUUIDs gives every record without a UUID its derived one (the
// Go part of migration 0008).
func backfillUUIDs(ctx context.Context, tx *sql.Tx) error {
	for _, table := range []string{"organization", "service", "location"} {
		rows, err := tx.QueryContext(ctx, "SELECT id FROM "+table+" WHERE uuid IS NULL")
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		st, err := tx.PrepareContext(ctx, "UPDATE "+table+" SET uuid = ? WHERE id = ?")
		if err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := st.ExecContext(ctx, RecordUUID(table, id), id); err != nil {
				st.Close()
				return fmt.Errorf("content: uuid of %s %s: %w", table, id, err)
			}
		}
		st.Close()
	}
	return nil
}

// UUIDs maps the slug of every record of kind ("organization", "service",
// "location") to its UUID.
func (s *Store) UUIDs(ctx context.Context, kind string) (map[string]string, error) {
	switch kind {
	case KindOrganization, KindService, "location":
	default:
		return nil, invalid("kind", "%q has no UUIDs", kind)
	}
	rows, err := s.r.QueryContext(ctx, "SELECT id, coalesce(uuid, '') FROM "+kind)
	if err != nil {
		return nil, fmt.Errorf("content: uuids: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, u string
		if err := rows.Scan(&id, &u); err != nil {
			return nil, fmt.Errorf("content: uuids: %w", err)
		}
		out[id] = u
	}
	return out, rows.Err()
}

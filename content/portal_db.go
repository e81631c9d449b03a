package content

import "database/sql"

// PortalDB returns the catalog file's writer and reader connections for the
// editor portal's own tables (portal_*: accounts, sessions, drafts, audit;
// see migrations/0005_portal.sql). They live in the catalog file so that one
// file holds the whole portal and a restart keeps sessions. Catalog records
// must never be written through these connections: they change only through
// Write and the change feed.
func (s *Store) PortalDB() (writer, reader *sql.DB) { return s.w, s.r }

package content

import (
	"context"
	"slices"
	"testing"

	"github.com/punto-totem/punto/geo"
)

// Migration 18: a catalog whose searchable text sat in the FTS5 table
// keeps it, in service_text, and the FTS5 table and its storage are gone;
// its services are found by their words as before.
func TestMigrationKeepsSearchText(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path, db := catalogAt(t, 17)
	blob, err := geo.EncodeBlob(DemoTotem, geo.SRID)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"INSERT INTO organization(id, uuid) VALUES ('org-old', 'u1')", nil},
		{"INSERT INTO service(pk, id, organization_id, status, updated_at, uuid) VALUES (7, 'svc-old', 'org-old', 'active', '2026-01-01T00:00:00Z', 'u2')", nil},
		{"INSERT INTO location(pk, id, comune, geom, uuid) VALUES (3, 'loc-old', 'Ancona', ?, 'u3')", []any{blob}},
		{"INSERT INTO service_at_location(service_id, location_id) VALUES ('svc-old', 'loc-old')", nil},
		{"INSERT INTO service_fts(rowid, names, body) VALUES (7, 'sportello zanzibarico', 'ancona piazza')", nil},
		{"PRAGMA user_version = 17", nil},
	} {
		if _, err := db.Exec(q.sql, q.args...); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var names, body string
	if err := st.r.QueryRow("SELECT names, body FROM service_text WHERE pk = 7").Scan(&names, &body); err != nil || names != "sportello zanzibarico" || body != "ancona piazza" {
		t.Fatalf("service_text: %q %q %v", names, body, err)
	}
	var fts int
	if err := st.r.QueryRow("SELECT count(*) FROM sqlite_master WHERE name LIKE 'service_fts%'").Scan(&fts); err != nil || fts != 0 {
		t.Errorf("%d FTS5 objects left (%v)", fts, err)
	}
	if got := findIDs(t, st, "zanzibarico", "it"); !slices.Equal(got, []string{"svc-old"}) {
		t.Errorf("the old service by its word: %v", got)
	}
}

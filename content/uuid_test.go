package content

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/geo"
	"github.com/punto-totem/punto/internal/sqlitedb"
)

// A record keeps its UUID: the one it came with, else the one derived from
// its slug; writing it again without one does not change it.
func TestRecordUUIDsAreStable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTest(t)
	const given = "ac148810-d857-441c-9679-408f346de14b"
	svc := fullService()
	svc.UUID = given
	svc.Locations[0].UUID = "3e1d7e26-4d8c-4a1a-9e2b-9a3f6a0e3c11"
	org := Organization{ID: "org-1", Name: Text{"it": "Comune (demo)"}}
	err := s.Write(ctx, func(b *Batch) error {
		if err := b.PutOrganization(&org); err != nil {
			return err
		}
		return b.PutService(&svc)
	})
	if err != nil {
		t.Fatal(err)
	}
	// Written again as the editor would, without UUIDs.
	svc.UUID, svc.Locations[0].UUID = "", ""
	if err := s.PutService(ctx, &svc); err != nil {
		t.Fatal(err)
	}
	got, err := s.Service(ctx, svc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.UUID != given || got.Locations[0].UUID != "3e1d7e26-4d8c-4a1a-9e2b-9a3f6a0e3c11" {
		t.Errorf("uuids after a rewrite without them: service %q, location %q", got.UUID, got.Locations[0].UUID)
	}
	o, err := s.Organization(ctx, "org-1")
	if err != nil {
		t.Fatal(err)
	}
	if want := RecordUUID(KindOrganization, "org-1"); o.UUID != want || !ValidUUID(o.UUID) {
		t.Errorf("organization uuid %q, want the derived %q", o.UUID, want)
	}
	if RecordUUID(KindService, "a") == RecordUUID(KindOrganization, "a") {
		t.Error("a service and an organization with the same slug share a UUID")
	}
	bad := fullService()
	bad.UUID = "AC148810-D857-441C-9679-408F346DE14B"
	if err := s.PutService(ctx, &bad); err == nil {
		t.Error("an upper-case UUID was stored")
	}
}

// catalogAt makes a catalog file with the first n migrations' schema
// (user_version is left for the test to set, with its rows) and returns
// its path and a connection to it.
func catalogAt(t *testing.T, n int) (string, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite3", sqlitedb.DSN(path, false, true))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:n] {
		if _, err := db.Exec(m.sql); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
	}
	return path, db
}

// Migration 8 gives the records of an older catalog their derived UUIDs.
func TestMigrationBackfillsUUIDs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path, db := catalogAt(t, 7)
	blob, err := geo.EncodeBlob(orb.Point{13.5, 43.6}, geo.SRID)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"INSERT INTO organization(id) VALUES ('org-old')",
		"INSERT INTO service(id, organization_id, updated_at) VALUES ('svc-old', 'org-old', '2026-01-01T00:00:00Z')",
		"PRAGMA user_version = 7",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := db.Exec("INSERT INTO location(id, comune, geom) VALUES ('loc-old', 'Ancona', ?)", blob); err != nil {
		t.Fatal(err)
	}
	db.Close()
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for table, id := range map[string]string{"organization": "org-old", "service": "svc-old", "location": "loc-old"} {
		var got string
		if err := st.r.QueryRow("SELECT uuid FROM "+table+" WHERE id = ?", id).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != RecordUUID(table, id) {
			t.Errorf("%s %s: uuid %q, want %q", table, id, got, RecordUUID(table, id))
		}
	}
}

// Positions are kept to 7 decimals.
func TestPointsRoundedTo7Decimals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTest(t)
	svc := fullService()
	svc.Locations[0].Point = orb.Point{13.515312345678901, 43.616987654321012}
	if err := s.Write(ctx, func(b *Batch) error {
		if err := b.PutOrganization(&Organization{ID: "org-1", Name: Text{"it": "Comune (demo)"}}); err != nil {
			return err
		}
		return b.PutService(&svc)
	}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Service(ctx, svc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p := got.Locations[0].Point; p != (orb.Point{13.5153123, 43.6169877}) {
		t.Errorf("point %v", p)
	}
}

package main

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/internal/testenv"
)

// sendSnapshotFile sends a signed manifest of the file at path, at the
// feed position st, then the file in data frames, as a portal does.
func (f *fakePortal) sendSnapshotFile(ws *websocket.Conn, path string, st feed.State) {
	f.t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		f.t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	payload, _ := json.Marshal(feed.Envelope{Type: feed.EnvelopeSnapshot, Expires: time.Now().Add(time.Minute).UTC(),
		Snapshot: &feed.SnapshotManifest{Seq: st.Seq, Hash: hex.EncodeToString(st.Hash[:]), Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}})
	f.send(ws, feed.Sign(f.key, payload))
	for len(data) > 0 {
		n := min(len(data), 1<<20)
		if err := ws.WriteMessage(websocket.BinaryMessage, append([]byte{'D'}, data[:n]...)); err != nil {
			f.t.Fatal(err)
		}
		data = data[n:]
	}
}

// TestTotemRefusesHostileSnapshots sends a real totem process snapshots
// signed by its portal's key whose files are code or broken: a recursive
// view in place of a table, a trigger, an extra table, a corrupt
// R*Tree. Each is refused within seconds and
// the totem goes on answering searches; a genuine snapshot still applies.
func TestTotemRefusesHostileSnapshots(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	pub, key, _ := ed25519.GenerateKey(nil)
	// A genuine snapshot of a catalog one publish ahead of the totem's.
	portalDB := filepath.Join(dir, "portal.db")
	testenv.CopyDemo(t, portalDB)
	master, err := content.Open(ctx, portalDB)
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	svc, err := master.Service(ctx, "ancona-info-0")
	if err != nil {
		t.Fatal(err)
	}
	svc.Name["it"] = "Sportello dalla fotografia"
	doc, _ := json.Marshal(svc)
	if _, err := feed.Publish(ctx, master, "test", []content.Change{{Kind: content.KindService, ID: svc.ID, Op: content.OpPut, Doc: doc}}, nil); err != nil {
		t.Fatal(err)
	}
	genuine := filepath.Join(dir, "genuine.snapshot")
	st, _, err := feed.WriteSnapshot(ctx, master, genuine)
	if err != nil {
		t.Fatal(err)
	}
	hostile := func(name string, stmts ...string) string {
		path := filepath.Join(dir, name+".snapshot")
		data, err := os.ReadFile(genuine)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=DELETE")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		db.SetMaxOpenConns(1)
		for _, s := range stmts {
			if _, err := db.Exec(s); err != nil {
				t.Fatalf("%s: %s: %v", name, s, err)
			}
		}
		return path
	}
	cases := []struct{ name, path string }{
		{"recursive view in place of a table", hostile("view",
			"PRAGMA writable_schema = ON", // the view keeps the table's name, as an attacker's file would
			"DROP TABLE alert",
			"CREATE VIEW alert AS WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT * FROM r, r AS a, r AS b")},
		{"trigger", hostile("trigger",
			"CREATE TRIGGER t AFTER INSERT ON page BEGIN DELETE FROM service; END")},
		{"extra table", hostile("extra", "CREATE TABLE payload(x BLOB)")},
		{"corrupt location index", hostile("rtree",
			"UPDATE idx_location_geom_node SET data = zeroblob(length(data))")},
	}

	fake, base, _ := startHostile(t, dir, pub, key)
	search := func() int {
		res, err := http.Get(base + "/api/v1/search?q=medico&lang=it")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	ws, _ := fake.accept()
	for _, c := range cases {
		start := time.Now()
		fake.sendSnapshotFile(ws, c.path, st)
		typ, reason, _ := answer(t, ws)
		took := time.Since(start)
		if typ != "reject" || reason != "invalid" {
			t.Errorf("%s: answered %s %q, want reject invalid", c.name, typ, reason)
		}
		t.Logf("%s: refused in %v", c.name, took.Round(time.Millisecond))
		if took > 15*time.Second {
			t.Errorf("%s: took %v", c.name, took)
		}
		if code := search(); code != 200 {
			t.Errorf("%s: search answers %d", c.name, code)
		}
		if got := serviceName(t, base, svc.ID); got == svc.Name["it"] {
			t.Fatalf("%s: applied", c.name)
		}
		ws.Close()
		ws, _ = fake.accept()
	}
	fake.sendSnapshotFile(ws, genuine, st)
	if typ, _, seq := answer(t, ws); typ != "ack" || seq != st.Seq {
		t.Fatalf("the genuine snapshot: %s %d", typ, seq)
	}
	if got := serviceName(t, base, svc.ID); got != svc.Name["it"] {
		t.Errorf("after the genuine snapshot: %q", got)
	}
	if code := search(); code != 200 {
		t.Errorf("search after the genuine snapshot answers %d", code)
	}
}

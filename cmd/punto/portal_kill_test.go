package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/punto-totem/punto/internal/testenv"
)

// soakKills is how many times TestPortalKilledDuringPublish kills the
// portal: a few in `make test`, PUNTO_SOAK_KILLS under `make soak`.
func soakKills(t *testing.T, def int) int {
	t.Helper()
	if v := os.Getenv("PUNTO_SOAK_KILLS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("PUNTO_SOAK_KILLS=%q", v)
		}
		return n
	}
	return def
}

// TestPortalKilledDuringPublish SIGKILLs a real portal while an admin
// publishes drafts and imports a whole catalog over and over. After each
// kill the file is whole, every change published has its audit entry
// (0 published-without-audit), and every publish the editor was told of
// is there (0 acknowledged-and-lost).
func TestPortalKilledDuringPublish(t *testing.T) {
	t.Parallel()
	kills := soakKills(t, 2)
	n := newNetwork(t)
	admin := loginEditor(t, n.portalURL, "admin", adminPassword)
	export := exportHSDS(t, n.portalDB)
	var (
		mu    sync.Mutex
		acked int64 // the highest sequence a publish or import answered
	)
	post := func(path string, body []byte, contentType string) (int, []byte, error) {
		req, _ := http.NewRequest("POST", n.portalURL+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("X-CSRF-Token", admin.csrf)
		res, err := admin.http.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer res.Body.Close()
		out, err := io.ReadAll(res.Body)
		return res.StatusCode, out, err
	}
	ack := func(code int, body []byte) {
		var out struct {
			Seq int64 `json:"seq"`
		}
		if code == 200 && json.Unmarshal(body, &out) == nil {
			mu.Lock()
			acked = max(acked, out.Seq)
			mu.Unlock()
		}
	}
	round := 0
	inFlight := make(chan struct{}, 1) // an import is on its way
	work := func(stop <-chan struct{}) {
		for {
			select {
			case <-stop:
				return
			default:
			}
			round++
			select {
			case inFlight <- struct{}{}:
			default:
			}
			// Part of a catalog changed by an import…
			code, body, err := post("/editor/api/import?format=hsds", []byte(strings.ReplaceAll(export, "(demo)", fmt.Sprintf("(demo %d)", round))), "application/json")
			if err != nil {
				return
			}
			ack(code, body)
			// …and a draft published.
			doc, err := publishedService(admin, "ancona-info-0")
			if err != nil {
				return
			}
			doc["name"].(map[string]any)["it"] = fmt.Sprintf("Sportello, versione %d", round)
			draft, _ := json.Marshal(doc)
			req, _ := http.NewRequest("PUT", n.portalURL+"/editor/api/services/ancona-info-0/draft", bytes.NewReader(draft))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-CSRF-Token", admin.csrf)
			res, err := admin.http.Do(req)
			if err != nil {
				return
			}
			res.Body.Close()
			pub, _ := json.Marshal(map[string]any{"drafts": []map[string]string{{"kind": "service", "id": "ancona-info-0"}}})
			code, body, err = post("/editor/api/publish", pub, "application/json")
			if err != nil {
				return
			}
			ack(code, body)
		}
	}
	for k := range kills {
		stop := make(chan struct{})
		done := make(chan struct{})
		mu.Lock()
		before := acked
		mu.Unlock()
		go func() { work(stop); close(done) }()
		// Something published since the last kill, then an import under
		// way: the kill lands at a random moment of it.
		testenv.Eventually(t, 2*time.Minute, "a publish", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return acked > before
		})
		<-inFlight
		<-inFlight
		<-time.After(time.Duration(rand.IntN(400)) * time.Millisecond)
		n.portal.Kill()
		close(stop)
		<-done
		head, unaudited := checkPortalFile(t, n.portalDB)
		mu.Lock()
		lost := acked - head
		mu.Unlock()
		t.Logf("kill %d: head %d, published without audit %d, acknowledged and lost %d", k+1, head, unaudited, max(lost, 0))
		if unaudited != 0 || lost > 0 {
			t.Fatalf("kill %d: %d published without audit, acknowledged %d but the file holds %d", k+1, unaudited, acked, head)
		}
		n.startPortal()
	}
	if acked == 0 {
		t.Error("nothing was published between the kills")
	}
}

// exportHSDS is the HSDS JSON export of a catalog file.
func exportHSDS(t *testing.T, db string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "export.json")
	testenv.RunPunto(t, "", "catalog", "export", "--format", "hsds", "--db", db, "--out", out)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// Its first 20 services: an import that takes a moment, not minutes.
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if contents, ok := doc["contents"].([]any); ok && len(contents) > 20 {
		doc["contents"], doc["total_items"] = contents[:20], 20
	}
	data, _ = json.Marshal(doc)
	return string(data)
}

// publishedService reads a service's published document without failing
// the test (the portal may be gone).
func publishedService(e *editorClient, id string) (map[string]any, error) {
	res, err := e.http.Get(e.base + "/editor/api/services/" + id)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var rec struct {
		Published map[string]any `json:"published"`
	}
	if err := json.NewDecoder(res.Body).Decode(&rec); err != nil || rec.Published == nil {
		return nil, fmt.Errorf("service %s: %d %v", id, res.StatusCode, err)
	}
	return rec.Published, nil
}

// checkPortalFile opens a killed portal's file: it must pass SQLite's
// integrity check; it returns the feed's head and how many published
// changes have no audit entry.
func checkPortalFile(t *testing.T, path string) (head, unaudited int64) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ok string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity check: %q %v", ok, err)
	}
	if err := db.QueryRow("SELECT seq FROM sync_state WHERE one = 1").Scan(&head); err != nil {
		t.Fatal(err)
	}
	var logged int64
	if err := db.QueryRow("SELECT coalesce(max(seq), 0) FROM change_log").Scan(&logged); err != nil || logged != head {
		t.Fatalf("change log ends at %d, the feed at %d: %v", logged, head, err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM change_log c WHERE NOT EXISTS (SELECT 1 FROM portal_audit a WHERE a.seq = c.seq)`).Scan(&unaudited); err != nil {
		t.Fatal(err)
	}
	return head, unaudited
}

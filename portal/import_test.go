package portal

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/exchange"
	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/internal/testenv"
)

// catalogPublisher publishes to the catalog itself, as the hub does, and
// counts the publishes that went through.
type catalogPublisher struct {
	st    *content.Store
	mu    sync.Mutex
	calls int
}

func (p *catalogPublisher) Publish(ctx context.Context, author string, changes []content.Change, also func(tx *sql.Tx, last int64) error) (int64, error) {
	b, err := feed.Publish(ctx, p.st, author, changes, also)
	if err != nil {
		return 0, err
	}
	p.mu.Lock()
	p.calls++
	p.mu.Unlock()
	return b.Last, nil
}

func (p *catalogPublisher) Kick(string) {}

func (p *catalogPublisher) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}

// importEnv is a portal on the demo catalog whose publishes reach the
// catalog.
func importEnv(t *testing.T) (*env, *catalogPublisher) {
	t.Helper()
	st := demoStore(t)
	pub := &catalogPublisher{st: st}
	// Uploads as large as the portal takes (cmd/punto sets the same limit).
	app := fiber.New(fiber.Config{BodyLimit: MaxUpload})
	e := &env{t: t, app: app, st: st, clock: testenv.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))}
	if err := Mount(e.app, Config{Editorial: edOf(t, st, e.clock.Now), Totems: fleetOf(t, st), Publisher: pub, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: e.clock.Now}); err != nil {
		t.Fatal(err)
	}
	if err := addUser(t, st, adminName, "admin", nil, adminPass); err != nil {
		t.Fatal(err)
	}
	if err := addUser(t, st, editorName, "editor", []string{anconaTerritory}, editorPass); err != nil {
		t.Fatal(err)
	}
	return e, pub
}

func exported(t *testing.T, st *content.Store, format string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := exchange.Export(context.Background(), st, format, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// replaceLine changes one line of a file (1-based).
func replaceLine(t *testing.T, data []byte, n int, old, new string) []byte {
	t.Helper()
	lines := strings.Split(string(data), "\n")
	if !strings.Contains(lines[n-1], old) {
		t.Fatalf("line %d lacks %q", n, old)
	}
	lines[n-1] = strings.Replace(lines[n-1], old, new, 1)
	return []byte(strings.Join(lines, "\n"))
}

func TestImportEndpoint(t *testing.T) {
	t.Parallel()
	e, pub := importEnv(t)
	ctx := context.Background()
	admin := e.login(adminName, adminPass)
	editor := e.login(editorName, editorPass)
	csvFile := exported(t, e.st, exchange.FormatCSV)
	// Line 2 is the first service: rename it in Italian.
	first := strings.SplitN(strings.Split(string(csvFile), "\n")[1], ",", 2)[0]
	svc, err := e.st.Service(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	renamed := replaceLine(t, csvFile, 2, svc.Name["it"], "Sportello rinnovato (demo)")
	badStatus := replaceLine(t, renamed, 5, ",active,", ",shut,")
	noOrg := withoutOrganization(t, csvFile, 3)
	hsds := exported(t, e.st, exchange.FormatHSDS)
	zipped := exported(t, e.st, exchange.FormatHSDSCSV)
	geo := exported(t, e.st, exchange.FormatGeoJSON)
	digest := func() string {
		d, err := e.st.Digest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}

	tests := []struct {
		name      string
		cl        *client
		url       string
		body      []byte
		hdr       []string
		status    int
		field     string
		line      int
		publishes bool
	}{
		{"an editor may not import", editor, "/editor/api/import?format=csv", renamed, nil, 403, "", 0, false},
		{"no CSRF token", admin, "/editor/api/import?format=csv", renamed, []string{csrfHeader, "-"}, 403, "", 0, false},
		{"no format", admin, "/editor/api/import", renamed, nil, 400, "format", 0, false},
		{"unknown format", admin, "/editor/api/import?format=xlsx", renamed, nil, 400, "format", 0, false},
		{"empty body", admin, "/editor/api/import?format=csv", nil, nil, 400, "body", 0, false},
		{"a bad row", admin, "/editor/api/import?format=csv", badStatus, nil, 400, "status", 5, false},
		{"an organization the catalog lacks", admin, "/editor/api/import?format=csv", noOrg, nil, 400, "organization_id", 3, false},
		{"json sent as csv", admin, "/editor/api/import?format=csv", hsds, nil, 400, "", 0, false},
		{"the unchanged export publishes nothing", admin, "/editor/api/import?format=hsds", hsds, nil, 200, "", 0, false},
		{"the unchanged zip publishes nothing", admin, "/editor/api/import?format=hsds-csv", zipped, nil, 200, "", 0, false},
		{"the unchanged geojson publishes nothing", admin, "/editor/api/import?format=geojson", geo, nil, 200, "", 0, false},
		{"a good upload publishes", admin, "/editor/api/import?format=csv", renamed, nil, 200, "", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, calls := digest(), pub.count()
			hdr := append([]string{"Content-Type", "text/csv"}, tc.hdr...)
			var body any
			if tc.body != nil {
				body = tc.body
			}
			r := tc.cl.do("POST", tc.url, body, hdr...)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %.500s", r.status, tc.status, r.raw)
			}
			if tc.field != "" && r.str("field") != tc.field {
				t.Errorf("field %q, want %q: %.500s", r.str("field"), tc.field, r.raw)
			}
			if tc.line != 0 {
				if got, _ := r.json["line"].(float64); int(got) != tc.line {
					t.Errorf("line %v, want %d: %.500s", r.json["line"], tc.line, r.raw)
				}
			}
			if r.status >= 400 && r.str("error") == "" {
				t.Errorf("no error message: %s", r.raw)
			}
			published := pub.count() > calls
			if published != tc.publishes {
				t.Fatalf("published %v, want %v: %.500s", published, tc.publishes, r.raw)
			}
			if !tc.publishes && digest() != before {
				t.Fatal("the catalog changed")
			}
			if tc.publishes && (r.json["changed"] != float64(1) || r.json["seq"] == nil) {
				t.Errorf("answer %s, want one change and its sequence", r.raw)
			}
		})
	}
	got, err := e.st.Service(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name["it"] != "Sportello rinnovato (demo)" {
		t.Fatalf("the imported name is %q", got.Name["it"])
	}
	state, err := feed.ReadState(ctx, e.st)
	if err != nil || state.Seq != 1 {
		t.Fatalf("feed at %d (%v), want the one imported change", state.Seq, err)
	}
	r := admin.do("GET", "/editor/api/audit?action=import", nil)
	if r.status != 200 || at(r.json, "entries", 0, "record_id") != first || at(r.json, "entries", 0, "actor") != adminName {
		t.Fatalf("audit: %d %.500s", r.status, r.raw)
	}
	if at(r.json, "entries", 0, "before") == nil || at(r.json, "entries", 0, "after", "name", "it") != "Sportello rinnovato (demo)" {
		t.Fatalf("the audit entry lacks before and after: %.800s", r.raw)
	}
}

// withoutOrganization makes line n's service name an organization the
// catalog lacks, without describing it.
func withoutOrganization(t *testing.T, csvFile []byte, n int) []byte {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(csvFile)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, col := range rows[0] {
		switch {
		case col == "organization_id":
			rows[n-1][i] = "org-nowhere"
		case strings.HasPrefix(col, "organization_"):
			rows[n-1][i] = ""
		}
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.WriteAll(rows)
	return buf.Bytes()
}

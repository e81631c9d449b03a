package portal

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/editorial"
	"github.com/punto-totem/punto/fleet"
	"github.com/punto-totem/punto/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// editorials holds the editorial store of each test catalog.
var editorials sync.Map // *content.Store → *editorial.Store

// edOf opens (once per catalog: the first call sets the clock, nil for
// time.Now) the editorial store of st, with cheap password hashes: the
// tests sign in hundreds of times under -race. The real cost is checked in
// editorial's TestPasswordHash.
func edOf(t *testing.T, st *content.Store, now func() time.Time) *editorial.Store {
	t.Helper()
	if ed, ok := editorials.Load(st); ok {
		return ed.(*editorial.Store)
	}
	ed, err := editorial.Open(context.Background(), editorial.Config{Catalog: st, Totems: fleetOf(t, st), Now: now, HashCost: &editorial.HashCost{MemoryKiB: 64, Passes: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { editorials.Delete(st); ed.Close() })
	editorials.Store(st, ed)
	return ed
}

// addUser creates an account as the command line does.
func addUser(t *testing.T, st *content.Store, name, role string, territories []string, password string) error {
	_, err := edOf(t, st, nil).CreateAccount(context.Background(), "command line", name, role, territories, password)
	return err
}

// Accounts every test environment has.
const (
	adminName   = "admin@example.org"
	adminPass   = "quiet harbour lantern 1"
	editorName  = "anna"
	editorPass  = "her own long secret"
	editor2Name = "bruno@example.org" // an editor of Perugia
	editor2Pass = "his own long secret"
)

// Demo records the tests edit: services inside the Ancona ambito (the
// first two share a location) and outside it.
const (
	anconaService   = "ancona-info-0"
	anconaShared    = "ancona-mediation-7"
	anconaOther     = "ancona-documents-5"
	perugiaService  = "perugia-info-1"
	falconaraEvent  = "falconara-marittima-events-27"
	anconaTerritory = "ats-11-ancona"
)

// recorder is a Publisher that records what it is asked and leaves the
// catalog as it is; what the editorial layer writes with a publish (its
// hook) commits on the catalog's file.
type recorder struct {
	st     *content.Store
	mu     sync.Mutex
	seq    int64
	calls  []publishCall
	kicked []string
	fail   error // returned by the next Publish, if set
}

type publishCall struct {
	author  string
	changes []content.Change
}

func (r *recorder) Publish(ctx context.Context, author string, changes []content.Change, also func(tx *sql.Tx, last int64) error) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.fail; err != nil {
		r.fail = nil
		return 0, err
	}
	if also != nil {
		err := r.st.Write(ctx, func(b *content.Batch) error { return also(b.Tx(), r.seq+int64(len(changes))) })
		if err != nil {
			return 0, err
		}
	}
	r.calls = append(r.calls, publishCall{author, changes})
	r.seq += int64(len(changes))
	return r.seq, nil
}

func (r *recorder) Kick(id string) {
	r.mu.Lock()
	r.kicked = append(r.kicked, id)
	r.mu.Unlock()
}

func (r *recorder) published() []publishCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]publishCall(nil), r.calls...)
}

// env is a portal on a fresh copy of the demo catalog, with an admin and
// two editors.
type env struct {
	t     *testing.T
	app   *fiber.App
	st    *content.Store
	pub   *recorder
	clock *testenv.Clock
}

// demoStore opens a fresh copy of the demo catalog for one test, with its
// fleet store (fleetOf).
func demoStore(t *testing.T) *content.Store {
	t.Helper()
	st := testenv.DemoStore(t)
	fl, err := fleet.Open(context.Background(), st.Path())
	if err != nil {
		t.Fatal(err)
	}
	fleets.Store(st, fl)
	t.Cleanup(func() { fleets.Delete(st); fl.Close() })
	return st
}

// fleets holds the fleet store of each catalog demoStore opened.
var fleets sync.Map // *content.Store → *fleet.Store

// fleetOf is the fleet store on the catalog st.
func fleetOf(t *testing.T, st *content.Store) *fleet.Store {
	t.Helper()
	fl, ok := fleets.Load(st)
	if !ok {
		t.Fatal("no fleet store for the catalog at " + st.Path())
	}
	return fl.(*fleet.Store)
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st := demoStore(t)
	e := &env{t: t, app: fiber.New(), st: st, pub: &recorder{st: st}, clock: testenv.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := Mount(e.app, Config{Editorial: edOf(t, st, e.clock.Now), Totems: fleetOf(t, st), Publisher: e.pub, Log: log, Now: e.clock.Now}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		name, role, pass string
		territories      []string
	}{
		{adminName, "admin", adminPass, nil},
		{editorName, "editor", editorPass, []string{anconaTerritory}},
		{editor2Name, "editor", editor2Pass, []string{"zona-2-perugia"}},
	} {
		if err := addUser(t, st, u.name, u.role, u.territories, u.pass); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// client is one browser: its cookies and the CSRF token it was given.
type client struct {
	e       *env
	cookies map[string]string
	csrf    string
}

func (e *env) anon() *client { return &client{e: e, cookies: map[string]string{}} }

// login signs in and fails the test if that does not work.
func (e *env) login(name, pass string) *client {
	e.t.Helper()
	cl := e.anon()
	cl.startLogin()
	r := cl.do("POST", "/editor/api/login", map[string]string{"name": name, "password": pass})
	if r.status != 200 {
		e.t.Fatalf("login %s: %d %s", name, r.status, r.raw)
	}
	cl.csrf = r.str("csrf_token")
	return cl
}

// startLogin gets the pre-session CSRF token.
func (cl *client) startLogin() {
	cl.e.t.Helper()
	r := cl.do("GET", "/editor/api/session", nil)
	if r.status != 200 || r.json["authenticated"] != false {
		cl.e.t.Fatalf("session: %d %s", r.status, r.raw)
	}
	cl.csrf = r.str("csrf_token")
}

// resp is an answer, with its body decoded when it is a JSON object.
type resp struct {
	status int
	header http.Header
	raw    []byte
	json   map[string]any
}

func (r *resp) str(key string) string { s, _ := r.json[key].(string); return s }

// do sends a request. body is sent as is when it is a string, else as
// JSON. hdr are header name/value pairs; a value "-" removes the header
// (the CSRF token is sent by default on writes).
func (cl *client) do(method, path string, body any, hdr ...string) *resp {
	cl.e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			cl.e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if unsafeMethod(method) && cl.csrf != "" {
		req.Header.Set(csrfHeader, cl.csrf)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "-" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	for k, v := range cl.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := cl.e.app.Test(req, -1)
	if err != nil {
		cl.e.t.Fatal(err)
	}
	defer res.Body.Close()
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(cl.cookies, ck.Name)
		} else {
			cl.cookies[ck.Name] = ck.Value
		}
	}
	r := &resp{status: res.StatusCode, header: res.Header}
	r.raw, _ = io.ReadAll(res.Body)
	_ = json.Unmarshal(r.raw, &r.json)
	return r
}

// serviceDoc reads a published service as a map, to edit in a test.
func (e *env) serviceDoc(id string) map[string]any {
	e.t.Helper()
	raw, err := e.st.Doc(context.Background(), content.KindService, id)
	if err != nil {
		e.t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		e.t.Fatal(err)
	}
	return m
}

// clone deep-copies a JSON map.
func clone(m map[string]any) map[string]any {
	raw, _ := json.Marshal(m)
	var out map[string]any
	json.Unmarshal(raw, &out)
	return out
}

// at follows a path of keys and indexes into decoded JSON.
func at(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

// newApp mounts a second portal on e's catalog, as after a restart.
func newApp(t *testing.T, e *env) *fiber.App {
	t.Helper()
	app := fiber.New()
	if err := Mount(app, Config{Editorial: edOf(t, e.st, e.clock.Now), Totems: fleetOf(t, e.st), Publisher: e.pub, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: e.clock.Now}); err != nil {
		t.Fatal(err)
	}
	return app
}

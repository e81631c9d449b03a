package testenv

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/internal/testenv/buildcache"
)

func TestMain(m *testing.M) { Main(m) }

// TestDemoCopies: every copy is the whole demo catalog, on its own: a
// write to one is not in the other nor in the master, built once.
func TestDemoCopies(t *testing.T) {
	ctx := context.Background()
	a, b := DemoStore(t), DemoStore(t)
	if a.Path() == b.Path() {
		t.Fatal("two tests share a copy")
	}
	n := func(st *content.Store) int {
		t.Helper()
		stats, err := st.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return stats.Services
	}
	if got := n(a); got != 330 {
		t.Fatalf("the copy holds %d services, want the demo's 330", got)
	}
	if err := a.SetMeta(ctx, "source", "changed"); err != nil {
		t.Fatal(err)
	}
	if v, _ := b.Meta(ctx, "source"); v == "changed" {
		t.Fatal("a write to one copy shows in another")
	}
	path := filepath.Join(t.TempDir(), "deep", "portal.db")
	CopyDemo(t, path)
	if info, err := os.Stat(path); err != nil || info.Mode().Perm()&0o200 == 0 {
		t.Fatalf("copy at a path: %v %v", info, err)
	}
	if DemoBuilds() > 1 {
		t.Fatalf("the demo catalog was built %d times", DemoBuilds())
	}
	if m, _ := demo.Path(); m == "" {
		t.Fatal("no master")
	} else if info, _ := os.Stat(m); info.Mode().Perm()&0o222 != 0 {
		t.Errorf("the master is writable: %v", info.Mode())
	}
}

// TestBinary: the punto binary runs, and a second ask does not build.
func TestBinary(t *testing.T) {
	bin := Binary(t)
	if !strings.HasPrefix(bin, buildcache.Root()) {
		t.Errorf("binary outside the cache: %s", bin)
	}
	if out := RunPunto(t, "", "version"); !strings.Contains(out, "punto") {
		t.Errorf("punto version: %q", out)
	}
	start := time.Now()
	path, built, err := buildBinary()
	if err != nil || built || path != bin {
		t.Fatalf("second build: %s %v %v", path, built, err)
	}
	t.Logf("cached binary found in %s", time.Since(start))
}

// TestProc: output is kept line by line, the hook sees each line, and
// Stop ends a process that ignores nothing.
func TestProc(t *testing.T) {
	var seen []string
	p := StartHook(t, "sh", exec.Command("sh", "-c", "echo one; echo two >&2; exec sleep 60"), func(p *Proc, line string) { seen = append(seen, line) })
	Eventually(t, 10*time.Second, "both lines", func() bool { return strings.Count(p.Output(), "\n") == 2 })
	if p.Exited() {
		t.Fatal("exited early")
	}
	p.Stop()
	if !p.Exited() || strings.Join(seen, ",") != "one,two" || p.ExitCode() != -1 {
		t.Fatalf("exited %v, seen %v, exit code %d", p.Exited(), seen, p.ExitCode())
	}
	q := Start(t, "false", exec.Command("sh", "-c", "exit 3"))
	<-q.Done()
	if q.ExitCode() != 3 {
		t.Fatalf("exit code %d", q.ExitCode())
	}
}

func TestClock(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	c := NewClock(t0)
	c.Add(time.Hour)
	if !c.Now().Equal(t0.Add(time.Hour)) {
		t.Fatal(c.Now())
	}
	c.Set(t0)
	if !c.Now().Equal(t0) {
		t.Fatal(c.Now())
	}
}

// TestTempRootKept: a test that points $TMPDIR at its own folder does not
// take the shared master or binary cache with it.
func TestTempRootKept(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	m, err := demo.Path()
	root := buildcache.TempRoot()
	if err != nil || !strings.HasPrefix(m, root) || !strings.HasPrefix(buildcache.Root(), root) || strings.HasPrefix(m, os.TempDir()) {
		t.Fatalf("master %s, cache %s, temp root %s, TMPDIR %s: %v", m, buildcache.Root(), root, os.TempDir(), err)
	}
}

func TestListen(t *testing.T) {
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"ok":true}`)) })}
	base := Listen(t, srv.Serve, srv.Close)
	var got struct{ OK bool }
	GetJSON(t, base+"/", &got)
	if !got.OK || !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("%s: %+v", base, got)
	}
}

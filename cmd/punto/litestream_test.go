package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/punto-totem/punto/internal/testenv"
)

// litestreamConfig renders deploy/litestream.yml for a portal's file and a
// replica folder, as an operator would edit it: the test runs the
// configuration the project ships.
func litestreamConfig(t *testing.T, dir, portalDB, replica string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "litestream.yml"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for old, new := range map[string]string{"/var/lib/punto/portal.db": portalDB, "/var/lib/punto-replica/portal": replica} {
		if !strings.Contains(s, "path: "+old) {
			t.Fatalf("deploy/litestream.yml names no %s", old)
		}
		s = strings.ReplaceAll(s, "path: "+old, "path: "+new)
	}
	path := filepath.Join(dir, "litestream.yml")
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// litestreamRestore restores the replica named by config to out (which
// must not exist) and returns the feed's head there.
func litestreamRestore(t *testing.T, bin, config, portalDB, out string) (int64, error) {
	t.Helper()
	cmd := exec.Command(bin, "restore", "-config", config, "-o", out, portalDB)
	if b, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("litestream restore: %v\n%s", err, b)
	}
	st, err := stateOf(t.Context(), out)
	return st.Seq, err
}

// TestPortalRestoredFromLitestream runs a portal, a totem and Litestream
// (deploy/litestream.yml, a file replica) as separate processes. An editor
// publishes; the replica follows. Litestream dies, one more publish
// reaches the totem but not the replica, then the portal's host is lost:
// the portal is killed and its file, WAL and Litestream's folder deleted.
// litestream restore brings the file back from the replica, punto restore
// starts a new feed epoch on it, and the totem, ahead of the replica,
// takes the restored portal's snapshot and is equal to it, digest for
// digest.
func TestPortalRestoredFromLitestream(t *testing.T) {
	t.Parallel()
	bin := testenv.Litestream(t)
	n := newNetwork(t, "--litestream")
	tp := n.addTotem("totem-ls", 43.6169, 13.5153)
	tp.start(t, "totem-ls")
	replica := filepath.Join(n.dir, "replica")
	config := litestreamConfig(t, n.dir, n.portalDB, replica)
	ls := testenv.Start(t, "litestream", exec.Command(bin, "replicate", "-config", config))

	admin := loginEditor(t, n.portalURL, "admin", adminPassword)
	svc := nearestService(t, n.portalURL, 43.6169, 13.5153)
	var replicated int64
	for i := 1; i <= 3; i++ {
		replicated = admin.rename(svc, fmt.Sprintf("Replicated %d", i))
	}
	waitSeq(t, tp.base, replicated)
	// The replica has every publish within its sync-interval (1 s): a
	// restore, tried at most twice a second, shows the last.
	probe := filepath.Join(n.dir, "probe.db")
	var tried time.Time
	var lastErr error
	testenv.Eventually(t, 30*time.Second, "the replica has the last publish", func() bool {
		if ls.Exited() {
			t.Fatalf("litestream exited:\n%s", ls.Output())
		}
		if time.Since(tried) < 500*time.Millisecond {
			return false
		}
		tried = time.Now()
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(probe + suffix)
		}
		var seq int64
		seq, lastErr = litestreamRestore(t, bin, config, n.portalDB, probe)
		return lastErr == nil && seq == replicated
	})
	t.Logf("the replica is at sequence %d (last error while waiting: %v)", replicated, lastErr)

	// Litestream dies; a publish after it reaches the totem only.
	ls.Kill()
	lost := admin.rename(svc, "After the replica, lost")
	waitSeq(t, tp.base, lost)

	// The host is lost: the portal dies, its file with it.
	n.portal.Kill()
	for _, p := range []string{n.portalDB, n.portalDB + "-wal", n.portalDB + "-shm", filepath.Join(n.dir, ".portal.db-litestream")} {
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
	}
	restored := filepath.Join(n.dir, "portal.restored.db")
	if seq, err := litestreamRestore(t, bin, config, n.portalDB, restored); err != nil || seq != replicated {
		t.Fatalf("restored from the replica at %d (want %d): %v", seq, replicated, err)
	}
	epoch, _ := runOK(t, "restore", "--from", restored, "--db", n.portalDB)
	if head, unaudited := checkPortalFile(t, n.portalDB); head != replicated || unaudited != 0 {
		t.Fatalf("restored file: head %d (replica at %d), %d published without audit", head, replicated, unaudited)
	}
	n.startPortal()
	portal := epochOf(t, n.portalURL)
	if strconv.FormatInt(portal.Epoch, 10) != epoch || portal.Seq != replicated {
		t.Fatalf("punto restore printed epoch %q, the portal is at %+v", epoch, portal)
	}
	testenv.Eventually(t, 60*time.Second, "the totem, ahead of the replica, takes the new epoch's snapshot", func() bool {
		f := epochOf(t, tp.base)
		return f.Epoch == portal.Epoch && f.Seq == portal.Seq
	})
	if d, want := feedOf(t, tp.base, true).Digest, feedOf(t, n.portalURL, true).Digest; d != want {
		t.Fatal("the totem differs from the portal restored from the replica")
	}
	if got := serviceName(t, tp.base, svc); got != fmt.Sprintf("Replicated %d", 3) {
		t.Fatalf("the totem shows %q after the restore", got)
	}
	// The portal goes on in the new epoch, and the totem with it.
	next := loginEditor(t, n.portalURL, "admin", adminPassword).rename(svc, "After the restore")
	waitSeq(t, tp.base, next)
	if got := serviceName(t, tp.base, svc); got != "After the restore" {
		t.Fatalf("the totem shows %q", got)
	}
	if _, err := os.Stat(restored); errors.Is(err, os.ErrNotExist) {
		t.Fatal("punto restore took the replica's copy away")
	}
}

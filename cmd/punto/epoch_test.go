package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/punto-totem/punto/internal/testenv"
)

// restoreFile puts a copy back in place of a stopped portal's file.
func restoreFile(t *testing.T, copy, dst string) {
	t.Helper()
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(dst + suffix)
	}
	data, err := os.ReadFile(copy)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

type epochFeed struct {
	Seq   int64 `json:"seq"`
	Epoch int64 `json:"epoch"`
	Link  struct {
		LastError string `json:"last_error"`
	} `json:"link"`
}

func epochOf(t *testing.T, base string) epochFeed {
	t.Helper()
	var f epochFeed
	testenv.GetJSON(t, base+"/api/v1/feed", &f)
	return f
}

// TestBackupRestoreAndEpoch runs a portal and a totem as separate
// processes. A punto backup process copies the portal while an editor
// publishes; the portal moves on, and the totem with it. The copy put back
// by hand is refused by the totem, ahead of it, as a rollback; punto
// restore puts it back in a new epoch, which the totem takes (digest for
// digest) and follows; the copy put back again, of the older epoch, is
// refused. The restored file is whole: every published change audited.
func TestBackupRestoreAndEpoch(t *testing.T) {
	t.Parallel()
	n := newNetwork(t)
	tp := n.addTotem("totem-epoch", 43.6169, 13.5153)
	tp.start(t, "totem-epoch")
	admin := loginEditor(t, n.portalURL, "admin", adminPassword)
	svc := nearestService(t, n.portalURL, 43.6169, 13.5153)
	first := admin.rename(svc, "Published 0")
	backup := filepath.Join(n.dir, "portal-backup.db")
	proc := testenv.StartPunto(t, "backup", "backup", "--db", n.portalDB, "--out", backup)
	last := first
	for i := 1; i <= 40 && (i <= 3 || !proc.Exited()); i++ {
		last = admin.rename(svc, fmt.Sprintf("Published %d", i))
	}
	<-proc.Done()
	m := regexp.MustCompile(`sequence (\d+), epoch 0`).FindStringSubmatch(proc.Output())
	if proc.ExitCode() != 0 || m == nil {
		t.Fatalf("backup: exit %d\n%s", proc.ExitCode(), proc.Output())
	}
	at, _ := strconv.ParseInt(m[1], 10, 64)
	if at < first || at > last {
		t.Fatalf("the backup is at %d, published %d to %d meanwhile", at, first, last)
	}
	t.Logf("backed up at sequence %d while publishing %d to %d", at, first, last)
	lost := admin.rename(svc, "After the backup, lost")
	waitSeq(t, tp.base, lost)
	wantName := func(tp *totemProc, want string) {
		t.Helper()
		if got := serviceName(t, tp.base, svc); got != want {
			t.Fatalf("the totem shows %q, want %q", got, want)
		}
	}

	// The copy put back by hand: the totem is ahead of it.
	n.portal.Stop()
	restoreFile(t, backup, n.portalDB)
	n.startPortal()
	testenv.Eventually(t, 60*time.Second, "the totem refuses the older snapshot", func() bool {
		return strings.Contains(epochOf(t, tp.base).Link.LastError, "older than the catalog")
	})
	if f := epochOf(t, tp.base); f.Seq != lost {
		t.Fatalf("the totem rolled back without a new epoch: %+v", f)
	}
	wantName(tp, "After the backup, lost")

	// punto restore: a new epoch, which the totem takes and follows.
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"restore", "--from", backup, "--db", n.portalDB}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "--force") {
		t.Errorf("restore over an existing file: exit %d, %s", code, errb.String())
	}
	// While the portal serves, restore, a new epoch and a second portal
	// on the file are refused, and the file is left as it was.
	serving := epochOf(t, n.portalURL)
	refusals := [][]string{
		{"restore", "--from", backup, "--db", n.portalDB, "--force"},
		{"portal", "epoch", "--db", n.portalDB},
		{"portal", "--db", n.portalDB, "--addr", testenv.FreeAddr(t), "--key", filepath.Join(n.dir, "portal.key")},
	}
	for _, args := range refusals {
		var out, errb bytes.Buffer
		code := run(context.Background(), args, &out, &errb)
		if code == 0 || !regexp.MustCompile(`a portal is serving .*portal\.db: stop it first|another portal serves`).MatchString(errb.String()) {
			t.Errorf("punto %s while the portal serves: exit %d, %s", strings.Join(args[:2], " "), code, errb.String())
		}
	}
	if f := epochOf(t, n.portalURL); f.Epoch != serving.Epoch || f.Seq != serving.Seq {
		t.Fatalf("the serving portal's feed moved from %+v to %+v", serving, f)
	}
	n.portal.Stop()
	epoch, _ := runOK(t, "restore", "--from", backup, "--db", n.portalDB, "--force")
	if head, unaudited := checkPortalFile(t, n.portalDB); head != at || unaudited != 0 {
		t.Fatalf("restored file: head %d (backup at %d), %d published without audit", head, at, unaudited)
	}
	n.startPortal()
	portal := epochOf(t, n.portalURL)
	if epoch != strconv.FormatInt(portal.Epoch, 10) || portal.Epoch < time.Now().Add(-time.Hour).Unix() || portal.Seq != at {
		t.Fatalf("restore printed epoch %q, the portal is at %+v", epoch, portal)
	}
	testenv.Eventually(t, 60*time.Second, "the totem takes the new epoch's snapshot", func() bool {
		f := epochOf(t, tp.base)
		return f.Epoch == portal.Epoch && f.Seq == portal.Seq
	})
	if d, want := feedOf(t, tp.base, true).Digest, feedOf(t, n.portalURL, true).Digest; d != want {
		t.Fatal("the totem differs from the restored portal")
	}
	next := loginEditor(t, n.portalURL, "admin", adminPassword).rename(svc, "In the new epoch")
	waitSeq(t, tp.base, next)
	wantName(tp, "In the new epoch")

	// The copy again, of the older epoch: refused.
	n.portal.Stop()
	restoreFile(t, backup, n.portalDB)
	n.startPortal()
	testenv.Eventually(t, 60*time.Second, "the totem refuses the older epoch", func() bool {
		return strings.Contains(epochOf(t, tp.base).Link.LastError, "stale_epoch")
	})
	if f := epochOf(t, tp.base); f.Epoch != portal.Epoch || f.Seq != next {
		t.Fatalf("the totem took an older epoch: %+v", f)
	}
}

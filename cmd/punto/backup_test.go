package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/punto-totem/punto/internal/testenv"
)

// TestBackupWhilePublishingThenRestore backs up a live portal (a punto
// backup process) while an editor publishes, restores the copy in place
// of the portal's file once it has moved on, and starts it: the copy is
// whole and of one moment (every change published in it audited), and
// the totem, ahead of it, takes it in its new epoch and follows it.
func TestBackupWhilePublishingThenRestore(t *testing.T) {
	t.Parallel()
	n := newNetwork(t)
	tp := n.addTotem("totem-backup", 43.6169, 13.5153)
	tp.start(t, "totem-backup")
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
	if proc.ExitCode() != 0 {
		t.Fatalf("backup: exit %d\n%s", proc.ExitCode(), proc.Output())
	}
	m := regexp.MustCompile(`sequence (\d+), epoch`).FindStringSubmatch(proc.Output())
	if m == nil {
		t.Fatalf("backup said: %s", proc.Output())
	}
	at, _ := strconv.ParseInt(m[1], 10, 64)
	if at < first || at > last {
		t.Fatalf("the backup is at %d, published %d to %d meanwhile", at, first, last)
	}
	waitSeq(t, tp.base, last)
	t.Logf("backed up at sequence %d while publishing %d to %d", at, first, last)

	// Refusals: the running portal's file is not replaced without --force.
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"restore", "--from", backup, "--db", n.portalDB}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "--force") {
		t.Errorf("restore over an existing file: exit %d, %s", code, errb.String())
	}

	n.portal.Stop()
	epoch, _ := runOK(t, "restore", "--from", backup, "--db", n.portalDB, "--force")
	if head, unaudited := checkPortalFile(t, n.portalDB); head != at || unaudited != 0 {
		t.Fatalf("restored file: head %d (backup at %d), %d published without audit", head, at, unaudited)
	}
	n.startPortal()
	testenv.Eventually(t, 30*time.Second, "the totem takes the restored portal's new epoch", func() bool {
		f := epochOf(t, tp.base)
		return strconv.FormatInt(f.Epoch, 10) == epoch && f.Seq == at
	})
	if d, want := feedOf(t, tp.base, true).Digest, feedOf(t, n.portalURL, true).Digest; d != want {
		t.Fatal("the totem differs from the restored portal")
	}
	next := loginEditor(t, n.portalURL, "admin", adminPassword).rename(svc, "After the restore")
	waitSeq(t, tp.base, next)
	if got := serviceName(t, tp.base, svc); got != "After the restore" {
		t.Fatalf("the totem shows %q", got)
	}
}

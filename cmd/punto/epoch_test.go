package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/punto-totem/punto/internal/testenv"
)

// copyLive copies a live SQLite file to dst at one moment (VACUUM INTO),
// as a backup taken while the portal runs would be.
func copyLive(t *testing.T, src, dst string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+src+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("VACUUM INTO ?", dst); err != nil {
		t.Fatal(err)
	}
}

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

// TestRestoredPortalStartsNewEpoch runs a portal and a totem as separate
// processes, restores the portal's catalog from an older copy: the totem,
// ahead of it, refuses it as a rollback until the portal starts a new
// epoch, then takes its snapshot and follows it; a portal put back to
// the older epoch is refused.
func TestRestoredPortalStartsNewEpoch(t *testing.T) {
	t.Parallel()
	n := newNetwork(t)
	tp := n.addTotem("totem-epoch", 43.6169, 13.5153)
	tp.start(t, "totem-epoch")
	admin := loginEditor(t, n.portalURL, "admin", adminPassword)
	svc := nearestService(t, n.portalURL, 43.6169, 13.5153)
	seq := admin.rename(svc, "Before the backup")
	waitSeq(t, tp.base, seq)
	backup := filepath.Join(n.dir, "backup.db")
	copyLive(t, n.portalDB, backup)
	admin.rename(svc, "After the backup, lost")
	lost := admin.rename(svc, "After the backup, lost again")
	waitSeq(t, tp.base, lost)

	// The portal comes back from the copy: the totem is ahead of it.
	n.portal.Stop()
	restoreFile(t, backup, n.portalDB)
	n.startPortal()
	testenv.Eventually(t, 20*time.Second, "the totem refuses the older snapshot", func() bool {
		return strings.Contains(epochOf(t, tp.base).Link.LastError, "older than the catalog")
	})
	if f := epochOf(t, tp.base); f.Seq != lost || serviceName(t, tp.base, svc) != "After the backup, lost again" {
		t.Fatalf("the totem rolled back without a new epoch: %+v", f)
	}

	// A new epoch: the totem takes the restored catalog and follows it.
	n.portal.Stop()
	out, _ := runOK(t, "portal", "epoch", "--db", n.portalDB)
	n.startPortal()
	portal := epochOf(t, n.portalURL)
	if out != strconv.FormatInt(portal.Epoch, 10) || portal.Epoch < time.Now().Add(-time.Hour).Unix() || portal.Seq != seq {
		t.Fatalf("portal epoch printed %q, portal at %+v", out, portal)
	}
	testenv.Eventually(t, 30*time.Second, "the totem takes the new epoch's snapshot", func() bool {
		f := epochOf(t, tp.base)
		return f.Epoch == portal.Epoch && f.Seq == portal.Seq
	})
	if d, want := feedOf(t, tp.base, true).Digest, feedOf(t, n.portalURL, true).Digest; d != want {
		t.Fatal("the totem differs from the restored portal")
	}
	if got := serviceName(t, tp.base, svc); got != "Before the backup" {
		t.Fatalf("the totem shows %q after the new epoch", got)
	}
	next := loginEditor(t, n.portalURL, "admin", adminPassword).rename(svc, "In the new epoch")
	waitSeq(t, tp.base, next)
	if got := serviceName(t, tp.base, svc); got != "In the new epoch" {
		t.Fatalf("the totem shows %q", got)
	}

	// The copy again, of the older epoch: refused.
	n.portal.Stop()
	restoreFile(t, backup, n.portalDB)
	n.startPortal()
	testenv.Eventually(t, 20*time.Second, "the totem refuses the older epoch", func() bool {
		return strings.Contains(epochOf(t, tp.base).Link.LastError, "stale_epoch")
	})
	if f := epochOf(t, tp.base); f.Epoch != portal.Epoch || f.Seq != next {
		t.Fatalf("the totem took an older epoch: %+v", f)
	}
}

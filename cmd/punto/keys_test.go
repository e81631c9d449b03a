package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/punto-totem/punto/internal/testenv"
)

// runOK runs a command line in this process and returns its standard
// output; it fails the test on a non-zero exit.
func runOK(t *testing.T, args ...string) (string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(context.Background(), args, &out, &errb); code != 0 {
		t.Fatalf("punto %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
	}
	return strings.TrimSpace(out.String()), errb.String()
}

// keyringOf reads what a totem believes of the portal's keys.
func keyringOf(t *testing.T, db string) (keys []string, revoked []string) {
	t.Helper()
	data, err := os.ReadFile(db + ".keys.json")
	if err != nil {
		t.Fatal(err)
	}
	var ring struct {
		Keys []struct {
			Key   string    `json:"key"`
			Until time.Time `json:"until"`
		} `json:"keys"`
		Revoked []string `json:"revoked"`
	}
	if err := json.Unmarshal(data, &ring); err != nil {
		t.Fatal(err)
	}
	for _, k := range ring.Keys {
		if k.Until.IsZero() || time.Now().Before(k.Until) {
			keys = append(keys, k.Key)
		}
	}
	return keys, ring.Revoked
}

// TestKeysCommandLine checks the key commands' refusals: each says what
// is wrong and exits non-zero, and leaves the portal's key as it was.
func TestKeysCommandLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	root := filepath.Join(dir, "root.key")
	key := filepath.Join(dir, "portal.key")
	runOK(t, "keys", "root-init", "--out", root)
	runOK(t, "keys", "root-init", "--out", key) // a key like any: the portal's
	cur, _ := runOK(t, "portal", "key", "--key", key)
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no command", []string{"keys"}, 2, "a command is needed"},
		{"unknown command", []string{"keys", "spin"}, 2, `unknown command "spin"`},
		{"root-init without --out", []string{"keys", "root-init"}, 2, "--out is required"},
		{"root-init over an existing key", []string{"keys", "root-init", "--out", root}, 1, "file exists"},
		{"rotate without the root key", []string{"keys", "rotate", "--key", key}, 2, "--root-key is required"},
		{"rotate with a missing root key", []string{"keys", "rotate", "--key", key, "--root-key", filepath.Join(dir, "none.key")}, 1, "no such file"},
		{"rotate with a portal key for root", []string{"keys", "rotate", "--key", key, "--root-key", key + ".pub"}, 1, "not a PEM private key"},
		{"rotate a missing portal key", []string{"keys", "rotate", "--key", filepath.Join(dir, "none.key"), "--root-key", root}, 1, "does not exist"},
		{"rotate with a silly overlap", []string{"keys", "rotate", "--key", key, "--root-key", root, "--overlap", "1s"}, 2, "--overlap must be between"},
		{"rotate a compromised key with an overlap", []string{"keys", "rotate", "--key", key, "--root-key", root, "--compromised", "--overlap", "1h"}, 2, "takes no --overlap"},
		{"revoke without a key", []string{"keys", "revoke", "--key", key, "--root-key", root}, 2, "--revoke is required"},
		{"revoke a malformed key", []string{"keys", "revoke", "--key", key, "--root-key", root, "--revoke", "bm9wZQ=="}, 2, "base64 of 32 bytes"},
		{"revoke the key in use", []string{"keys", "revoke", "--key", key, "--root-key", root, "--revoke", cur}, 2, "--compromised"},
		{"totem with a bad root key", []string{"totem", "--db", key, "--portal", "wss://p.example/sync", "--portal-key", cur, "--token", "t", "--root-pubkey", "eA=="}, 2, "--root-pubkey"},
		{"totem pinning the portal key as root", []string{"totem", "--db", key, "--portal", "wss://p.example/sync", "--portal-key", cur, "--token", "t", "--root-pubkey", cur}, 2, "offline root key"},
		{"totem with a root key but no portal", []string{"totem", "--db", key, "--root-pubkey", cur}, 2, "need --portal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(context.Background(), tc.args, &out, &errb); code != tc.code || !strings.Contains(errb.String(), tc.stderr) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", code, tc.code, errb.String(), tc.stderr)
			}
		})
	}
	if now, _ := runOK(t, "portal", "key", "--key", key); now != cur {
		t.Error("a refused command changed the portal's key")
	}
	// A root key made for a demonstration says so whenever it is used.
	demoRoot := filepath.Join(dir, "demo-root.key")
	if _, stderr := runOK(t, "keys", "root-init", "--out", demoRoot, "--demo"); !strings.Contains(stderr, "DEMO") {
		t.Errorf("root-init --demo: %q", stderr)
	}
	if _, stderr := runOK(t, "keys", "rotate", "--key", key, "--root-key", demoRoot); !strings.Contains(stderr, "DEMO root key") {
		t.Errorf("rotate with a demo root key: %q", stderr)
	}
	// The demo portal's root key: made once, marked, the same after.
	demoPortalRoot := filepath.Join(dir, "demo-root-of-portal.key")
	pub1, err1 := demoRootKey(demoPortalRoot)
	pub2, err2 := demoRootKey(demoPortalRoot)
	if pem, _ := os.ReadFile(demoPortalRoot); err1 != nil || err2 != nil || pub1 != pub2 || !strings.Contains(string(pem), "Punto-Demo:") {
		t.Errorf("demo root key: %s %s %v %v", pub1, pub2, err1, err2)
	}
	// Records signed by another root are not extended with this one.
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"keys", "rotate", "--key", key, "--root-key", root}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "not signed by this root key") {
		t.Errorf("rotate with another root: exit %d, %s", code, errb.String())
	}
}

// TestKeyRotationAndCompromise runs a portal and a totem that pins the
// root key, as separate processes: the portal's key is rotated (the totem
// believes both through the overlap and follows the new one), then
// stolen and rotated again by the root alone; a portal signing with the
// stolen key is refused.
func TestKeyRotationAndCompromise(t *testing.T) {
	t.Parallel()
	n := newNetwork(t)
	root := filepath.Join(n.dir, "root.key")
	rootPub, _ := runOK(t, "keys", "root-init", "--out", root)
	key := filepath.Join(n.dir, "portal.key")
	k0 := n.portalPub
	tp := n.addTotem("totem-keys", 43.6169, 13.5153)
	tp.args = append(tp.args, "--root-pubkey", rootPub)
	tp.start(t, "totem-keys")
	waitSeq(t, tp.base, feedOf(t, n.portalURL, false).Seq)
	svc := nearestService(t, n.portalURL, 43.6169, 13.5153)

	restartAndPublish := func(name string) {
		t.Helper()
		n.portal.Stop()
		n.startPortal()
		seq := loginEditor(t, n.portalURL, "admin", adminPassword).rename(svc, name)
		waitSeq(t, tp.base, seq)
		if got := serviceName(t, tp.base, svc); got != name {
			t.Fatalf("the totem shows %q, want %q", got, name)
		}
	}

	// A rotation with an overlap: signed by the root and the old key.
	k1, _ := runOK(t, "keys", "rotate", "--key", key, "--root-key", root, "--overlap", "1h")
	restartAndPublish("Signed with the second key")
	if keys, _ := keyringOf(t, tp.db); !slices.Contains(keys, k0) || !slices.Contains(keys, k1) {
		t.Errorf("during the overlap the totem believes %v, want both %s and %s", keys, k0, k1)
	}

	// k1 is stolen: the root alone rotates to k2 and revokes k1; the
	// first key's overlap ends with it.
	k2, _ := runOK(t, "keys", "rotate", "--key", key, "--root-key", root, "--compromised")
	runOK(t, "keys", "revoke", "--key", key, "--root-key", root, "--revoke", k0)
	restartAndPublish("Signed with the third key")
	keys, revoked := keyringOf(t, tp.db)
	if !slices.Equal(keys, []string{k2}) || !slices.Contains(revoked, k1) || !slices.Contains(revoked, k0) {
		t.Errorf("after the compromise the totem believes %v and revoked %v; want only %s", keys, revoked, k2)
	}
	list, _ := runOK(t, "keys", "list", "--key", key)
	if !strings.Contains(list, "signing with "+k2) || strings.Count(list, "\nrotate") != 2 || !strings.Contains(list, "revokes it") {
		t.Errorf("keys list:\n%s", list)
	}

	// The thief's portal, on the same address and catalog, signs with k1.
	n.portal.Stop()
	n.portalArg = slices.Clone(n.portalArg)
	n.portalArg[slices.Index(n.portalArg, "--key")+1] = key + ".retired-2"
	n.startPortal()
	seq := loginEditor(t, n.portalURL, "admin", adminPassword).rename(svc, "Forged with the stolen key")
	testenv.Eventually(t, 20*time.Second, "the totem refuses the stolen key", func() bool {
		return strings.Contains(feedOf(t, tp.base, false).Link.LastError, "signature")
	})
	if f := feedOf(t, tp.base, false); f.Seq >= seq || serviceName(t, tp.base, svc) != "Signed with the third key" {
		t.Fatalf("the totem took the forged publish: seq %d (forged %d)", f.Seq, seq)
	}
}

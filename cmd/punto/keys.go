package main

import (
	"crypto/ed25519"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/punto-totem/punto/content/feed"
)

const keysUsage = `Usage:
  punto keys root-init --out FILE [--demo]
        make the offline root key; totems pin its public half (--root-pubkey)
  punto keys rotate --key data/portal.key --root-key FILE [--overlap 72h]
        give the portal a new signing key, introduced to totems by a record
        signed by the root key and the old key; totems believe the old key
        until the overlap ends
  punto keys rotate --key data/portal.key --root-key FILE --compromised
        the same after the key was stolen: signed by the root alone, and the
        old key is revoked at once
  punto keys revoke --key data/portal.key --root-key FILE --revoke KEY
        revoke a retired key (base64): totems believe nothing it signs
  punto keys list --key data/portal.key
        print the records the portal sends its totems

The records live beside the key (FILE.records.json); restart the portal to
send them. Keep the root key offline: it is needed only for these commands.
`

// keyRecordsPath is where a portal keeps the records of its key's
// rotations and revocations, beside the key.
func keyRecordsPath(key string) string { return key + ".records.json" }

func runKeys(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, keysUsage)
		return usagef("keys: a command is needed (root-init, rotate, revoke or list)")
	}
	switch args[0] {
	case "root-init":
		return runKeysRootInit(args[1:], stdout, stderr)
	case "rotate":
		return runKeysRotate(args[1:], stdout, stderr)
	case "revoke":
		return runKeysRevoke(args[1:], stdout, stderr)
	case "list":
		return runKeysList(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, keysUsage)
		return nil
	}
	return usagef("keys: unknown command %q (root-init, rotate, revoke or list)", args[0])
}

func runKeysRootInit(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keys root-init", flag.ContinueOnError)
	out := fs.String("out", "", "`file` to write the root key to (it must not exist); keep it offline")
	demo := fs.Bool("demo", false, "mark the key as a demonstration's: every command that uses it says so")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if *out == "" {
		return usagef("keys root-init: --out is required")
	}
	var headers map[string]string
	if *demo {
		headers = map[string]string{feed.DemoHeader: "a demonstration key, not for production"}
	}
	key, err := feed.NewKeyFile(*out, headers)
	if err != nil {
		return fmt.Errorf("keys root-init: %w", err)
	}
	pub := feed.EncodePublicKey(key.Public().(ed25519.PublicKey))
	if err := os.WriteFile(*out+".pub", []byte(pub+"\n"), 0o644); err != nil {
		return err
	}
	if *demo {
		fmt.Fprintln(stderr, "punto: DEMO root key: for a demonstration only, never for totems in service")
	}
	fmt.Fprintf(stderr, "root key written to %s; its public half (give totems --root-pubkey) is in %s.pub:\n", *out, *out)
	fmt.Fprintln(stdout, pub)
	return nil
}

// readRootKey reads the root key, saying so if it is a demonstration's.
func readRootKey(cmd, path string, stderr io.Writer) (ed25519.PrivateKey, error) {
	if path == "" {
		return nil, usagef("keys %s: --root-key is required (the file punto keys root-init wrote)", cmd)
	}
	key, headers, err := feed.ReadKeyFile(path)
	if err != nil {
		return nil, fmt.Errorf("keys %s: --root-key: %w", cmd, err)
	}
	if headers[feed.DemoHeader] != "" {
		fmt.Fprintf(stderr, "punto: DEMO root key %s: for a demonstration only\n", path)
	}
	return key, nil
}

// portalRecords reads the portal's key and its records.
func portalRecords(cmd, keyPath string) (ed25519.PrivateKey, []feed.SignedKeyRecord, error) {
	if err := existingFile(keyPath); err != nil {
		return nil, nil, fmt.Errorf("keys %s: --key: %w", cmd, err)
	}
	key, _, err := feed.ReadKeyFile(keyPath)
	if err != nil {
		return nil, nil, fmt.Errorf("keys %s: --key: %w", cmd, err)
	}
	recs, err := feed.ReadKeyRecords(keyRecordsPath(keyPath))
	if err != nil {
		return nil, nil, fmt.Errorf("keys %s: %w", cmd, err)
	}
	return key, recs, nil
}

func runKeysRotate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keys rotate", flag.ContinueOnError)
	keyPath := fs.String("key", "data/portal.key", "the portal's signing key `file`: replaced by the new key, the old one kept as FILE.retired-N")
	rootPath := fs.String("root-key", "", "the root key `file` (punto keys root-init)")
	overlap := fs.Duration("overlap", 72*time.Hour, "how long totems go on believing the old key (envelopes in flight, portals not yet restarted)")
	compromised := fs.Bool("compromised", false, "the old key was stolen: the record is signed by the root alone and revokes it at once (no overlap)")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	overlapSet := false
	fs.Visit(func(f *flag.Flag) { overlapSet = overlapSet || f.Name == "overlap" })
	switch {
	case *compromised && overlapSet:
		return usagef("keys rotate: --compromised revokes the old key at once: it takes no --overlap")
	case !*compromised && (*overlap < time.Minute || *overlap > 90*24*time.Hour):
		return usagef("keys rotate: --overlap must be between 1m and 2160h (90 days)")
	}
	root, err := readRootKey("rotate", *rootPath, stderr)
	if err != nil {
		return err
	}
	old, recs, err := portalRecords("rotate", *keyPath)
	if err != nil {
		return err
	}
	serial, err := nextSerial(root.Public().(ed25519.PublicKey), recs, *keyPath)
	if err != nil {
		return err
	}
	next := *keyPath + ".next"
	if err := existingFile(next); err == nil {
		return fmt.Errorf("keys rotate: %s exists: a rotation was interrupted; remove it and run again", next)
	}
	newKey, err := feed.NewKeyFile(next, nil)
	if err != nil {
		return fmt.Errorf("keys rotate: %w", err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	rec := feed.KeyRecord{Type: feed.KeyRotate, Serial: serial, Key: feed.EncodePublicKey(newKey.Public().(ed25519.PublicKey)),
		Prev: feed.EncodePublicKey(old.Public().(ed25519.PublicKey)), At: now}
	prevSigner := old
	if *compromised {
		rec.RevokePrev, prevSigner = true, nil
	} else {
		rec.OverlapUntil = now.Add(*overlap)
	}
	signed, err := feed.SignKeyRecord(rec, root, prevSigner)
	if err != nil {
		os.Remove(next)
		return fmt.Errorf("keys rotate: %w", err)
	}
	if err := feed.WriteKeyRecords(keyRecordsPath(*keyPath), append(recs, signed)); err != nil {
		os.Remove(next)
		return fmt.Errorf("keys rotate: %w", err)
	}
	retired := fmt.Sprintf("%s.retired-%d", *keyPath, serial)
	if err := os.Link(*keyPath, retired); err != nil {
		return fmt.Errorf("keys rotate: keep the old key: %w (the record is written; move %s over %s by hand)", err, next, *keyPath)
	}
	if err := os.Rename(next, *keyPath); err != nil {
		return fmt.Errorf("keys rotate: %w (the record is written; move %s over %s by hand)", err, next, *keyPath)
	}
	if err := os.WriteFile(*keyPath+".pub", []byte(rec.Key+"\n"), 0o644); err != nil {
		return err
	}
	if *compromised {
		fmt.Fprintf(stderr, "rotated after a compromise (record %d): the old key %s is revoked, kept as %s.\nRestart the portal: totems learn the new key from its welcome.\n", serial, rec.Prev, retired)
	} else {
		fmt.Fprintf(stderr, "rotated (record %d): totems believe the old key until %s; it is kept as %s.\nRestart the portal: it signs with the new key, and totems learn it from its welcome.\n", serial, rec.OverlapUntil.Format(time.RFC3339), retired)
	}
	fmt.Fprintln(stdout, rec.Key)
	return nil
}

// nextSerial is the serial of the record after recs, which must all be
// signed by the root key rootPub.
func nextSerial(rootPub ed25519.PublicKey, recs []feed.SignedKeyRecord, keyPath string) (int64, error) {
	var serial int64
	for i, r := range recs {
		rec, err := r.Open(rootPub)
		if err != nil {
			return 0, fmt.Errorf("keys rotate: record %d in %s was not signed by this root key: %w", i+1, keyRecordsPath(keyPath), err)
		}
		serial = max(serial, rec.Serial)
	}
	return serial + 1, nil
}

func runKeysRevoke(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keys revoke", flag.ContinueOnError)
	keyPath := fs.String("key", "data/portal.key", "the portal's signing key `file` (the record is kept beside it)")
	rootPath := fs.String("root-key", "", "the root key `file` (punto keys root-init)")
	revoke := fs.String("revoke", "", "the public `key` to revoke (base64, as punto portal key printed it), or a file holding it")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if *revoke == "" {
		return usagef("keys revoke: --revoke is required (the public key to revoke)")
	}
	pub, err := feed.ParsePublicKey(*revoke)
	if err != nil {
		return usagef("keys revoke: --revoke: %v", err)
	}
	root, err := readRootKey("revoke", *rootPath, stderr)
	if err != nil {
		return err
	}
	cur, recs, err := portalRecords("revoke", *keyPath)
	if err != nil {
		return err
	}
	if pub.Equal(cur.Public()) {
		return usagef("keys revoke: that is the key the portal signs with now: run punto keys rotate --compromised, which gives it a new one and revokes this one")
	}
	enc := feed.EncodePublicKey(pub)
	signed, err := feed.SignKeyRecord(feed.KeyRecord{Type: feed.KeyRevoke, Key: enc, At: time.Now().UTC().Truncate(time.Second)}, root, nil)
	if err != nil {
		return fmt.Errorf("keys revoke: %w", err)
	}
	if err := feed.WriteKeyRecords(keyRecordsPath(*keyPath), append(recs, signed)); err != nil {
		return fmt.Errorf("keys revoke: %w", err)
	}
	fmt.Fprintf(stdout, "revoked %s: restart the portal, and totems believe nothing it signs\n", enc)
	return nil
}

func runKeysList(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keys list", flag.ContinueOnError)
	keyPath := fs.String("key", "data/portal.key", "the portal's signing key `file`")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	key, recs, err := portalRecords("list", *keyPath)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "signing with %s\n", feed.EncodePublicKey(key.Public().(ed25519.PublicKey)))
	for _, r := range recs {
		var rec feed.KeyRecord
		if err := json.Unmarshal(r.Record, &rec); err != nil {
			return fmt.Errorf("keys list: %w", err)
		}
		line := []string{rec.Type, fmt.Sprint(rec.Serial), rec.At.Format(time.RFC3339), rec.Key}
		if rec.Prev != "" {
			line = append(line, "after "+rec.Prev)
		}
		if !rec.OverlapUntil.IsZero() {
			line = append(line, "overlap until "+rec.OverlapUntil.Format(time.RFC3339))
		}
		if rec.RevokePrev {
			line = append(line, "revokes it")
		}
		fmt.Fprintln(stdout, strings.Join(line, "\t"))
	}
	return nil
}

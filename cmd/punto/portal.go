package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/content/feed"
	"github.com/punto-totem/punto/editorial"
	"github.com/punto-totem/punto/fleet"
	"github.com/punto-totem/punto/internal/sqlitedb"
)

const portalUsage = `Usage:
  punto portal [flags]                 serve the regional portal: editor, phones, feed to totems
  punto portal user add|list|disable   manage editor accounts
  punto portal totem add|list|revoke   manage the totems the portal feeds
  punto portal key --key FILE          print the public key totems check batches with
  punto portal epoch --db FILE         start a new feed epoch, after restoring the
                                       catalog from an older copy

Run "punto portal -h" for the server's flags.
`

func runPortal(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "user":
			return runPortalUser(ctx, args[1:], stdin, stdout, stderr)
		case "totem":
			return runPortalTotem(ctx, args[1:], stdout, stderr)
		case "key":
			return runPortalKey(args[1:], stdout, stderr)
		case "epoch":
			return runPortalEpoch(ctx, args[1:], stdout, stderr)
		case "help":
			fmt.Fprint(stdout, portalUsage)
			return nil
		}
	}
	cfg, err := parsePortalConfig(args, stderr)
	if err != nil {
		return err
	}
	return servePortal(ctx, cfg, stdout, stderr)
}

// openCatalog opens the catalog at path, creating the demo one first if
// asked to.
func openCatalog(ctx context.Context, log *slog.Logger, path string, demo bool) (*content.Store, error) {
	return openCatalogWith(ctx, log, path, demo, content.Open)
}

// openCatalogWith is openCatalog with the opener: content.Open, or
// content.OpenBackground for a totem, which answers while its index
// builds.
func openCatalogWith(ctx context.Context, log *slog.Logger, path string, demo bool, open func(context.Context, string) (*content.Store, error)) (*content.Store, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if !demo {
			return nil, fmt.Errorf("catalog %s does not exist (pass --demo to create the demo catalog there)", path)
		}
		log.Info("creating the demo catalog", "db", path)
		if err := content.CreateDemo(ctx, path); err != nil {
			return nil, err
		}
	} else if err := existingFile(path); err != nil {
		return nil, err
	}
	return open(ctx, path)
}

// demoAccounts makes sure the demo has an admin to sign in with and,
// if asked, a registered totem, and prints the admin's credentials. They
// are generated on the first run and kept beside the catalog.
func demoAccounts(ctx context.Context, ps *portalStores, cfg *PortalConfig, log *slog.Logger, stdout io.Writer) error {
	const name = "demo-admin"
	pwFile := filepath.Join(filepath.Dir(cfg.DB), "demo-admin.password")
	pw, err := os.ReadFile(pwFile)
	if errors.Is(err, os.ErrNotExist) {
		password := editorial.GeneratePassword()
		if _, err := ps.editorial.CreateAccount(ctx, "command line", name, "admin", nil, password); err != nil {
			return fmt.Errorf("demo admin: %w", err)
		}
		if err := os.WriteFile(pwFile, []byte(password+"\n"), 0o600); err != nil {
			return err
		}
		pw = []byte(password)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n  DEMO ONLY — editor sign-in for this demo portal:\n    user:     %s\n    password: %s\n\n", name, strings.TrimSpace(string(pw)))
	rootPub, err := demoRootKey(filepath.Join(filepath.Dir(cfg.Key), "demo-root.key"))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "  DEMO ONLY — root key beside the portal's (a real one stays offline):\n    totems: --root-pubkey %s\n    rotate: punto keys rotate --key %s --root-key %s\n\n",
		rootPub, cfg.Key, filepath.Join(filepath.Dir(cfg.Key), "demo-root.key"))
	tokenFile := cfg.DemoTotemToken
	if tokenFile == "" {
		return nil
	}
	token, err := ps.fleet.AddTotem(ctx, "demo-totem", "Demo totem", cfg.Position)
	if err != nil {
		return err
	}
	log.Info("registered the demo totem", "totem", "demo-totem", "token_file", tokenFile)
	return os.WriteFile(tokenFile, []byte(token+"\n"), 0o600)
}

// runPortalTotem registers, lists and revokes totems from the command line.
func runPortalTotem(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	if len(args) == 0 {
		return usagef("portal totem: add, list or revoke?")
	}
	fs := flag.NewFlagSet("portal totem "+args[0], flag.ContinueOnError)
	db := fs.String("db", "data/portal.db", "master catalog `file`")
	id := fs.String("id", "", "the totem's `ID` (letters, digits, . _ : -)")
	name := fs.String("name", "", "where it stands, for people")
	lat := fs.Float64("lat", 0, "its latitude")
	lon := fs.Float64("lon", 0, "its longitude")
	if err := parse(fs, args[1:], stderr); err != nil {
		return err
	}
	if err := existingFile(*db); err != nil {
		return fmt.Errorf("portal totem: --db: %w", err)
	}
	// The catalog is opened first: it brings the file's schema up to date.
	store, err := content.OpenLazy(ctx, *db)
	if err != nil {
		return err
	}
	defer closeAfter(&err, store)
	fl, err := fleet.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer closeAfter(&err, fl)
	switch args[0] {
	case "add":
		if *id == "" {
			return usagef("portal totem add: --id is required")
		}
		token, err := fl.AddTotem(ctx, *id, *name, orb.Point{*lon, *lat})
		var ve *content.ValidationError
		if errors.As(err, &ve) {
			return usagef("portal totem add: %s: %s", ve.Field, ve.Reason)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "totem %s registered; its token (shown once, give it to the totem as --token-file):\n%s\n", *id, token)
	case "list":
		ts, err := fl.Totems(ctx)
		if err != nil {
			return err
		}
		for _, t := range ts {
			state := "active"
			if t.Revoked {
				state = "revoked"
			}
			fmt.Fprintf(stdout, "%s\t%s\tseq %d\t%s\t%.5f,%.5f\n", t.ID, state, t.Seq, t.Name, t.Point[1], t.Point[0])
		}
	case "revoke":
		if *id == "" {
			return usagef("portal totem revoke: --id is required")
		}
		if err := fl.RevokeTotem(ctx, *id); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "totem %s revoked: it is disconnected the next time it dials (or now, from the editor)\n", *id)
	default:
		return usagef("portal totem: unknown command %q (add, list or revoke)", args[0])
	}
	return nil
}

func runPortalKey(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("portal key", flag.ContinueOnError)
	keyPath := fs.String("key", "data/portal.key", "the portal's signing key `file`")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if err := existingFile(*keyPath); err != nil {
		return fmt.Errorf("portal key: %w", err)
	}
	key, _, err := feed.LoadOrCreateKey(*keyPath)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, feed.EncodePublicKey(key.Public().(ed25519.PublicKey)))
	return nil
}

func runPortalEpoch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("portal epoch", flag.ContinueOnError)
	db := fs.String("db", "data/portal.db", "the portal's catalog `file`")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	st, err := newEpoch(ctx, *db)
	if err != nil {
		return fmt.Errorf("portal epoch: %w", err)
	}
	fmt.Fprintf(stderr, "new feed epoch at sequence %d: totems ahead of it take its snapshot when the portal (re)starts\n", st.Seq)
	fmt.Fprintln(stdout, st.Epoch)
	return nil
}

// newEpoch starts a new feed epoch in the portal's catalog at path.
func newEpoch(ctx context.Context, path string) (st feed.State, err error) {
	if err := existingFile(path); err != nil {
		return feed.State{}, err
	}
	release, err := lockStopped(path)
	if err != nil {
		return feed.State{}, err
	}
	defer func() { err = errors.Join(err, release()) }()
	cat, err := content.OpenLazy(ctx, path)
	if err != nil {
		return feed.State{}, err
	}
	st, err = feed.NewEpoch(ctx, cat)
	return st, errors.Join(err, cat.Close())
}

// demoRootKey makes the demo's root key at path if missing, marked as a
// demonstration's, and returns its public half.
func demoRootKey(path string) (string, error) {
	key, _, err := feed.ReadKeyFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key, err = feed.NewKeyFile(path, map[string]string{feed.DemoHeader: "a demonstration key, not for production"})
	}
	if err != nil {
		return "", fmt.Errorf("demo root key: %w", err)
	}
	return feed.EncodePublicKey(key.Public().(ed25519.PublicKey)), nil
}

// lockStopped takes the serving lock of a portal's file for a command
// that must run with the portal stopped, and says so if it is not.
func lockStopped(path string) (func() error, error) {
	release, err := sqlitedb.Lock(path)
	if errors.Is(err, sqlitedb.ErrInUse) {
		return nil, fmt.Errorf("a portal is serving %s: stop it first (systemctl stop punto-portal)", path)
	}
	return release, err
}

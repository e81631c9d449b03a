package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/editorial"
)

const portalUserUsage = `Usage:
  punto portal user add --db FILE --name NAME --role admin|editor|coordinator|mediator|requester [--territory ID ...] [--password-stdin]
  punto portal user list --db FILE
  punto portal user disable --db FILE --name NAME

NAME is an e-mail address or a user name. An editor needs at least one
territory (repeat --territory, or give a comma-separated list). Without
--password-stdin a strong password is generated and printed once.`

// runPortalUser manages the editor accounts of a portal's catalog file.
func runPortalUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("portal user: which command? add, list or disable\n\n%s", portalUserUsage)
	}
	switch args[0] {
	case "add":
		return portalUserAdd(ctx, args[1:], stdin, stdout, stderr)
	case "list":
		fs := flag.NewFlagSet("portal user list", flag.ContinueOnError)
		db := fs.String("db", "", "the portal's catalog `file`")
		if err := parse(fs, args[1:], stderr); err != nil {
			return err
		}
		return withEditorial(ctx, *db, "portal user list", func(ed *editorial.Store) error {
			users, err := ed.Accounts(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tROLE\tTERRITORIES\tSTATE\tLAST LOGIN")
			for _, u := range users {
				state, last := "active", "never"
				if u.Disabled {
					state = "disabled"
				}
				if u.LastLoginAt != nil {
					last = u.LastLoginAt.Format(time.RFC3339)
				}
				terr := strings.Join(u.Territories, ",")
				if terr == "" {
					terr = "-"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Name, u.Role, terr, state, last)
			}
			return tw.Flush()
		})
	case "disable":
		fs := flag.NewFlagSet("portal user disable", flag.ContinueOnError)
		db := fs.String("db", "", "the portal's catalog `file`")
		name := fs.String("name", "", "the account's e-mail address or user name")
		if err := parse(fs, args[1:], stderr); err != nil {
			return err
		}
		if *name == "" {
			return usagef("portal user disable: --name is required")
		}
		return withEditorial(ctx, *db, "portal user disable", func(ed *editorial.Store) error {
			if err := ed.DisableUser(ctx, "command line", *name); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "disabled %s\n", strings.ToLower(strings.TrimSpace(*name)))
			return nil
		})
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, portalUserUsage)
		return nil
	}
	return usagef("portal user: unknown command %q\n\n%s", args[0], portalUserUsage)
}

func portalUserAdd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("portal user add", flag.ContinueOnError)
	db := fs.String("db", "", "the portal's catalog `file`")
	name := fs.String("name", "", "the account's e-mail address or user name")
	role := fs.String("role", "", "admin, editor, coordinator (mediation, in --territory), mediator or requester")
	var territories []string
	fs.Func("territory", "a territory `ID` the editor may change (repeat, or separate with commas)", func(v string) error {
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); t != "" {
				territories = append(territories, t)
			}
		}
		return nil
	})
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	switch {
	case *name == "":
		return usagef("portal user add: --name is required")
	case !slices.Contains(editorial.Roles, *role):
		return usagef("portal user add: --role must be one of %s", strings.Join(editorial.Roles, ", "))
	case (*role == "editor" || *role == "coordinator") && len(territories) == 0:
		return usagef("portal user add: --role %s needs at least one --territory", *role)
	}
	password := ""
	if *fromStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("portal user add: read the password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
		if password == "" {
			return usagef("portal user add: --password-stdin: standard input holds no password")
		}
	} else {
		password = editorial.GeneratePassword()
	}
	return withEditorial(ctx, *db, "portal user add", func(ed *editorial.Store) error {
		if _, err := ed.CreateAccount(ctx, "command line", *name, *role, territories, password); err != nil {
			return fmt.Errorf("portal user add: %w", err)
		}
		fmt.Fprintf(stdout, "added %s %s\n", *role, strings.ToLower(strings.TrimSpace(*name)))
		if !*fromStdin {
			fmt.Fprintf(stdout, "password (shown only now): %s\n", password)
		}
		return nil
	})
}

// withEditorial opens the editorial store of the portal's existing catalog file for fn.
func withEditorial(ctx context.Context, db, cmd string, fn func(*editorial.Store) error) (err error) {
	if db == "" {
		return usagef("%s: --db is required", cmd)
	}
	if err := existingFile(db); err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	st, err := content.OpenLazy(ctx, db)
	if err != nil {
		return err
	}
	defer closeAfter(&err, st)
	ed, err := editorial.Open(ctx, editorial.Config{Catalog: st})
	if err != nil {
		return err
	}
	defer closeAfter(&err, ed)
	return fn(ed)
}

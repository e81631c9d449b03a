// Command punto runs a Punto node and manages its catalog.
//
//	punto totem   [flags]   serve the touch UI and API from a local catalog
//	punto portal  [flags]   serve the regional portal and its change feed
//	punto catalog <cmd>     create, generate and inspect catalog files
//
// It is the wiring only: each role's typed config (PortalConfig,
// TotemConfig), the stores opened on its file, the hub or client, the
// servers. What a node does lives in the packages it imports.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `punto: integration services near you, on a totem and a phone.

Usage:
  punto totem [flags]               serve the UI and API from a local catalog
                                    (and follow a portal with --portal)
  punto portal [flags]              serve the regional portal: editor, phones,
                                    and the signed change feed to totems
  punto portal user|totem|key ...   manage accounts, totems and the signing key
  punto mirror --portal wss://HOST/sync --portal-key KEY --token-file FILE
                                    follow the portal read-only: serve its
                                    phones and its signed feed to totems
  punto backup --db FILE --out COPY  copy a portal's file while it serves
  punto restore --from COPY --db FILE [--force]
                                    put a copy back, in a new feed epoch
  punto keys root-init|rotate|revoke|list
                                    the offline root key, and rotating or
                                    revoking the portal's signing key
  punto catalog demo --out FILE     write the demo catalog
  punto catalog generate --services N --seed S --out FILE
                                    write a synthetic catalog (tests, benchmarks)
  punto catalog info --db FILE      count what a catalog holds
  punto kiosk-watchdog [flags]      look at the totem's screen once, mend it
                                    (run by punto-kiosk-watchdog.timer)
  punto catalog import --format hsds|hsds-csv|geojson|csv --db FILE IN
                                    import open data (one transaction)
  punto catalog export --format hsds|hsds-csv|geojson|csv --db FILE [--out OUT]
                                    export open data
  punto version

Run "punto COMMAND -h" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and returns the exit code: 0 success,
// 1 failure, 2 a usage error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "totem":
		err = runTotem(ctx, args[1:], stderr)
	case "portal":
		err = runPortal(ctx, args[1:], os.Stdin, stdout, stderr)
	case "mirror":
		err = runMirror(ctx, args[1:], stderr)
	case "backup":
		err = runBackup(ctx, args[1:], stdout, stderr)
	case "restore":
		err = runRestore(ctx, args[1:], stdout, stderr)
	case "keys":
		err = runKeys(args[1:], stdout, stderr)
	case "kiosk-watchdog":
		err = runKioskWatchdog(ctx, args[1:], stdout, stderr)
	case "catalog":
		err = runCatalog(ctx, args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "punto", version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "punto: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	var uerr usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errKioskRestarted):
		return exitKioskRestarted
	case errors.Is(err, errRestart):
		fmt.Fprintln(stderr, "punto:", err)
		return exitRestart
	case errors.As(err, &uerr):
		fmt.Fprintln(stderr, "punto:", err)
		return 2
	default:
		fmt.Fprintln(stderr, "punto:", err)
		return 1
	}
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// parse parses flags, turning flag's own complaints into usage errors and
// refusing stray arguments.
func parse(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usagef("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/punto-totem/punto/content"
)

func runCatalog(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("catalog: which command? demo, generate, info, import or export")
	}
	switch args[0] {
	case "demo":
		fs := flag.NewFlagSet("catalog demo", flag.ContinueOnError)
		out := fs.String("out", "", "new catalog `file` to write")
		if err := parse(fs, args[1:], stderr); err != nil {
			return err
		}
		if *out == "" {
			return usagef("catalog demo: --out is required")
		}
		return content.CreateDemo(ctx, *out)
	case "generate":
		fs := flag.NewFlagSet("catalog generate", flag.ContinueOnError)
		n := fs.Int("services", 10000, "number of services (1 to 1000000)")
		seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same catalog")
		out := fs.String("out", "", "new catalog `file` to write")
		if err := parse(fs, args[1:], stderr); err != nil {
			return err
		}
		if *out == "" {
			return usagef("catalog generate: --out is required")
		}
		if *n < 1 || *n > content.MaxGenerated {
			return usagef("catalog generate: --services must be between 1 and %d", content.MaxGenerated)
		}
		start := time.Now()
		if err := content.Generate(ctx, *out, content.GenerateOptions{Services: *n, Seed: *seed}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %d services to %s in %s\n", *n, *out, time.Since(start).Round(time.Millisecond))
		return nil
	case "info":
		fs := flag.NewFlagSet("catalog info", flag.ContinueOnError)
		db := fs.String("db", "", "catalog `file`")
		if err := parse(fs, args[1:], stderr); err != nil {
			return err
		}
		if *db == "" {
			return usagef("catalog info: --db is required")
		}
		return catalogInfo(ctx, *db, stdout)
	case "import":
		return catalogImport(ctx, args[1:], stdout, stderr)
	case "export":
		return catalogExport(ctx, args[1:], stdout, stderr)
	}
	return usagef("catalog: unknown command %q (demo, generate, info, import or export)", args[0])
}

func catalogInfo(ctx context.Context, path string, stdout io.Writer) (err error) {
	if err := existingFile(path); err != nil {
		return err
	}
	st, err := content.OpenLazy(ctx, path)
	if err != nil {
		return err
	}
	defer closeAfter(&err, st)
	stats, err := st.Stats(ctx)
	if err != nil {
		return err
	}
	source, err := st.Meta(ctx, "source")
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"file": path, "schema_version": content.SchemaVersion(), "source": source, "catalog": stats, "categories": st.CategoryCounts()})
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/kiosk"
)

func runTotem(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("totem", flag.ContinueOnError)
	db := fs.String("db", "data/punto.db", "catalog `file` (SQLite)")
	addr := fs.String("addr", ":8080", "listen `address`")
	lat := fs.Float64("lat", content.DemoTotem[1], "the totem's latitude (WGS84)")
	lon := fs.Float64("lon", content.DemoTotem[0], "the totem's longitude (WGS84)")
	demo := fs.Bool("demo", false, "create the demo catalog at --db if the file does not exist")
	idle := fs.Int("idle", 60, "`seconds` untouched before the screen returns to the start and forgets the visit")
	totemID := fs.String("totem-id", "demo-totem", "this totem's `name`, for alerts aimed at chosen totems")
	tilesPath := fs.String("tiles", "", "basemap `file` (MBTiles, vector or raster) the map draws; without it the map shows the territories only")
	publicURL := fs.String("public-url", "", "the `URL` where phones reach this content (QR codes point there; default http://localhost and --addr's port)")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	pos := orb.Point{*lon, *lat}
	if *idle < 5 || *idle > 3600 {
		return usagef("totem: --idle must be between 5 and 3600 seconds")
	}
	warnPublic := false
	if *publicURL == "" {
		_, port, _ := net.SplitHostPort(*addr)
		*publicURL = "http://localhost:" + port
		warnPublic = true
	}
	if u, err := url.Parse(*publicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("totem: --public-url must be an http or https URL")
	}
	if err := content.ValidPoint(pos); err != nil {
		return usagef("totem: --lat/--lon: %v", err)
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if warnPublic {
		log.Warn("QR codes point to this machine, which visitors' phones cannot reach: set --public-url to the portal's address", "public_url", *publicURL)
	}
	if _, err := os.Stat(*db); errors.Is(err, os.ErrNotExist) {
		if !*demo {
			return fmt.Errorf("totem: catalog %s does not exist (pass --demo to create the demo catalog there)", *db)
		}
		log.Info("creating the demo catalog", "db", *db)
		if err := content.CreateDemo(ctx, *db); err != nil {
			return err
		}
	}
	store, err := content.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	var tiles *kiosk.Tiles
	if *tilesPath != "" {
		if err := existingFile(*tilesPath); err != nil {
			return fmt.Errorf("totem: --tiles: %w", err)
		}
		if tiles, err = kiosk.OpenTiles(ctx, *tilesPath); err != nil {
			return err
		}
		defer tiles.Close()
	}
	srv, err := kiosk.New(store, kiosk.Config{Tiles: tiles, TotemID: *totemID, Role: "totem", Position: pos, Version: version, Log: log, IdleSeconds: *idle, PublicURL: *publicURL})
	if err != nil {
		return err
	}
	st, err := store.Stats(ctx)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Listen(*addr) }()
	log.Info("totem serving", "addr", *addr, "db", *db, "services", st.Services, "lat", *lat, "lon", *lon)
	select {
	case err := <-errc:
		return fmt.Errorf("totem: %w", err)
	case <-ctx.Done():
		log.Info("shutting down")
		return srv.Shutdown()
	}
}

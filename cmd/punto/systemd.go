package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/punto-totem/punto/internal/sdnotify"
)

// notifySystemd tells systemd the node serves and, when the unit has
// WatchdogSec, pings the watchdog every half interval for as long as check
// (a read of the catalog) answers: a node whose catalog hangs stops
// pinging, and systemd restarts it. Outside systemd it returns at once.
func notifySystemd(ctx context.Context, log *slog.Logger, check func(context.Context) error) {
	if ok, err := sdnotify.Notify(sdnotify.Ready); err != nil {
		log.Warn("cannot tell systemd the node is ready", "err", err)
		return
	} else if !ok {
		return
	}
	every, err := sdnotify.WatchdogInterval()
	if err != nil {
		if !errors.Is(err, sdnotify.ErrNoWatchdog) {
			log.Warn("systemd's watchdog", "err", err)
		}
		return
	}
	every /= 2
	log.Info("feeding systemd's watchdog while the catalog answers", "every", every)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		cctx, cancel := context.WithTimeout(ctx, every)
		err := check(cctx)
		cancel()
		switch {
		case ctx.Err() != nil:
		case err != nil:
			log.Error("the catalog does not answer: systemd's watchdog goes unfed", "err", err)
		default:
			if _, err := sdnotify.Notify(sdnotify.Watchdog); err != nil {
				log.Warn("cannot ping systemd's watchdog", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			if _, err := sdnotify.Notify(sdnotify.Stopping); err != nil {
				log.Warn("cannot tell systemd the node is stopping", "err", err)
			}
			return
		case <-tick.C:
		}
	}
}

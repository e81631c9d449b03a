package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// exitKioskRestarted is the exit status of a kiosk watchdog that restarted
// the screen.
const exitKioskRestarted = 3

// errKioskRestarted ends a watchdog run that restarted the screen.
var errKioskRestarted = errors.New("kiosk-watchdog: the screen was restarted")

// runKioskWatchdog looks once at the totem's screen through chromium's
// DevTools endpoint on loopback (the kiosk session's browser opens it) and
// mends what it finds: a page that went elsewhere (an error page, a link
// followed) is sent back to the totem's UI; a page that no longer answers a
// script (a hung renderer), or a browser that no longer answers at all, gets
// the kiosk unit restarted. While the totem itself does not answer it does
// nothing: systemd restarts the totem, and the page shows it offline.
func runKioskWatchdog(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kiosk-watchdog", flag.ContinueOnError)
	pageURL := fs.String("kiosk-url", "http://localhost:8080/?kiosk=1", "the `URL` the screen shows")
	port := fs.Int("kiosk-devtools-port", 9222, "chromium's DevTools `port` on 127.0.0.1")
	unit := fs.String("kiosk-unit", "punto-kiosk@tty1.service", "the systemd `unit` of the screen, restarted when it does not answer")
	restartCmd := fs.String("kiosk-restart", "", "a shell `command` to run instead of systemctl restart UNIT (tests)")
	timeout := fs.Duration("kiosk-timeout", 10*time.Second, "how long the page has to answer a script")
	if err := parseConfig(fs, args, stderr); err != nil {
		return err
	}
	page, err := url.Parse(*pageURL)
	if err != nil || (page.Scheme != "http" && page.Scheme != "https") || page.Host == "" {
		return usagef("kiosk-watchdog: --kiosk-url must be an http or https URL")
	}
	if *port < 1 || *port > 65535 {
		return usagef("kiosk-watchdog: --kiosk-devtools-port must be between 1 and 65535")
	}
	if *timeout < time.Second || *timeout > time.Minute {
		return usagef("kiosk-watchdog: --kiosk-timeout must be between 1s and 1m")
	}
	origin := page.Scheme + "://" + page.Host
	client := &http.Client{Timeout: *timeout}
	say := func(format string, a ...any) { fmt.Fprintf(stdout, "kiosk-watchdog: "+format+"\n", a...) }
	restart := func(why string) error {
		say("%s: restarting %s", why, *unit)
		cmd := exec.CommandContext(ctx, "systemctl", "restart", *unit)
		if *restartCmd != "" {
			cmd = exec.CommandContext(ctx, "sh", "-c", *restartCmd)
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("kiosk-watchdog: restarting %s: %v: %s", *unit, err, out)
		}
		return errKioskRestarted
	}

	res, err := client.Get(origin + "/healthz")
	if err != nil {
		say("the totem at %s does not answer; leaving the screen alone", origin)
		return nil
	}
	res.Body.Close()
	devtools := fmt.Sprintf("http://127.0.0.1:%d", *port)
	targets, err := devtoolsPages(client, devtools)
	if err != nil {
		return restart("chromium's DevTools do not answer (" + err.Error() + ")")
	}
	var shown, other *devtoolsTarget
	for i, t := range targets {
		switch {
		case strings.HasPrefix(t.URL, origin+"/") && shown == nil:
			shown = &targets[i]
		case other == nil:
			other = &targets[i]
		}
	}
	if shown == nil && other == nil {
		return restart("chromium shows no page")
	}
	if shown == nil {
		// The page went elsewhere: take it back, without restarting.
		if _, err := cdpCall(ctx, other.WebSocket, *timeout, "Page.navigate", map[string]any{"url": *pageURL}); err != nil {
			return restart("the page at " + other.URL + " does not answer (" + err.Error() + ")")
		}
		say("the page showed %s: sent it back to %s", other.URL, *pageURL)
		return nil
	}
	if _, err := cdpCall(ctx, shown.WebSocket, *timeout, "Runtime.evaluate", map[string]any{"expression": "document.readyState", "returnByValue": true}); err != nil {
		return restart("the page does not answer (" + err.Error() + ")")
	}
	say("the screen shows %s and answers", shown.URL)
	return nil
}

// devtoolsTarget is a page as chromium's DevTools list it.
type devtoolsTarget struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	URL       string `json:"url"`
	WebSocket string `json:"webSocketDebuggerUrl"`
}

// devtoolsPages lists the pages (not workers or extensions) chromium shows.
func devtoolsPages(client *http.Client, devtools string) ([]devtoolsTarget, error) {
	res, err := client.Get(devtools + "/json/list")
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var all []devtoolsTarget
	if err := json.NewDecoder(res.Body).Decode(&all); err != nil {
		return nil, fmt.Errorf("DevTools list: %w", err)
	}
	var pages []devtoolsTarget
	for _, t := range all {
		if t.Type == "page" {
			pages = append(pages, t)
		}
	}
	return pages, nil
}

// cdpCall sends one command of the Chrome DevTools Protocol to a page and
// waits, at most timeout, for its answer.
func cdpCall(ctx context.Context, ws string, timeout time.Duration, method string, params any) (json.RawMessage, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	d := websocket.Dialer{HandshakeTimeout: timeout}
	conn, _, err := d.DialContext(ctx, ws, nil)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	conn.SetWriteDeadline(deadline)
	conn.SetReadDeadline(deadline)
	if err := conn.WriteJSON(map[string]any{"id": 1, "method": method, "params": params}); err != nil {
		return nil, err
	}
	for {
		var msg struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := conn.ReadJSON(&msg); err != nil {
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() {
				return nil, fmt.Errorf("no answer to %s within %s", method, timeout)
			}
			return nil, err
		}
		if msg.ID != 1 {
			continue // an event
		}
		if msg.Error != nil {
			return nil, fmt.Errorf("%s: %s", method, msg.Error.Message)
		}
		return msg.Result, nil
	}
}

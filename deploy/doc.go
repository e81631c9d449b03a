// Package deploy holds the files that install Punto on a machine: systemd
// units, the kiosk session, the install script, example configs and an
// nginx example. Its tests check them with the real tools: systemd-analyze,
// shellcheck, the install script run into a scratch root, the kiosk
// scripts driving Debian's chromium.
package deploy

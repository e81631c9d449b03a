// Package fleet is the portal's register of its totems (tokens, heartbeats),
// the remote commands sent to them and the anonymous needs figures they
// count, kept in the catalog file's fleet tables with SQL of its own.
// It is storage only: it must not import net/http, fiber, kiosk, portal or relay.
package fleet

// Package fleet keeps the totem registry (tokens, heartbeats), the remote
// commands and the anonymous needs figures, with its own SQL over the catalog
// file's fleet tables. It must not import net/http, fiber, kiosk, portal or relay.
package fleet

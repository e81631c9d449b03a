// Package portal is the editors' HTTP face: the JSON API under /editor/api
// (see API.md) and the editor UI at /editor. It maps what package
// editorial decides (accounts, sessions, drafts, access, audit, publishing)
// and the fleet's records to HTTP, and keeps no SQL of its own.
//
// It must not import kiosk or relay: the wiring gives it a Publisher and a
// Commander (the hub).
package portal

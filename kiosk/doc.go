// Package kiosk is the public HTTP face of a Punto node (totem or portal):
// the JSON API under /api/v1, the touch UI, and live updates to screens,
// served with Fiber from the local catalog.
//
// It must not import the editor (portal, editorial) or the feed's carrier
// (relay): a node's wiring (cmd/punto) mounts those beside it.
package kiosk

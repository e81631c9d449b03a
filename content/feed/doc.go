// Package feed is the catalog's change feed: publishing changes as chained,
// hashed batches (in the catalog's own write transaction), the change log,
// signed envelopes and the portal's keys, applying batches and snapshots on
// a replica, and where a catalog stands in the feed.
//
// It is storage and cryptography only: it must not import net/http, fiber,
// websocket, kiosk, portal or relay (those carry the feed; it does not).
package feed

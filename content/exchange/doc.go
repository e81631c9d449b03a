// Package exchange reads and writes the catalog's organizations and
// services in the open-data formats (HSDS 3 JSON, the HSDS CSV data
// package, GeoJSON, the flat CSV template) and reports each problem of an
// imported file where it is. It builds on package content and must not
// import kiosk, portal, relay, fiber or net/http.
package exchange

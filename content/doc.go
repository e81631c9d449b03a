// Package content is Punto's catalog: the model (after Open Referral HSDS 3),
// its SQLite store with embedded migrations, translations with a fallback
// chain, opening hours with Italian public holidays, multilingual search
// (a lexicon of needs, folding for every script, typo tolerance), and the
// spatial queries a totem answers.
//
// The SQLite file is the single source of truth. It is also a valid
// SpatiaLite database: geometries are SpatiaLite blobs registered in
// geometry_columns with R*Tree spatial indexes, so GIS tools (spatialite,
// ogrinfo, QGIS) read it as it is. For speed, the store keeps an in-memory
// index of every service at a location, and of the words of every
// service's text, built at open and updated by every write after it
// commits.
//
// The file also holds tables that are not the catalog's: the change feed's
// (package content/feed), the fleet's (totem registry, remote commands,
// needs figures; package fleet) and the editors' (package editorial, with
// its own migrations). The first two were made by the catalog's migrations,
// which stay here so that existing files keep one schema history.
//
// It stands on geo alone: it must not import its neighbours (feed,
// exchange, fleet, editorial), HTTP, Fiber or websockets.
package content

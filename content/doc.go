// Package content is Punto's catalog: the model (after Open Referral HSDS 3),
// its SQLite store with embedded migrations, translations with a fallback
// chain, opening hours with Italian public holidays, full-text search, and
// the spatial queries a totem answers.
//
// The SQLite file is the single source of truth. It is also a valid
// SpatiaLite database: geometries are SpatiaLite blobs registered in
// geometry_columns with R*Tree spatial indexes, so GIS tools (spatialite,
// ogrinfo, QGIS) read it as it is. For speed, the store keeps an in-memory
// index of every service at a location, built at open and updated by every
// write after it commits.
//
// The file also holds tables that are not the catalog's: the fleet's (the
// totem registry, remote commands, needs figures), which package fleet
// reads and writes over connections of its own, and the editor portal's.
// Their migrations are here, so that one file keeps one schema history.
package content

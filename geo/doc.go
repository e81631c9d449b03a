// Package geo holds Punto's geometry: the SpatiaLite blob codec, great-circle
// distance, walking time and compass words, and the in-memory spatial indexes
// that answer "what is near this point" and "which territory holds it".
//
// Geometries are orb values in lon/lat order (WGS84, SRID 4326) throughout.
// Distances are great-circle distances on a sphere of radius orb.EarthRadius
// (geo.DistanceHaversine), in metres.
//
// It is the ground floor: it imports no other package of Punto.
package geo

// Package kiosk is the HTTP face of a Punto node: the public JSON API under
// /api/v1 and the touch UI, served with Fiber from the local catalog.
package kiosk

package kiosk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Tiles is a basemap in an MBTiles file (SQLite): vector tiles (pbf) drawn
// by MapLibre in the browser, or raster tiles (png, jpg, webp).
type Tiles struct {
	db      *sql.DB
	Format  string // pbf, png, jpg or webp
	MinZoom int
	MaxZoom int
	Bounds  string // "minLon,minLat,maxLon,maxLat" from the metadata, if any
	// Attribution is the credit the map shows while it draws these tiles:
	// the metadata's, as text, else OpenStreetMap's for vector tiles
	// (what tiles/build.sh makes them from).
	Attribution string
}

// OpenTiles opens an MBTiles file read-only and reads its metadata.
func OpenTiles(ctx context.Context, path string) (*Tiles, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_query_only=1")
	if err != nil {
		return nil, err
	}
	t := &Tiles{db: db, Format: "png", MinZoom: 0, MaxZoom: 14}
	rows, err := db.QueryContext(ctx, "SELECT name, value FROM metadata")
	if err != nil {
		return nil, errors.Join(fmt.Errorf("kiosk: %s is not an MBTiles file: %w", path, err), db.Close())
	}
	defer rows.Close()
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return nil, errors.Join(err, db.Close())
		}
		switch name {
		case "format":
			t.Format = value
		case "minzoom":
			t.MinZoom, _ = strconv.Atoi(value)
		case "maxzoom":
			t.MaxZoom, _ = strconv.Atoi(value)
		case "bounds":
			t.Bounds = value
		case "attribution":
			t.Attribution = plainText(value)
		}
	}
	if t.Attribution == "" && t.Format == "pbf" {
		t.Attribution = osmAttribution
	}
	switch t.Format {
	case "pbf", "png", "jpg", "jpeg", "webp":
	default:
		return nil, errors.Join(fmt.Errorf("kiosk: %s: tile format %q is not pbf, png, jpg or webp", path, t.Format), db.Close())
	}
	return t, rows.Err()
}

// osmAttribution is the credit OpenStreetMap's licence asks for.
const osmAttribution = "© OpenStreetMap contributors"

// plainText drops the HTML tags of an attribution (often a link): the map
// shows it as text, and a totem's screen leads nowhere else.
func plainText(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>' && in:
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(html.UnescapeString(b.String())), " ")
}

// Close closes the file.
func (t *Tiles) Close() error { return t.db.Close() }

var tileTypes = map[string]string{"pbf": "application/x-protobuf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}

// tile serves /tiles/{z}/{x}/{y}: MBTiles rows count y from the south (TMS),
// web maps from the north (XYZ).
func (s *Server) tile(c *fiber.Ctx) error {
	var zxy [3]int
	for i, name := range []string{"z", "x", "y"} {
		v, err := strconv.Atoi(c.Params(name))
		if err != nil || v < 0 {
			return badRequest(name, "must be a whole number")
		}
		zxy[i] = v
	}
	z, x, y := zxy[0], zxy[1], zxy[2]
	if z > 24 || x >= 1<<z || y >= 1<<z {
		return badRequest("z", "tile outside the world")
	}
	var data []byte
	err := s.cfg.Tiles.db.QueryRowContext(c.UserContext(), "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
		z, x, (1<<z)-1-y).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return c.SendStatus(fiber.StatusNoContent) // nothing drawn there: an empty tile
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, tileTypes[s.cfg.Tiles.Format])
	if s.cfg.Tiles.Format == "pbf" && len(data) > 2 && data[0] == 0x1f && data[1] == 0x8b {
		c.Set(fiber.HeaderContentEncoding, "gzip")
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return c.Send(data)
}

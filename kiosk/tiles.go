package kiosk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

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
		}
	}
	switch t.Format {
	case "pbf", "png", "jpg", "jpeg", "webp":
	default:
		return nil, errors.Join(fmt.Errorf("kiosk: %s: tile format %q is not pbf, png, jpg or webp", path, t.Format), db.Close())
	}
	return t, rows.Err()
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

// mapStyle is the MapLibre style for this node: its own tiles when it has
// some, else a plain background on which the territories are drawn (from
// the catalog), so the map still says where things are with no basemap.
func (s *Server) mapStyle(c *fiber.Ctx) error {
	base := c.BaseURL()
	sources := fiber.Map{}
	layers := []fiber.Map{{"id": "background", "type": "background", "paint": fiber.Map{"background-color": "#eef2f6"}}}
	if t := s.cfg.Tiles; t != nil {
		tiles := []string{base + "/tiles/{z}/{x}/{y}"}
		if t.Format == "pbf" {
			sources["base"] = fiber.Map{"type": "vector", "tiles": tiles, "minzoom": t.MinZoom, "maxzoom": t.MaxZoom}
			layers = append(layers, vectorLayers()...)
		} else {
			sources["base"] = fiber.Map{"type": "raster", "tiles": tiles, "tileSize": 256, "minzoom": t.MinZoom, "maxzoom": t.MaxZoom}
			layers = append(layers, fiber.Map{"id": "base", "type": "raster", "source": "base"})
		}
	}
	lang, err := langParam(c)
	if err != nil {
		return err
	}
	sources["territories"] = fiber.Map{"type": "geojson", "data": base + "/api/v1/territories.geojson?" + langQuery(lang)}
	layers = append(layers,
		fiber.Map{"id": "territories-fill", "type": "fill", "source": "territories", "paint": fiber.Map{"fill-color": "#0b4f8a", "fill-opacity": 0.06}},
		fiber.Map{"id": "territories-line", "type": "line", "source": "territories", "paint": fiber.Map{"line-color": "#0b4f8a", "line-width": 1.5, "line-dasharray": []int{2, 2}}},
	)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.JSON(fiber.Map{"version": 8, "name": "punto", "sources": sources, "layers": layers})
}

// vectorLayers draw the OpenMapTiles schema that tilemaker writes with
// tiles/config.json and tiles/process.lua: land use, then land cover (parks,
// woods, fields) over it, by class, protected areas, water, rivers, buildings, roads by class (cased, wider
// as the map zooms in), railways, paths and borders. No labels: they need
// glyph files, and the results carry their own names.
func vectorLayers() []fiber.Map {
	layer := func(id, typ, source string, filter []any, paint fiber.Map) fiber.Map {
		l := fiber.Map{"id": id, "type": typ, "source": "base", "source-layer": source, "paint": paint}
		if filter != nil {
			l["filter"] = filter
		}
		return l
	}
	class := []any{"get", "class"}
	// A line's width w at zoom 10 grows to 8w at 16 (w may depend on the
	// feature), plus a constant for casings.
	zoomed := func(w any, extra float64) []any {
		return []any{"interpolate", []any{"exponential", 1.5}, []any{"zoom"},
			10, []any{"+", w, extra}, 16, []any{"+", []any{"*", w, 8}, extra}}
	}
	roads := []any{"match", class,
		[]any{"motorway", "trunk", "primary"}, 1.6,
		[]any{"secondary", "tertiary"}, 1.2,
		[]any{"minor", "service"}, 0.7,
		0.5}
	rivers := []any{"match", class, "river", 1.2, 0.5}
	isRoad := []any{"match", class, []any{"rail", "transit", "ferry", "path", "track", "pier"}, false, true}
	return []fiber.Map{
		layer("landuse", "fill", "landuse", nil, fiber.Map{"fill-color": []any{"match", class,
			"residential", "#e9e6e2", []any{"commercial", "retail"}, "#efe6e3", "industrial", "#e6e2ea",
			[]any{"school", "university", "college", "kindergarten"}, "#efead6", "hospital", "#f3e2e2",
			[]any{"cemetery", "pitch", "playground", "stadium"}, "#dbe7d4",
			"#ece7df"}}),
		layer("landcover", "fill", "landcover", nil, fiber.Map{"fill-color": []any{"match", class,
			"wood", "#cfe2c3", "grass", "#dcebcf", "farmland", "#eef0da", "wetland", "#d7e7e2", "sand", "#f3ead0", "ice", "#f4f8fb",
			"#e3ecd9"}}),
		layer("park", "fill", "park", nil, fiber.Map{"fill-color": "#d5e8c8", "fill-opacity": 0.7, "fill-outline-color": "#a9c99a"}),
		layer("water", "fill", "water", nil, fiber.Map{"fill-color": "#a9cbe6"}),
		layer("waterway", "line", "waterway", nil, fiber.Map{"line-color": "#a9cbe6",
			"line-width": zoomed(rivers, 0)}),
		layer("building", "fill", "building", nil, fiber.Map{"fill-color": "#d9d3cb", "fill-outline-color": "#c4bcb1"}),
		layer("road-casing", "line", "transportation", isRoad, fiber.Map{"line-color": "#c9c3ba", "line-width": zoomed(roads, 1.5)}),
		layer("path", "line", "transportation", []any{"match", class, []any{"path", "track"}, true, false},
			fiber.Map{"line-color": "#a89b8c", "line-width": 1, "line-dasharray": []int{2, 1}}),
		layer("railway", "line", "transportation", []any{"match", class, []any{"rail", "transit"}, true, false},
			fiber.Map{"line-color": "#9a9a9a", "line-width": 1.5, "line-dasharray": []int{3, 2}}),
		layer("ferry", "line", "transportation", []any{"==", class, "ferry"},
			fiber.Map{"line-color": "#6e9cc4", "line-width": 1, "line-dasharray": []int{3, 2}}),
		layer("road", "line", "transportation", isRoad, fiber.Map{"line-width": zoomed(roads, 0),
			"line-color": []any{"match", class, []any{"motorway", "trunk", "primary"}, "#fbe3a6", "#ffffff"}}),
		layer("boundary", "line", "boundary", []any{"<=", []any{"to-number", []any{"get", "admin_level"}, 99}, 8},
			fiber.Map{"line-color": "#9a8fb0", "line-width": 1, "line-dasharray": []int{3, 2}}),
	}
}

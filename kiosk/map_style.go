package kiosk

import (
	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/assets"
)

// naturalEarthAttribution credits the built-in basemap (public domain;
// Natural Earth asks for the credit all the same).
const naturalEarthAttribution = "Natural Earth"

// streetZoom is the zoom from which a node's own vector tiles alone draw
// land and sea.
const streetZoom = 12

// mapStyle is the MapLibre style for this node. Under everything lies the
// built-in basemap (assets/web/basemap, made by tiles/basemap/build.sh from
// Natural Earth): sea, land, coastline and borders of Italy and its
// neighbours, served as GeoJSON with the app's files, so every totem has a
// map that reads with no tile server and no network. Over it come the
// node's own tiles when it has some (--tiles: streets, buildings), then the
// territories from the catalog. Place names are drawn by the page as HTML
// (assets/web/map.js): symbol layers would need glyph files for every
// script.
func (s *Server) mapStyle(c *fiber.Ctx) error {
	lang, err := langParam(c)
	if err != nil {
		return err
	}
	site, err := assets.Current()
	if err != nil {
		return err
	}
	base := c.BaseURL()
	// The basemap is one source, each feature's kind saying what it is:
	// the map fetches and parses it, cuts it into tiles and clips each
	// tile once a frame, not once for every kind (with chromium's software
	// WebGL, a quarter less work a frame).
	sources := fiber.Map{"basemap": fiber.Map{"type": "geojson", "data": base + site.URL("basemap/basemap.json"), "attribution": naturalEarthAttribution}}
	kind := func(id, typ, k string, paint fiber.Map) fiber.Map {
		return fiber.Map{"id": id, "type": typ, "source": "basemap", "filter": []any{"==", []any{"get", "kind"}, k}, "paint": paint}
	}
	layers := []fiber.Map{
		{"id": "background", "type": "background", "paint": fiber.Map{"background-color": "#dfe6ec"}},
		// Sea and land meet under the coast's line: their edges need no
		// antialiasing, which draws every polygon's outline once more.
		kind("sea", "fill", "sea", fiber.Map{"fill-color": "#a9cbe6", "fill-antialias": false}),
		kind("land", "fill", "land", fiber.Map{"fill-color": "#f3f0e8", "fill-antialias": false}),
		kind("coast", "line", "coast", fiber.Map{"line-color": "#5d8fbd", "line-width": 1.2}),
		kind("borders", "line", "border", fiber.Map{"line-color": "#7d6f9e", "line-width": 1.5, "line-dasharray": []int{4, 2}}),
	}
	if t := s.cfg.Tiles; t != nil {
		tiles := []string{base + "/tiles/{z}/{x}/{y}"}
		src := fiber.Map{"type": "vector", "tiles": tiles, "minzoom": t.MinZoom, "maxzoom": t.MaxZoom}
		if t.Format == "pbf" {
			// From street level on, OpenStreetMap's coast and sea (tiles
			// built with --coastline) replace Natural Earth's, which lie a
			// few hundred metres off there.
			for _, l := range layers[1:] {
				l["maxzoom"] = streetZoom
			}
			layers = append(layers, vectorLayers()...)
		} else {
			src["type"], src["tileSize"] = "raster", 256
			layers = append(layers, fiber.Map{"id": "base", "type": "raster", "source": "base"})
		}
		if t.Attribution != "" {
			src["attribution"] = t.Attribution
		}
		sources["base"] = src
	}
	sources["territories"] = fiber.Map{"type": "geojson", "data": base + "/api/v1/territories.geojson?" + langQuery(lang)}
	layers = append(layers,
		fiber.Map{"id": "territories-fill", "type": "fill", "source": "territories", "paint": fiber.Map{"fill-color": "#0b4f8a", "fill-opacity": 0.03, "fill-antialias": false}},
		fiber.Map{"id": "territories-line", "type": "line", "source": "territories", "paint": fiber.Map{"line-color": "#0b4f8a", "line-width": 1.5, "line-opacity": 0.6, "line-dasharray": []int{2, 2}}},
	)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	// Nothing on the map fades: with no transition MapLibre draws no frames
	// between the loaded style and the tiles.
	return c.JSON(fiber.Map{"version": 8, "name": "punto", "sources": sources, "layers": layers, "transition": fiber.Map{"duration": 0, "delay": 0}})
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

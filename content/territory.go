package content

import (
	"context"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/geo"
)

func (s *Store) loadAreas(ctx context.Context) (*geo.AreaIndex, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT id, geom FROM territory ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("content: load territories: %w", err)
	}
	defer rows.Close()
	var areas []geo.Area
	for rows.Next() {
		var id string
		var g geo.Blob
		if err := rows.Scan(&id, &g); err != nil {
			return nil, fmt.Errorf("content: load territories: %w", err)
		}
		switch shape := g.Geometry.(type) {
		case orb.MultiPolygon:
			areas = append(areas, geo.Area{ID: id, Shape: shape})
		case orb.Polygon:
			areas = append(areas, geo.Area{ID: id, Shape: orb.MultiPolygon{shape}})
		default:
			return nil, fmt.Errorf("content: territory %s: geometry is %T, not a polygon", id, g.Geometry)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return geo.NewAreaIndex(areas), nil
}

// TerritoriesAt lists the territories whose polygon holds p.
func (s *Store) TerritoriesAt(ctx context.Context, p orb.Point) ([]Territory, error) {
	if err := ValidPoint(p); err != nil {
		return nil, err
	}
	ids := s.areas.Load().At(p)
	out := make([]Territory, 0, len(ids))
	for _, id := range ids {
		t, err := s.Territory(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *t)
	}
	return out, nil
}

// Territory reads one territory with every translation of its name.
func (s *Store) Territory(ctx context.Context, id string) (*Territory, error) {
	t := &Territory{ID: id}
	var g geo.Blob
	err := s.queryRow(ctx, "SELECT kind, region, geom FROM territory WHERE id = ?", id).Scan(&t.Kind, &t.Region, &g)
	if err != nil {
		return nil, notFound(err, "territory", id)
	}
	switch shape := g.Geometry.(type) {
	case orb.MultiPolygon:
		t.Shape = shape
	case orb.Polygon:
		t.Shape = orb.MultiPolygon{shape}
	}
	if t.Name, err = s.text(ctx, "territory", id, "name"); err != nil {
		return nil, err
	}
	return t, nil
}

// AllTerritories reads every territory with its shape and name.
func (s *Store) AllTerritories(ctx context.Context) ([]Territory, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT id FROM territory ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("content: territories: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := make([]Territory, 0, len(ids))
	for _, id := range ids {
		t, err := s.Territory(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *t)
	}
	return out, nil
}

// Place is a comune with services, at the centre of its service locations.
type Place struct {
	Comune   string  `json:"comune"`
	Province string  `json:"province"`
	Lat      float64 `json:"lat"`
	Lon      float64 `json:"lon"`
}

// Places lists the comuni that have a location, by name, each at the mean
// of its locations' positions (read from the spatial index).
func (s *Store) Places(ctx context.Context) ([]Place, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT l.comune, max(l.province), avg((r.ymin + r.ymax) / 2), avg((r.xmin + r.xmax) / 2)
		FROM location l JOIN idx_location_geom r ON r.pkid = l.pk
		GROUP BY l.comune ORDER BY l.comune`)
	if err != nil {
		return nil, fmt.Errorf("content: places: %w", err)
	}
	defer rows.Close()
	out := []Place{}
	for rows.Next() {
		var p Place
		if err := rows.Scan(&p.Comune, &p.Province, &p.Lat, &p.Lon); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

-- SpatiaLite 4 "current" metadata layout, written with plain SQLite so that
-- spatialite, GDAL/OGR and QGIS see the geometry columns. The R*Tree spatial
-- indexes follow SpatiaLite's naming (idx_<table>_<column>, pkid = ROWID of
-- the geometry table); Punto's store keeps them in step with every write in
-- the same transaction, since the SpatiaLite triggers need mod_spatialite.

CREATE TABLE spatial_ref_sys (
    srid         INTEGER NOT NULL PRIMARY KEY,
    auth_name    TEXT NOT NULL,
    auth_srid    INTEGER NOT NULL,
    ref_sys_name TEXT NOT NULL DEFAULT 'Unknown',
    proj4text    TEXT NOT NULL,
    srtext       TEXT NOT NULL DEFAULT 'Undefined'
);
CREATE UNIQUE INDEX idx_spatial_ref_sys ON spatial_ref_sys (auth_srid, auth_name);

INSERT INTO spatial_ref_sys VALUES
    (-1, 'NONE', -1, 'Undefined - Cartesian', '', 'Undefined'),
    (0, 'NONE', 0, 'Undefined - Geographic Long/Lat', '', 'Undefined'),
    (4326, 'epsg', 4326, 'WGS 84', '+proj=longlat +datum=WGS84 +no_defs',
     'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]');

CREATE TABLE geometry_columns (
    f_table_name          TEXT NOT NULL,
    f_geometry_column     TEXT NOT NULL,
    geometry_type         INTEGER NOT NULL,
    coord_dimension       INTEGER NOT NULL,
    srid                  INTEGER NOT NULL,
    spatial_index_enabled INTEGER NOT NULL,
    CONSTRAINT pk_geom_cols PRIMARY KEY (f_table_name, f_geometry_column),
    CONSTRAINT fk_gc_srs FOREIGN KEY (srid) REFERENCES spatial_ref_sys (srid),
    CONSTRAINT ck_gc_rtree CHECK (spatial_index_enabled IN (0, 1, 2))
);
CREATE INDEX idx_srid_geocols ON geometry_columns (srid);

-- geometry_type: 1 POINT, 6 MULTIPOLYGON; coord_dimension 2 (XY).
INSERT INTO geometry_columns VALUES
    ('location', 'geom', 1, 2, 4326, 1),
    ('territory', 'geom', 6, 2, 4326, 1);

CREATE VIRTUAL TABLE idx_location_geom USING rtree(pkid, xmin, xmax, ymin, ymax);
CREATE VIRTUAL TABLE idx_territory_geom USING rtree(pkid, xmin, xmax, ymin, ymax);

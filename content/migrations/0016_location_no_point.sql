-- A location may have no point: phone desks, online services and
-- addresses an imported directory gives without coordinates. location.geom
-- becomes nullable (a NULL geometry is what SpatiaLite, GDAL and QGIS
-- expect for a feature without one); such a row has no entry in
-- idx_location_geom. SQLite cannot drop a NOT NULL with ALTER TABLE, and
-- rebuilding the table would cascade deletes through service_at_location:
-- the Go step (dropLocationGeomNotNull) edits the stored definition, the
-- procedure SQLite documents for removing a NOT NULL constraint.
SELECT 1;

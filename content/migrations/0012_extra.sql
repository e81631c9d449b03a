-- The HSDS fields of an imported organization, service or location that
-- Punto does not model (alternate names, programs, service areas, cost
-- options, funding, metadata, …), kept as a JSON object so that an export
-- writes them back. Empty when there are none.
ALTER TABLE organization ADD COLUMN extra TEXT NOT NULL DEFAULT '';
ALTER TABLE service ADD COLUMN extra TEXT NOT NULL DEFAULT '';
ALTER TABLE location ADD COLUMN extra TEXT NOT NULL DEFAULT '';

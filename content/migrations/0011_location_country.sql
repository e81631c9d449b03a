-- The country of a location's address, as an imported directory gives it
-- (HSDS address.country). Empty is Italy, where Punto's locations are.
ALTER TABLE location ADD COLUMN country TEXT NOT NULL DEFAULT '';

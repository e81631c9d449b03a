-- Stable UUIDs for organizations, services and locations: Open Referral
-- HSDS 3 identifies every record by a UUID, while Punto's slugs stay the
-- public IDs in URLs. A record created without one gets the UUIDv5 of its
-- kind and slug (content/uuid.go); the rows already here get the same in
-- Go, in this step's transaction (see backfillUUIDs). An imported HSDS
-- record keeps the UUID it came with.
ALTER TABLE organization ADD COLUMN uuid TEXT;
ALTER TABLE service ADD COLUMN uuid TEXT;
ALTER TABLE location ADD COLUMN uuid TEXT;

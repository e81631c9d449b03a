-- Counting the services that are not withdrawn (the catalog's figures,
-- punto catalog info, /readyz after a write) reads this index instead of
-- every service row: at a million services, 1.6 s instead of 2.6 s with
-- nothing of the file in memory.
CREATE INDEX IF NOT EXISTS service_status ON service(status);

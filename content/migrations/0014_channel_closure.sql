-- Channels: the ways a service is reached, each with its own hours and
-- languages: in person at one of its locations, a phone desk, a video
-- call. Hours are a Schedule as JSON (the same model as a service's
-- hours), languages a JSON array of ISO 639 codes. The rows go with the
-- service (a service written again writes its channels again).
CREATE TABLE channel (
    pk          INTEGER PRIMARY KEY,
    service_id  TEXT NOT NULL REFERENCES service(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    id          TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('in_person', 'phone', 'video')),
    location_id TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    url         TEXT NOT NULL DEFAULT '',
    languages   TEXT NOT NULL DEFAULT '[]',
    hours       TEXT NOT NULL DEFAULT '{"weekly":[]}',
    UNIQUE (service_id, id),
    UNIQUE (service_id, position)
);

-- Closure mode: for a territory and a range of dates (Europe/Rome, both
-- days included), its in-person desks are closed and its phone desks come
-- first on every totem standing in it. They travel in the change feed
-- (kind 'closure'); ending one deletes it.
CREATE TABLE closure (
    id         TEXT PRIMARY KEY,
    territory  TEXT NOT NULL,
    starts_on  TEXT NOT NULL CHECK (starts_on GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    ends_on    TEXT NOT NULL CHECK (ends_on GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    updated_at TEXT NOT NULL,
    CHECK (starts_on <= ends_on)
);
CREATE INDEX closure_territory ON closure(territory);

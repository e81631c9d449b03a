-- What each totem last reported over its feed connection (portal only):
-- the latest state in totem.last_state, a short history here (the newest
-- 100 per totem are kept).
ALTER TABLE totem ADD COLUMN last_state TEXT NOT NULL DEFAULT '{}';

CREATE TABLE totem_heartbeat (
    totem_id TEXT NOT NULL REFERENCES totem(id) ON DELETE CASCADE,
    at       TEXT NOT NULL,               -- RFC 3339, UTC
    state    TEXT NOT NULL,               -- JSON, as the totem sent it
    PRIMARY KEY (totem_id, at)
) WITHOUT ROWID;

-- Alerts: a notice per language, shown on the screens it targets during its
-- validity window. Pages: short information pages per language. Their texts
-- live in `translation` (entity 'alert' field 'text'; entity 'page' fields
-- 'title' and 'body').

CREATE TABLE alert (
    pk          INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    starts_at   TEXT NOT NULL,             -- RFC 3339, UTC
    ends_at     TEXT NOT NULL,
    severity    TEXT NOT NULL DEFAULT 'info' CHECK (severity IN ('info', 'warning')),
    target_kind TEXT NOT NULL DEFAULT 'all' CHECK (target_kind IN ('all', 'territory', 'totems')),
    target      TEXT NOT NULL DEFAULT '',  -- a territory ID, or totem IDs separated by commas
    CHECK (starts_at < ends_at)
);

CREATE TABLE page (
    pk       INTEGER PRIMARY KEY,
    id       TEXT NOT NULL UNIQUE,
    position INTEGER NOT NULL DEFAULT 0
);

-- Running a fleet: alerts aimed at a drawn area, remote commands, and the
-- anonymous needs figures.

-- An alert may target an area drawn on the map: `target` then holds its
-- GeoJSON geometry (Polygon or MultiPolygon, WGS84), and each totem checks
-- whether it stands inside. SQLite cannot change a CHECK: the table is
-- rebuilt with the same columns.
CREATE TABLE alert_new (
    pk          INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    starts_at   TEXT NOT NULL,             -- RFC 3339, UTC
    ends_at     TEXT NOT NULL,
    severity    TEXT NOT NULL DEFAULT 'info' CHECK (severity IN ('info', 'warning')),
    target_kind TEXT NOT NULL DEFAULT 'all' CHECK (target_kind IN ('all', 'territory', 'totems', 'area')),
    target      TEXT NOT NULL DEFAULT '',  -- a territory ID, totem IDs separated by commas, or a GeoJSON geometry
    CHECK (starts_at < ends_at)
);
INSERT INTO alert_new(pk, id, starts_at, ends_at, severity, target_kind, target)
    SELECT pk, id, starts_at, ends_at, severity, target_kind, target FROM alert;
DROP TABLE alert;
ALTER TABLE alert_new RENAME TO alert;

-- Remote commands (portal only): each is signed once when issued and kept
-- byte for byte, with the state of its delivery to each totem it names.
CREATE TABLE command (
    id         TEXT PRIMARY KEY,
    action     TEXT NOT NULL,
    author     TEXT NOT NULL,
    created_at TEXT NOT NULL,               -- RFC 3339, UTC
    expires_at TEXT NOT NULL,
    doc        TEXT NOT NULL,               -- the command as JSON
    signed     BLOB NOT NULL                -- the signed envelope totems receive
) WITHOUT ROWID;

CREATE TABLE command_target (
    command_id TEXT NOT NULL REFERENCES command(id) ON DELETE CASCADE,
    totem_id   TEXT NOT NULL,
    state      TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'done', 'failed', 'refused')),
    at         TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (command_id, totem_id)
) WITHOUT ROWID;
CREATE INDEX command_target_totem ON command_target(totem_id, state);

-- Commands a totem has carried out (totem only), kept until they expire,
-- so that a command delivered twice runs once.
CREATE TABLE command_seen (
    id         TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL
) WITHOUT ROWID;

-- Needs figures. On a totem: how many times, in each hour (UTC), a visit
-- started, a language was chosen, a category opened, a service viewed, a
-- QR code shown, a search found nothing. `value` is a language tag, a
-- category or a service ID from the catalog, never text a visitor typed;
-- nothing identifies a visitor. `reported` is the count the portal was last
-- sent.
CREATE TABLE needs_count (
    hour     TEXT NOT NULL,                 -- 2026-12-02T09:00:00Z
    event    TEXT NOT NULL,
    value    TEXT NOT NULL DEFAULT '',
    n        INTEGER NOT NULL,
    reported INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, event, value)
) WITHOUT ROWID;

-- On the portal: the same counts, per totem, as each totem last reported
-- them (absolute, so a report sent twice counts once).
CREATE TABLE needs_report (
    totem_id TEXT NOT NULL,
    hour     TEXT NOT NULL,
    event    TEXT NOT NULL,
    value    TEXT NOT NULL DEFAULT '',
    n        INTEGER NOT NULL,
    PRIMARY KEY (hour, totem_id, event, value)  -- reports read periods of hours
) WITHOUT ROWID;

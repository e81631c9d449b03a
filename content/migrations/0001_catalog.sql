-- The catalog, after Open Referral HSDS 3. Human-readable fields live in
-- `translation`, one row per entity, field and locale.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE organization (
    id    TEXT PRIMARY KEY,
    url   TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT ''
);

CREATE TABLE category (
    id       TEXT PRIMARY KEY,
    icon     TEXT NOT NULL,
    position INTEGER NOT NULL
);

-- pk is the rowid of the service's row in service_fts.
CREATE TABLE service (
    pk               INTEGER PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    organization_id  TEXT REFERENCES organization(id) ON DELETE SET NULL,
    status           TEXT NOT NULL DEFAULT 'active'
                     CHECK (status IN ('active', 'temporarily_closed', 'withdrawn')),
    url              TEXT NOT NULL DEFAULT '',
    email            TEXT NOT NULL DEFAULT '',
    by_appointment   INTEGER NOT NULL DEFAULT 0 CHECK (by_appointment IN (0, 1)),
    open_on_holidays INTEGER NOT NULL DEFAULT 0 CHECK (open_on_holidays IN (0, 1)),
    updated_at       TEXT NOT NULL
);
CREATE INDEX service_organization ON service(organization_id);

CREATE TABLE service_category (
    service_id  TEXT NOT NULL REFERENCES service(id) ON DELETE CASCADE,
    category_id TEXT NOT NULL REFERENCES category(id),
    PRIMARY KEY (service_id, category_id)
) WITHOUT ROWID;
CREATE INDEX service_category_category ON service_category(category_id);

-- Languages the staff speak (ISO 639-1, or 639-3 where there is no 639-1).
CREATE TABLE service_language (
    service_id TEXT NOT NULL REFERENCES service(id) ON DELETE CASCADE,
    lang       TEXT NOT NULL,
    PRIMARY KEY (service_id, lang)
) WITHOUT ROWID;

-- pk is the ROWID the spatial index idx_location_geom refers to; an INTEGER
-- PRIMARY KEY keeps it stable across VACUUM.
CREATE TABLE location (
    pk              INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    organization_id TEXT REFERENCES organization(id) ON DELETE SET NULL,
    address         TEXT NOT NULL DEFAULT '',
    postal_code     TEXT NOT NULL DEFAULT '',
    comune          TEXT NOT NULL,
    province        TEXT NOT NULL DEFAULT '',
    region          TEXT NOT NULL DEFAULT '',
    wheelchair      INTEGER NOT NULL DEFAULT 0 CHECK (wheelchair IN (0, 1)),
    geom            BLOB NOT NULL
);

CREATE TABLE service_at_location (
    pk          INTEGER PRIMARY KEY,
    service_id  TEXT NOT NULL REFERENCES service(id) ON DELETE CASCADE,
    location_id TEXT NOT NULL REFERENCES location(id) ON DELETE CASCADE,
    UNIQUE (service_id, location_id)
);
CREATE INDEX service_at_location_location ON service_at_location(location_id);

CREATE TABLE phone (
    pk         INTEGER PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES service(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    number     TEXT NOT NULL,
    type       TEXT NOT NULL DEFAULT 'voice'
               CHECK (type IN ('voice', 'cell', 'text', 'fax', 'video', 'textphone')),
    UNIQUE (service_id, position)
);

CREATE TABLE contact (
    pk         INTEGER PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES service(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    email      TEXT NOT NULL DEFAULT '',
    phone      TEXT NOT NULL DEFAULT '',
    UNIQUE (service_id, position)
);

-- Weekly opening hours: several slots a day; weekday 1 = Monday … 7 = Sunday.
CREATE TABLE schedule (
    pk         INTEGER PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES service(id) ON DELETE CASCADE,
    weekday    INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens_at   TEXT NOT NULL CHECK (opens_at GLOB '[0-2][0-9]:[0-5][0-9]'),
    closes_at  TEXT NOT NULL CHECK (closes_at GLOB '[0-2][0-9]:[0-5][0-9]'),
    CHECK (opens_at < closes_at)
);
CREATE INDEX schedule_service ON schedule(service_id);

-- Dated exceptions: a closure (closed = 1, no hours) or special hours that
-- replace the week's slots that day (closed = 0, one row per slot).
CREATE TABLE schedule_exception (
    pk         INTEGER PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES service(id) ON DELETE CASCADE,
    date       TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    closed     INTEGER NOT NULL CHECK (closed IN (0, 1)),
    opens_at   TEXT NOT NULL DEFAULT '',
    closes_at  TEXT NOT NULL DEFAULT '',
    CHECK (closed = 1 OR opens_at < closes_at)
);
CREATE INDEX schedule_exception_service ON schedule_exception(service_id, date);

CREATE TABLE required_document (
    pk         INTEGER PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES service(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    UNIQUE (service_id, position)
);

-- Territories: the ambiti territoriali sociali (Marche) and zone sociali
-- (Umbria) that services and totems belong to.
CREATE TABLE territory (
    pk     INTEGER PRIMARY KEY,
    id     TEXT NOT NULL UNIQUE,
    kind   TEXT NOT NULL CHECK (kind IN ('ambito', 'zona', 'comune', 'other')),
    region TEXT NOT NULL DEFAULT '',
    geom   BLOB NOT NULL
);

CREATE TABLE translation (
    entity TEXT NOT NULL,
    id     TEXT NOT NULL,
    field  TEXT NOT NULL,
    lang   TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (entity, id, field, lang)
) WITHOUT ROWID;

-- Full-text search: one row per service (rowid = service.pk) holding every
-- translation, folded to lower case without diacritics or vowel marks (see
-- content/fold.go) before it is indexed.
CREATE VIRTUAL TABLE service_fts USING fts5(
    names,
    body,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

-- Mediation on call (issue 16): the mediators' registry, the public bodies
-- that request mediators, their requests, and the hours budgets. Times are
-- RFC 3339 UTC text, minutes are integers. None of it travels in the
-- change feed.

CREATE TABLE mediation_mediator (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    email      TEXT NOT NULL UNIQUE,        -- the mediator's login name too
    modes      TEXT NOT NULL,               -- comma list: in_person, phone, video
    active     INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE mediation_mediator_language (
    mediator_id INTEGER NOT NULL REFERENCES mediation_mediator(id) ON DELETE CASCADE,
    lang        TEXT NOT NULL,              -- ISO 639 (the shortest code)
    PRIMARY KEY (mediator_id, lang)
) WITHOUT ROWID;
CREATE INDEX mediation_mediator_language_lang ON mediation_mediator_language(lang);

CREATE TABLE mediation_mediator_territory (
    mediator_id  INTEGER NOT NULL REFERENCES mediation_mediator(id) ON DELETE CASCADE,
    territory_id TEXT NOT NULL,
    PRIMARY KEY (mediator_id, territory_id)
) WITHOUT ROWID;

-- The weekly availability: on weekday (1 Monday … 7 Sunday) from start_min
-- to end_min (minutes after midnight, Europe/Rome).
CREATE TABLE mediation_availability (
    mediator_id INTEGER NOT NULL REFERENCES mediation_mediator(id) ON DELETE CASCADE,
    weekday     INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    start_min   INTEGER NOT NULL CHECK (start_min BETWEEN 0 AND 1440),
    end_min     INTEGER NOT NULL CHECK (end_min BETWEEN 0 AND 1440 AND end_min > start_min)
);
CREATE INDEX mediation_availability_mediator ON mediation_availability(mediator_id);

-- Exceptions to the week on one day: away (available = 0) for the window,
-- or available besides the week (available = 1).
CREATE TABLE mediation_exception (
    mediator_id INTEGER NOT NULL REFERENCES mediation_mediator(id) ON DELETE CASCADE,
    day         TEXT NOT NULL,              -- YYYY-MM-DD
    start_min   INTEGER NOT NULL,
    end_min     INTEGER NOT NULL CHECK (end_min > start_min),
    available   INTEGER NOT NULL CHECK (available IN (0, 1))
);
CREATE INDEX mediation_exception_mediator ON mediation_exception(mediator_id, day);

-- Public bodies (schools, hospitals, comuni offices, the Questura).
CREATE TABLE mediation_org (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    territory_id TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

-- A requester is an account (by its e-mail login) of one body.
CREATE TABLE mediation_requester (
    email  TEXT PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES mediation_org(id)
) WITHOUT ROWID;

-- Hours budgets, per programme and territory.
CREATE TABLE mediation_budget (
    id           INTEGER PRIMARY KEY,
    programme    TEXT NOT NULL,
    territory_id TEXT NOT NULL,
    minutes      INTEGER NOT NULL CHECK (minutes > 0),
    created_at   TEXT NOT NULL,
    UNIQUE (programme, territory_id)
);

CREATE TABLE mediation_request (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES mediation_org(id),
    requester     TEXT NOT NULL,            -- the requester's login
    territory_id  TEXT NOT NULL,
    lang          TEXT NOT NULL,
    mode          TEXT NOT NULL CHECK (mode IN ('in_person', 'phone', 'video')),
    address       TEXT NOT NULL DEFAULT '',
    starts_at     TEXT NOT NULL,            -- the window, UTC
    ends_at       TEXT NOT NULL,
    duration_min  INTEGER NOT NULL CHECK (duration_min BETWEEN 1 AND 720),
    topic         TEXT NOT NULL,
    urgency       TEXT NOT NULL CHECK (urgency IN ('normal', 'urgent')),
    notes         TEXT NOT NULL DEFAULT '', -- emptied at purge_at
    contact_name  TEXT NOT NULL,
    contact_phone TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL CHECK (state IN ('requested', 'assigned', 'confirmed', 'done', 'cancelled', 'declined')),
    mediator_id   INTEGER REFERENCES mediation_mediator(id),
    budget_id     INTEGER REFERENCES mediation_budget(id),
    used_min      INTEGER,                  -- the hours actually used, at close
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    closed_at     TEXT,
    purge_at      TEXT                      -- when the notes go (closed + retention)
);
CREATE INDEX mediation_request_queue ON mediation_request(territory_id, state, starts_at);
CREATE INDEX mediation_request_mediator ON mediation_request(mediator_id, starts_at);
CREATE INDEX mediation_request_purge ON mediation_request(purge_at) WHERE notes != '';

-- The editorial state of a portal: accounts, sessions, login limits,
-- drafts, translation sources and the audit log. None of it travels in the
-- change feed. Catalogs made before this package had its own migrations
-- got these tables from the catalog's step 0005: IF NOT EXISTS keeps them.

CREATE TABLE IF NOT EXISTS portal_account (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL UNIQUE,      -- e-mail or user name, lower case
    role                TEXT NOT NULL CHECK (role IN ('admin', 'editor')),
    password_hash       TEXT NOT NULL,             -- argon2id PHC string
    created_at          TEXT NOT NULL,             -- RFC 3339, UTC
    password_changed_at TEXT NOT NULL,
    disabled_at         TEXT,
    last_login_at       TEXT
);

CREATE TABLE IF NOT EXISTS portal_account_territory (
    account_id   INTEGER NOT NULL REFERENCES portal_account(id) ON DELETE CASCADE,
    territory_id TEXT NOT NULL,
    PRIMARY KEY (account_id, territory_id)
) WITHOUT ROWID;

-- A session is known by the SHA-256 of its cookie's token; the token itself
-- is never stored.
CREATE TABLE IF NOT EXISTS portal_session (
    token_hash BLOB PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES portal_account(id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    expires_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS portal_session_account ON portal_session(account_id);

-- Failed logins per name (whether or not an account has it, so that the
-- answer never tells).
CREATE TABLE IF NOT EXISTS portal_login_failure (
    name         TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    locked_until TEXT NOT NULL DEFAULT '',
    last_at      TEXT NOT NULL
) WITHOUT ROWID;

-- One draft per record: the whole document as JSON, with the Italian
-- source hashes its translations were saved against.
CREATE TABLE IF NOT EXISTS portal_draft (
    kind       TEXT NOT NULL,
    id         TEXT NOT NULL,
    doc        TEXT NOT NULL,
    sources    TEXT NOT NULL DEFAULT '{}',
    author     TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;

-- For each published translation: a hash of the Italian text it was saved
-- against. It is stale when the Italian text now hashes differently.
CREATE TABLE IF NOT EXISTS portal_translation_source (
    kind        TEXT NOT NULL,
    id          TEXT NOT NULL,
    field       TEXT NOT NULL,
    lang        TEXT NOT NULL,
    source_hash TEXT NOT NULL,
    PRIMARY KEY (kind, id, field, lang)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS portal_audit (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    kind      TEXT NOT NULL DEFAULT '',
    record_id TEXT NOT NULL DEFAULT '',
    seq       INTEGER,
    before    TEXT,                                -- JSON or NULL
    after     TEXT
);
CREATE INDEX IF NOT EXISTS portal_audit_actor ON portal_audit(actor, id);
CREATE INDEX IF NOT EXISTS portal_audit_record ON portal_audit(kind, record_id, id);

-- The change feed. On the portal every publish appends its changes to
-- change_log (one sequence number per change) and one batch to feed_batch:
-- the exact bytes that travel to totems, chained by the hash of the batch
-- before. On a totem sync_state says how far its replica has come; it is
-- written in the same transaction as the changes it records.

CREATE TABLE change_log (
    seq    INTEGER PRIMARY KEY,
    kind   TEXT NOT NULL,
    id     TEXT NOT NULL,
    op     TEXT NOT NULL CHECK (op IN ('put', 'delete')),
    author TEXT NOT NULL DEFAULT '',
    at     TEXT NOT NULL                  -- RFC 3339, UTC
);
CREATE INDEX change_log_record ON change_log(kind, id);

CREATE TABLE feed_batch (
    last_seq  INTEGER PRIMARY KEY,
    first_seq INTEGER NOT NULL,
    hash      BLOB NOT NULL,              -- SHA-256 of body
    body      BLOB NOT NULL,              -- canonical JSON (content.BatchBody)
    at        TEXT NOT NULL,
    CHECK (first_seq <= last_seq)
);

CREATE TABLE sync_state (
    one  INTEGER PRIMARY KEY CHECK (one = 1),
    seq  INTEGER NOT NULL,                -- last change the catalog holds
    hash BLOB NOT NULL,                   -- hash of the batch that brought it
    at   TEXT NOT NULL
);
INSERT INTO sync_state(one, seq, hash, at) VALUES (1, 0, zeroblob(32), '1970-01-01T00:00:00Z');

-- The totems the portal feeds (portal only): each has its own token,
-- stored hashed. Revoked totems keep their row for the record.
CREATE TABLE totem (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL DEFAULT '',
    lon        REAL NOT NULL,
    lat        REAL NOT NULL,
    token_hash BLOB,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    seq        INTEGER NOT NULL DEFAULT 0, -- last sequence it acknowledged
    last_seen  TEXT,
    last_error TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

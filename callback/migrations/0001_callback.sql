-- Call-back requests. number_enc is nonce || AES-256-GCM ciphertext of the
-- number under a key outside this file; number_tag an HMAC of it, for the
-- per-number limit. Rows are deleted when closed or past the retention.
CREATE TABLE callback_request (
    id           INTEGER PRIMARY KEY,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    lang         TEXT NOT NULL,
    topic        TEXT NOT NULL,
    territory_id TEXT NOT NULL,
    source       TEXT NOT NULL,              -- "phone" or "totem:ID"
    number_enc   BLOB NOT NULL,
    number_tag   BLOB NOT NULL
);
CREATE INDEX callback_request_queue ON callback_request(territory_id, lang, id);
CREATE INDEX callback_request_expiry ON callback_request(expires_at);

-- Requests per number and day (Italian), for the limit; a day's rows go
-- with the next purge.
CREATE TABLE callback_number_day (
    number_tag BLOB NOT NULL,
    day        TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (number_tag, day)
) WITHOUT ROWID;

-- What stays: how many call-backs were asked for.
CREATE TABLE callback_count (
    day          TEXT NOT NULL,
    lang         TEXT NOT NULL,
    topic        TEXT NOT NULL,
    territory_id TEXT NOT NULL,
    n            INTEGER NOT NULL,
    PRIMARY KEY (day, lang, topic, territory_id)
) WITHOUT ROWID;

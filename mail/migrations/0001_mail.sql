-- Outgoing mail. A row is written in the transaction of the change it
-- tells of; the sender delivers it, then clears its body and sets sent_at.
CREATE TABLE mail_outbox (
    id         INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,                -- RFC 3339, UTC
    to_addr    TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       BLOB,                         -- the whole RFC 5322 message; NULL once sent
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    TEXT NOT NULL,                -- due from then
    sent_at    TEXT,
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mail_outbox_due ON mail_outbox(next_at) WHERE sent_at IS NULL;

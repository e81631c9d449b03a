-- Invitations of requesters by e-mail: a one-time link, kept as a hash,
-- that sets the login's password before it expires.
CREATE TABLE mediation_invite (
    token_hash BLOB PRIMARY KEY,
    email      TEXT NOT NULL,
    org_id     INTEGER NOT NULL REFERENCES mediation_org(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX mediation_invite_email ON mediation_invite(email);

-- Recordings: audio an editor or mediator recorded of one text the screens
-- hold, in one language, read aloud instead of the totem's synthesis (and
-- where it has none, as for Tigrinya). ref names the text: ui:KEY (a
-- screen's string), service:ID:FIELD, alert:ID, page:ID:FIELD. They travel
-- in the change feed (kind 'recording', id LANG:REF).

CREATE TABLE recording (
    pk         INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,            -- lang || ':' || ref
    lang       TEXT NOT NULL,
    ref        TEXT NOT NULL,
    type       TEXT NOT NULL,                   -- audio/wav, audio/ogg, audio/mpeg, audio/webm
    audio      BLOB NOT NULL,
    sha256     TEXT NOT NULL,
    updated_at TEXT NOT NULL,                   -- RFC 3339, UTC
    UNIQUE (ref, lang)
);

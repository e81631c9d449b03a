-- Lexicon terms added by editors: a word (as written) in one language that
-- joins a concept of the built-in lexicon (content/lexicon/*.toml), so that
-- search finds the concept's categories by it. They travel in the change
-- feed (kind 'term', id CONCEPT:LANG:TERM).

CREATE TABLE lexicon_term (
    concept    TEXT NOT NULL,
    lang       TEXT NOT NULL,
    term       TEXT NOT NULL,
    latin      INTEGER NOT NULL DEFAULT 0,   -- a Latin spelling of a non-Latin language (Arabizi, pinyin, ...)
    id         TEXT NOT NULL UNIQUE,         -- concept || ':' || lang || ':' || term
    updated_at TEXT NOT NULL,                -- RFC 3339, UTC
    PRIMARY KEY (concept, lang, term)
);

-- Search reads each service's folded text into memory (content/textindex.go)
-- and never asked SQLite's full-text index: the FTS5 table's own index
-- (with its 2- and 3-letter prefix indexes) cost half the CPU of writing a
-- catalog, room in the file and a second tokenizing pass in every
-- snapshot's integrity check. The text stays, in a plain table.
CREATE TABLE service_text (
    pk    INTEGER PRIMARY KEY, -- service.pk
    names TEXT NOT NULL,       -- the service's names, folded (content/fold.go), one per line
    body  TEXT NOT NULL        -- the rest of its searchable text, folded
);
INSERT INTO service_text (pk, names, body)
    SELECT id, coalesce(c0, ''), coalesce(c1, '') FROM service_fts_content;
DROP TABLE service_fts;

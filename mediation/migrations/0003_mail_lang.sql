-- The language each address reads its mail in (requesters, mediators);
-- an address without one gets its mail in Italian and English.
CREATE TABLE mediation_mail_lang (
    email TEXT PRIMARY KEY,
    lang  TEXT NOT NULL
);

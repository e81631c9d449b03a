-- The roles of mediation on call (issue 16): a coordinator keeps the
-- mediators and requests of their territories, a mediator sees their own
-- assignments, a requester asks for a mediator for a public body. Only the
-- CHECK of portal_account widens: its text is rewritten in place (SQLite's
-- documented way for a change that leaves every stored row valid), so the
-- table, its rows and the tables referring to it stay as they are.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, 'CHECK (role IN (''admin'', ''editor''))',
                     'CHECK (role IN (''admin'', ''editor'', ''coordinator'', ''mediator'', ''requester''))')
 WHERE type = 'table' AND name = 'portal_account';
PRAGMA writable_schema = OFF;

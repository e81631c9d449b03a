-- The feed's epoch: a portal restored from an older copy starts a new one
-- (punto portal epoch, or punto restore), so that its totems, ahead of it
-- in the old epoch, take its snapshot instead of refusing it as a
-- rollback; a snapshot or welcome of an older epoch is refused. It travels
-- with the catalog in sync_state, so a totem's epoch changes in the same
-- transaction as the snapshot that brings it.

ALTER TABLE sync_state ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;

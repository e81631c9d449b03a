-- The editor portal's tables (accounts, sessions, drafts, audit) moved to
-- the editorial package's own migrations (editorial/migrations), created
-- when a portal opens them: a totem's catalog no longer carries them. A
-- catalog made before keeps the tables this step created then.
SELECT 1;

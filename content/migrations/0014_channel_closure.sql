-- Placeholder: branch channels brings the real migration 0014 under this
-- same name; take theirs when merging (this branch's 0015 follows it).
SELECT 1;

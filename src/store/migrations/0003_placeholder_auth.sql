-- Placeholder on the voters branch only: number 0003 belongs to auth (0003_auth.sql).
-- Delete this file when merging a branch that has the real 0003.
SELECT 1;

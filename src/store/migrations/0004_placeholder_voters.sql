-- Placeholder on the results branch only: number 0004 belongs to voters (0004_voters.sql).
-- Delete this file when merging a branch that has the real 0004.
SELECT 1;

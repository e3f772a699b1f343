-- Placeholder on the results-perf branch only: number 0007 belongs to another branch.
-- Delete this file when merging a branch that has the real 0007.
SELECT 1;

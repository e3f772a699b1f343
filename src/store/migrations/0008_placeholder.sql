-- Placeholder on the results-perf branch only: number 0008 belongs to another branch.
-- Delete this file when merging a branch that has the real 0008.
SELECT 1;

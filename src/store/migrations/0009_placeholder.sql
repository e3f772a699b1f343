-- Placeholder on the results-perf branch only: number 0009 belongs to another branch.
-- Delete this file when merging a branch that has the real 0009.
SELECT 1;

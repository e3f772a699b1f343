-- Placeholder on the results-perf branch only: number 0011 belongs to another branch.
-- Delete this file when merging a branch that has the real 0011.
SELECT 1;

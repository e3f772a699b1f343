-- Placeholder on the results-perf branch only: number 0012 belongs to another branch.
-- Delete this file when merging a branch that has the real 0012.
SELECT 1;

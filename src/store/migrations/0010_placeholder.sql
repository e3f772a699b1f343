-- Placeholder on the results-perf branch only: number 0010 belongs to another branch.
-- Delete this file when merging a branch that has the real 0010.
SELECT 1;

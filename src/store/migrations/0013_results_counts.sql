-- 0013: an upload's counts as one text value per precinct_returns row
-- instead of one vote_returns row per choice and counting group (450,000
-- rows for 3,000 precincts x 50 contests became 3,000): one line per count,
-- "<choice id> <counting group> <votes>\n", in contest, choice, group order.
-- Uploads stored before this migration keep their vote_returns rows (counts
-- is NULL for them) and are read from there; see docs/internals/results.md.
ALTER TABLE precinct_returns ADD COLUMN counts TEXT;

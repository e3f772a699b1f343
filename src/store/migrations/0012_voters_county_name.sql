-- 0012: officials search a county's roll by name (src/voters/search.c):
-- (county_id, last_name, first_name, id) serves the prefix range inside the
-- county and the keyset order (name, then id) of every page from the index
-- alone, on both backends, whatever the statewide frequency of the name.
-- The bulk import drops and rebuilds it with the other secondary indexes
-- (src/voters/import.c).
CREATE INDEX voters_county_name ON voters (county_id, last_name, first_name, id);

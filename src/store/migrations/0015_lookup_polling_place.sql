-- 0015: the public "am I registered?" lookup (src/voters/lookup.c) finds
-- the voter's polling place by county and precinct code on every request,
-- found or not. Without these indexes that query scanned precincts and
-- polling_places and sorted in a temporary table: its cost grew with the
-- number of elections and polling places defined.
CREATE INDEX precincts_county_code ON precincts (county_id, code);
CREATE INDEX polling_places_precinct ON polling_places (precinct_id);

-- 0014: the county street index (src/voters/streets.c, docs/voters.md):
-- house-number ranges of a street, with the precinct their addresses vote
-- in, so registration derives and checks the precinct from the residential
-- address. A county's index is replaced as a whole: each import is a new
-- version (one audited row covering its segments by digest, as a voter file
-- batch covers its voters); the county's index is its newest version, and
-- older versions stay as history. A version with no segments clears it.
CREATE TABLE voter_street_versions (
  id INTEGER PRIMARY KEY,
  county_id INTEGER NOT NULL REFERENCES counties(id),
  file_name TEXT NOT NULL,
  file_sha256 TEXT NOT NULL,
  row_count INTEGER NOT NULL,
  rows_digest TEXT NOT NULL,
  imported_at TEXT NOT NULL
);
CREATE INDEX voter_street_versions_county ON voter_street_versions (county_id, id);

-- street: normalized (upper case, USPS Publication 28 abbreviations for the
-- suffix and directionals), e.g. 'N OAK AVE'. parity: E even numbers only,
-- O odd only, B both. zip: 5 digits.
CREATE TABLE voter_street_segments (
  id INTEGER PRIMARY KEY,
  version_id INTEGER NOT NULL REFERENCES voter_street_versions(id),
  county_id INTEGER NOT NULL REFERENCES counties(id),
  street TEXT NOT NULL,
  low INTEGER NOT NULL,
  high INTEGER NOT NULL,
  parity TEXT NOT NULL CHECK (parity IN ('E', 'O', 'B')),
  zip TEXT NOT NULL,
  city TEXT NOT NULL DEFAULT '',
  precinct_code TEXT NOT NULL,
  CHECK (low >= 0 AND low <= high),
  FOREIGN KEY (county_id, precinct_code) REFERENCES voter_precincts (county_id, code)
);
CREATE INDEX voter_street_segments_lookup ON voter_street_segments (version_id, street, zip, low);

-- 0005: election definitions (see docs/internals/elections.md).
-- Codes are the NIST SP 1500-100 @id values: unique within an election across
-- every kind of object, so an ERR export can use them verbatim.
CREATE TABLE elections (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  election_date TEXT NOT NULL,
  election_type TEXT NOT NULL,
  jurisdiction TEXT NOT NULL,
  poll_close_at TEXT,
  mode TEXT NOT NULL DEFAULT 'test',      -- 'test' until an admin switches it to 'live'
  zero_report_sha256 TEXT,                -- set when the live switch printed an all-zero report
  definition_sha256 TEXT NOT NULL,        -- SHA-256 of the canonical definition, so the audited row covers it
  created_at TEXT NOT NULL
);

CREATE TABLE parties (
  id INTEGER PRIMARY KEY,
  election_id INTEGER NOT NULL REFERENCES elections(id),
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  abbreviation TEXT NOT NULL DEFAULT '',
  UNIQUE (election_id, code)
);

-- Reporting units other than the state, counties and precincts: congressional,
-- legislative, judicial, school districts...
CREATE TABLE districts (
  id INTEGER PRIMARY KEY,
  election_id INTEGER NOT NULL REFERENCES elections(id),
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  unit_type TEXT NOT NULL,
  UNIQUE (election_id, code)
);

CREATE TABLE ballot_styles (
  id INTEGER PRIMARY KEY,
  election_id INTEGER NOT NULL REFERENCES elections(id),
  code TEXT NOT NULL,
  UNIQUE (election_id, code)
);

CREATE TABLE precincts (
  id INTEGER PRIMARY KEY,
  election_id INTEGER NOT NULL REFERENCES elections(id),
  county_id INTEGER NOT NULL REFERENCES counties(id),
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  ballot_style_id INTEGER REFERENCES ballot_styles(id),
  registered_voters INTEGER NOT NULL DEFAULT 0,
  boundary_geojson TEXT,
  UNIQUE (election_id, code)
);
CREATE INDEX precincts_county ON precincts (election_id, county_id);

CREATE TABLE polling_places (
  id INTEGER PRIMARY KEY,
  election_id INTEGER NOT NULL REFERENCES elections(id),
  precinct_id INTEGER NOT NULL REFERENCES precincts(id),
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  address TEXT NOT NULL DEFAULT '',
  UNIQUE (election_id, code)
);

CREATE TABLE candidates (
  id INTEGER PRIMARY KEY,
  election_id INTEGER NOT NULL REFERENCES elections(id),
  code TEXT NOT NULL,
  ballot_name TEXT NOT NULL,
  party_id INTEGER REFERENCES parties(id),
  UNIQUE (election_id, code)
);

-- kind: 'candidate' (vote for N), 'rcv' (ranked choice), 'measure', 'retention'.
-- district_code names the state ("state"), a county unit or a districts.code.
CREATE TABLE contests (
  id INTEGER PRIMARY KEY,
  election_id INTEGER NOT NULL REFERENCES elections(id),
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  district_code TEXT NOT NULL,
  vote_for INTEGER NOT NULL DEFAULT 1,
  sequence INTEGER NOT NULL,
  retention_candidate_id INTEGER REFERENCES candidates(id),
  certified INTEGER NOT NULL DEFAULT 0,
  UNIQUE (election_id, code)
);

CREATE TABLE choices (
  id INTEGER PRIMARY KEY,
  contest_id INTEGER NOT NULL REFERENCES contests(id),
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  candidate_id INTEGER REFERENCES candidates(id),
  is_write_in INTEGER NOT NULL DEFAULT 0,
  sequence INTEGER NOT NULL
);
CREATE INDEX choices_contest ON choices (contest_id);

CREATE TABLE ballot_style_contests (
  id INTEGER PRIMARY KEY,
  ballot_style_id INTEGER NOT NULL REFERENCES ballot_styles(id),
  contest_id INTEGER NOT NULL REFERENCES contests(id),
  UNIQUE (ballot_style_id, contest_id)
);

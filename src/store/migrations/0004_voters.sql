-- 0004: the statewide voter roll (see docs/internals/voters.md).
-- The column order of `voters` is part of the bulk-import audit scheme: the
-- import hashes each row from its values in exactly this order (the order
-- `SELECT *` returns), so reorder only together with src/voters/fields.c.

CREATE TABLE voter_precincts (
  id INTEGER PRIMARY KEY,
  county_id INTEGER NOT NULL REFERENCES counties(id),
  code TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  UNIQUE (county_id, code)
);

-- One row per imported file: the file's SHA-256, how many voters it added
-- (ids first_voter_id..last_voter_id) and rows_digest, the SHA-256 over the
-- audit row hashes of those voters as imported, in id order.
CREATE TABLE voter_import_batches (
  id INTEGER PRIMARY KEY,
  file_name TEXT NOT NULL,
  file_sha256 TEXT NOT NULL,
  format TEXT NOT NULL,
  row_count INTEGER NOT NULL,
  first_voter_id INTEGER,
  last_voter_id INTEGER,
  rows_digest TEXT NOT NULL,
  imported_at TEXT NOT NULL
);

CREATE TABLE voters (
  id INTEGER PRIMARY KEY,
  ncid TEXT NOT NULL,
  county_id INTEGER NOT NULL REFERENCES counties(id),
  voter_reg_num TEXT NOT NULL,
  last_name TEXT NOT NULL,
  first_name TEXT NOT NULL,
  middle_name TEXT NOT NULL DEFAULT '',
  name_suffix TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  status_reason TEXT NOT NULL DEFAULT '',
  status_reason_desc TEXT NOT NULL DEFAULT '',
  status_date TEXT,
  res_street_address TEXT NOT NULL DEFAULT '',
  res_city TEXT NOT NULL DEFAULT '',
  res_state TEXT NOT NULL DEFAULT '',
  res_zip TEXT NOT NULL DEFAULT '',
  mail_addr1 TEXT NOT NULL DEFAULT '',
  mail_addr2 TEXT NOT NULL DEFAULT '',
  mail_addr3 TEXT NOT NULL DEFAULT '',
  mail_addr4 TEXT NOT NULL DEFAULT '',
  mail_city TEXT NOT NULL DEFAULT '',
  mail_state TEXT NOT NULL DEFAULT '',
  mail_zip TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  confidential TEXT NOT NULL DEFAULT 'N',
  registration_date TEXT NOT NULL DEFAULT '',
  registration_source TEXT NOT NULL DEFAULT '',
  race TEXT NOT NULL DEFAULT '',
  ethnicity TEXT NOT NULL DEFAULT '',
  party TEXT NOT NULL DEFAULT '',
  gender TEXT NOT NULL DEFAULT '',
  birth_year INTEGER,
  birth_date TEXT,
  birth_state TEXT NOT NULL DEFAULT '',
  drivers_lic TEXT NOT NULL DEFAULT '',
  dl_hmac BLOB,
  ssn4_hmac BLOB,
  hava_id_required INTEGER NOT NULL DEFAULT 0,
  citizenship_attested INTEGER NOT NULL DEFAULT 0,
  precinct_code TEXT NOT NULL DEFAULT '',
  municipality_abbrv TEXT NOT NULL DEFAULT '',
  municipality_desc TEXT NOT NULL DEFAULT '',
  ward_abbrv TEXT NOT NULL DEFAULT '',
  ward_desc TEXT NOT NULL DEFAULT '',
  cong_dist_abbrv TEXT NOT NULL DEFAULT '',
  super_court_abbrv TEXT NOT NULL DEFAULT '',
  judic_dist_abbrv TEXT NOT NULL DEFAULT '',
  nc_senate_abbrv TEXT NOT NULL DEFAULT '',
  nc_house_abbrv TEXT NOT NULL DEFAULT '',
  county_commiss_abbrv TEXT NOT NULL DEFAULT '',
  county_commiss_desc TEXT NOT NULL DEFAULT '',
  township_abbrv TEXT NOT NULL DEFAULT '',
  township_desc TEXT NOT NULL DEFAULT '',
  school_dist_abbrv TEXT NOT NULL DEFAULT '',
  school_dist_desc TEXT NOT NULL DEFAULT '',
  fire_dist_abbrv TEXT NOT NULL DEFAULT '',
  fire_dist_desc TEXT NOT NULL DEFAULT '',
  water_dist_abbrv TEXT NOT NULL DEFAULT '',
  water_dist_desc TEXT NOT NULL DEFAULT '',
  sewer_dist_abbrv TEXT NOT NULL DEFAULT '',
  sewer_dist_desc TEXT NOT NULL DEFAULT '',
  sanit_dist_abbrv TEXT NOT NULL DEFAULT '',
  sanit_dist_desc TEXT NOT NULL DEFAULT '',
  rescue_dist_abbrv TEXT NOT NULL DEFAULT '',
  rescue_dist_desc TEXT NOT NULL DEFAULT '',
  munic_dist_abbrv TEXT NOT NULL DEFAULT '',
  munic_dist_desc TEXT NOT NULL DEFAULT '',
  dist_1_abbrv TEXT NOT NULL DEFAULT '',
  dist_1_desc TEXT NOT NULL DEFAULT '',
  vtd_abbrv TEXT NOT NULL DEFAULT '',
  vtd_desc TEXT NOT NULL DEFAULT '',
  import_batch_id INTEGER, -- voter_import_batches.id; no FOREIGN KEY: a check per bulk-loaded row
  merged_into_id INTEGER
);
-- The four secondary indexes. A bulk import into an empty table drops and
-- rebuilds them (src/voters/import.c): keep that list in step with this one.
CREATE UNIQUE INDEX voters_ncid ON voters (ncid);
CREATE UNIQUE INDEX voters_county_reg ON voters (county_id, voter_reg_num);
CREATE INDEX voters_name ON voters (last_name, first_name, birth_year);
CREATE INDEX voters_precinct ON voters (county_id, precinct_code, status);

-- Voting history: one row per voter per election.
CREATE TABLE voter_history (
  id INTEGER PRIMARY KEY,
  voter_id INTEGER NOT NULL REFERENCES voters(id),
  election_date TEXT NOT NULL,
  election_desc TEXT NOT NULL,
  method TEXT NOT NULL CHECK (method IN ('in_person', 'early', 'absentee', 'provisional', 'uocava')),
  county_id INTEGER NOT NULL REFERENCES counties(id),
  recorded_at TEXT NOT NULL,
  UNIQUE (voter_id, election_date)
);

-- NVRA section 8 list maintenance runs: previewed, then executed, then
-- possibly undone. parameters is the canonical JSON of the run's inputs.
CREATE TABLE maintenance_runs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  county_id INTEGER REFERENCES counties(id),
  parameters TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('previewed', 'executed', 'undone')),
  voter_count INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  executed_at TEXT,
  undone_at TEXT
);

-- What a run did to each voter, enough to undo it exactly.
CREATE TABLE maintenance_actions (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES maintenance_runs(id),
  voter_id INTEGER NOT NULL REFERENCES voters(id),
  old_status TEXT NOT NULL,
  old_reason TEXT NOT NULL,
  old_reason_desc TEXT NOT NULL,
  old_status_date TEXT,
  new_status TEXT NOT NULL,
  new_reason TEXT NOT NULL,
  notice_id INTEGER
);
CREATE INDEX maintenance_actions_run ON maintenance_actions (run_id);

-- Address-confirmation notices (52 U.S.C. 20507(d)(2)).
CREATE TABLE confirmation_notices (
  id INTEGER PRIMARY KEY,
  voter_id INTEGER NOT NULL REFERENCES voters(id),
  run_id INTEGER REFERENCES maintenance_runs(id),
  reason TEXT NOT NULL CHECK (reason IN ('moved', 'inactivity')),
  sent_date TEXT NOT NULL,
  response TEXT NOT NULL DEFAULT 'none' CHECK (response IN ('none', 'confirmed', 'moved', 'undeliverable', 'voted', 'withdrawn')),
  response_date TEXT
);
CREATE INDEX confirmation_notices_voter ON confirmation_notices (voter_id);

-- Possible duplicate registrations waiting for an official's decision.
CREATE TABLE duplicate_candidates (
  id INTEGER PRIMARY KEY,
  voter_a_id INTEGER NOT NULL REFERENCES voters(id),
  voter_b_id INTEGER NOT NULL REFERENCES voters(id),
  score TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'merged', 'dismissed')),
  found_at TEXT NOT NULL,
  decided_at TEXT,
  decided_by TEXT,
  UNIQUE (voter_a_id, voter_b_id)
);

-- 0008: cast vote records of ranked-choice contests uploaded by counties
-- (see docs/internals/results.md, "Cast vote records").

-- One row per county, contest and accepted CVR file, versioned like
-- results_uploads: the county's current CVRs of a contest are its row with
-- status 'current' in the election's mode. DATA holds the ballots in the
-- compact encoding of src/results/cvr_store.c (DATA_SHA256 is its hash);
-- FILE_SHA256 is the hash of the uploaded file.
CREATE TABLE cvr_uploads (
  id INTEGER PRIMARY KEY,
  election_id INTEGER NOT NULL REFERENCES elections(id),
  county_id INTEGER NOT NULL REFERENCES counties(id),
  contest_id INTEGER NOT NULL REFERENCES contests(id),
  mode TEXT NOT NULL,
  version INTEGER NOT NULL,
  status TEXT NOT NULL,
  file_name TEXT NOT NULL,
  file_sha256 TEXT NOT NULL,
  ballots INTEGER NOT NULL,
  precincts INTEGER NOT NULL,
  data_sha256 TEXT NOT NULL,
  data BLOB NOT NULL,
  uploaded_by TEXT NOT NULL,
  uploaded_at TEXT NOT NULL,
  UNIQUE (election_id, county_id, contest_id, mode, version)
);

-- Per precinct of an upload: its ballots and round-1 votes per choice (the
-- first-choice figures every page shows for the contest in that county).
CREATE TABLE cvr_precincts (
  upload_id INTEGER NOT NULL REFERENCES cvr_uploads(id),
  precinct_id INTEGER NOT NULL REFERENCES precincts(id),
  ballots INTEGER NOT NULL,
  PRIMARY KEY (upload_id, precinct_id)
);

CREATE TABLE cvr_first_choices (
  upload_id INTEGER NOT NULL REFERENCES cvr_uploads(id),
  precinct_id INTEGER NOT NULL,
  choice_id INTEGER NOT NULL,
  votes INTEGER NOT NULL,
  PRIMARY KEY (upload_id, precinct_id, choice_id)
);

-- 0006: returns, publications and approvals (see docs/internals/results.md).

-- One row per accepted returns file. A county's current returns are its
-- newest upload in the election's mode with status 'current'; a corrected
-- file supersedes the previous one (kept, status 'superseded'); switching an
-- election live clears its test uploads (status 'cleared', rows deleted).
CREATE TABLE results_uploads (
  id INTEGER PRIMARY KEY,
  election_id INTEGER NOT NULL REFERENCES elections(id),
  county_id INTEGER NOT NULL REFERENCES counties(id),
  mode TEXT NOT NULL,
  version INTEGER NOT NULL,
  status TEXT NOT NULL,
  file_name TEXT NOT NULL,
  file_format TEXT NOT NULL,
  file_sha256 TEXT NOT NULL,
  precincts_reporting INTEGER NOT NULL,
  vote_rows INTEGER NOT NULL,
  total_votes INTEGER NOT NULL,
  uploaded_by TEXT NOT NULL,
  uploaded_at TEXT NOT NULL,
  UNIQUE (election_id, county_id, mode, version)
);

CREATE TABLE precinct_returns (
  upload_id INTEGER NOT NULL REFERENCES results_uploads(id),
  precinct_id INTEGER NOT NULL REFERENCES precincts(id),
  ballots_cast INTEGER NOT NULL,
  registered_voters INTEGER NOT NULL,
  PRIMARY KEY (upload_id, precinct_id)
);

CREATE TABLE vote_returns (
  upload_id INTEGER NOT NULL REFERENCES results_uploads(id),
  precinct_id INTEGER NOT NULL,
  contest_id INTEGER NOT NULL,
  choice_id INTEGER NOT NULL,
  counting_group TEXT NOT NULL,
  votes INTEGER NOT NULL
);
CREATE INDEX vote_returns_upload ON vote_returns (upload_id);

-- Publications: numbered, immutable snapshots. Files are never updated; the
-- current pointer moves in the same transaction that inserts a publication.
CREATE TABLE publications (
  id INTEGER PRIMARY KEY,
  election_id INTEGER NOT NULL REFERENCES elections(id),
  number INTEGER NOT NULL,
  mode TEXT NOT NULL,
  published_at TEXT NOT NULL,
  published_by TEXT NOT NULL,
  approval_id INTEGER,
  content_sha256 TEXT NOT NULL,
  manifest_sha256 TEXT NOT NULL,
  public_key TEXT NOT NULL,
  signature TEXT NOT NULL,
  UNIQUE (election_id, number)
);

CREATE TABLE publication_files (
  id INTEGER PRIMARY KEY,
  publication_id INTEGER NOT NULL REFERENCES publications(id),
  name TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  content BLOB NOT NULL,
  UNIQUE (publication_id, name)
);

-- Per contest results hash of each publication: a publication that changes a
-- certified contest's hash needs a second admin.
CREATE TABLE publication_contests (
  publication_id INTEGER NOT NULL REFERENCES publications(id),
  contest_id INTEGER NOT NULL REFERENCES contests(id),
  results_sha256 TEXT NOT NULL,
  PRIMARY KEY (publication_id, contest_id)
);

CREATE TABLE results_current (
  election_id INTEGER PRIMARY KEY REFERENCES elections(id),
  publication_id INTEGER NOT NULL REFERENCES publications(id)
);

-- Two-person rule: requested by one admin, approved by a different one, for
-- exactly the content (content_sha256) that was requested.
CREATE TABLE publication_approvals (
  id INTEGER PRIMARY KEY,
  election_id INTEGER NOT NULL REFERENCES elections(id),
  content_sha256 TEXT NOT NULL,
  reason TEXT NOT NULL,
  status TEXT NOT NULL,               -- 'pending', 'approved', 'published', 'stale'
  requested_by TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  approved_by TEXT,
  approved_at TEXT
);

-- 0007: public online voter registration applications (see
-- docs/internals/voters.md, "Online registration"). Identity-proof fields:
-- the licence number and SSN last four are stored only as keyed HMACs (the
-- roll's key, so they match the voters table); the full birth date is kept
-- because registering needs it, and is never displayed or logged.
CREATE TABLE voter_applications (
  id INTEGER PRIMARY KEY,
  confirmation TEXT NOT NULL UNIQUE,        -- 10 Crockford base32 symbols, the last a check symbol
  kind TEXT NOT NULL CHECK (kind IN ('new', 'update')),
  status TEXT NOT NULL CHECK (status IN ('received', 'verified', 'needs_review', 'mail_confirmation',
                                         'approved', 'denied')),
  lang TEXT NOT NULL DEFAULT 'en',
  county_id INTEGER NOT NULL REFERENCES counties(id),
  precinct_code TEXT NOT NULL DEFAULT '',
  last_name TEXT NOT NULL,
  first_name TEXT NOT NULL,
  middle_name TEXT NOT NULL DEFAULT '',
  name_suffix TEXT NOT NULL DEFAULT '',
  birth_date TEXT NOT NULL,
  res_street_address TEXT NOT NULL,
  res_city TEXT NOT NULL,
  res_zip TEXT NOT NULL,
  party TEXT NOT NULL DEFAULT '',
  dl_hmac BLOB,
  ssn4_hmac BLOB,
  no_id_number INTEGER NOT NULL DEFAULT 0,  -- attested to having neither (HAVA 303(a)(5)(A)(ii))
  citizenship_attested INTEGER NOT NULL,
  prev_last_name TEXT NOT NULL DEFAULT '',  -- updates: the registration on file
  prev_zip TEXT NOT NULL DEFAULT '',
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  match_voter_id INTEGER REFERENCES voters(id), -- update target, or a possible duplicate
  match_score TEXT NOT NULL DEFAULT '',
  review_note TEXT NOT NULL DEFAULT '',     -- why it needs review (fixed codes, no personal data)
  voter_id INTEGER REFERENCES voters(id),   -- set on approval
  denial_reason TEXT NOT NULL DEFAULT '',
  submitted_at TEXT NOT NULL,
  processed_at TEXT,
  decided_at TEXT,
  decided_by TEXT
);
CREATE INDEX voter_applications_queue ON voter_applications (status, county_id);

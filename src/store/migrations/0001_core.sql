-- 0001: the instance and its counties.
-- Portable SQL (SQLite and PostgreSQL): see include/precinct/store.h.

CREATE TABLE instance_settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE counties (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  fips TEXT UNIQUE,
  office_address TEXT NOT NULL DEFAULT '',
  office_phone TEXT NOT NULL DEFAULT '',
  website TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL
);

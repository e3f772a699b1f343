-- 0002: the audit log (see docs/internals/audit.md).
-- One row per leaf of the RFC 6962 Merkle tree; seq is the leaf index + 1.
-- leaf_data is the exact byte string that was hashed (canonical JSON);
-- leaf_hash = SHA-256(0x00 || leaf_data).
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  recorded_at TEXT NOT NULL,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  county TEXT,
  action TEXT NOT NULL,
  object_type TEXT,
  object_id TEXT,
  before_hash TEXT,
  after_hash TEXT,
  leaf_data TEXT NOT NULL,
  leaf_hash BLOB NOT NULL
);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id, seq);

-- Signed tree heads: the root of the first tree_size leaves, signed with the
-- instance's Ed25519 key over the checkpoint text (docs/internals/audit.md):
-- "precinct audit checkpoint v1\n<state_name>\n<tree_size>\n<root hex>\n<signed_at>\n".
-- frontier holds the perfect subtrees covering the first tree_size leaves
-- (popcount(tree_size) x 32 bytes), so the next checkpoint hashes only the
-- leaves appended since; it is not trusted unless it reproduces root_hash.
CREATE TABLE audit_checkpoints (
  tree_size INTEGER PRIMARY KEY,
  root_hash BLOB NOT NULL,
  frontier BLOB NOT NULL,
  signed_at TEXT NOT NULL,
  state_name TEXT NOT NULL,
  key_id TEXT NOT NULL,
  signature BLOB NOT NULL
);
